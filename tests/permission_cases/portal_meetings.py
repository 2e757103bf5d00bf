"""Permission cases for the parent portal's meetings: only the child's own parent may answer."""

from __future__ import annotations

from typing import Any

from .base import Case


def _support_review(demo: Any, school: Any) -> dict[str, Any]:
    from tests.permission_cases.graduated import active_cycle

    cycle = active_cycle(demo, school)  # at Acorn the child of parent.acorn; nobody's among the roles elsewhere
    return {"pk": cycle.pupil_id, "kind": "support_review", "meeting_id": cycle.pk}


CASES = [
    Case("reports:portal_meeting_reply", kwargs=_support_review, own={"parent.acorn@oak.test"}),
    # Posting nothing: the parent gets the form back with a clear message (400); everyone else 404.
    Case(
        "reports:portal_meeting_reply",
        kwargs=_support_review,
        own={"parent.acorn@oak.test"},
        method="post",
        ok=(400,),
    ),
]
