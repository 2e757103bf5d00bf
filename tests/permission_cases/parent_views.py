"""Permission cases for parents' views before a review (pupils.contributions), and the builders their tests
share.

The portal's form answers only the child's own parent (parent.acorn for the Acorn pupil; Beech's pupil has
no parent among the roles). Asking the parents and copying their views is for the casework roles of the
pupil's school, like the review pages themselves.
"""

from __future__ import annotations

from typing import Any

from django_scopes import scope, scopes_disabled

from pupils.models import ContributionSubject, ParentContribution
from tests.factories import link_parent

from .base import CASEWORK_ROLES, Case
from .graduated import active_cycle
from .reviews import make_review

PARENT = "parent.acorn@oak.test"
LEAD_ONLY = {"lead@oak.test"}
SUPPORT = ContributionSubject.SUPPORT_REVIEW
ANNUAL = ContributionSubject.ANNUAL_REVIEW


def views_of(demo: Any, pupil: Any, kind: str, subject_id: int, **answers: str) -> ParentContribution:
    """A parent's views as the model holds them (the service is tested on its own): the pupil's own linked
    parent where there is one, otherwise a parent account linked for the purpose."""
    with scopes_disabled():
        contact = pupil.contacts.exclude(user=None).select_related("user").first()
    if contact is None:
        email = "parent.willow@river.test" if pupil.trust_id == demo.river.pk else PARENT
        contact = link_parent(pupil, demo.user(email))
    with scope(trust=pupil.trust_id):
        return ParentContribution.objects.create(
            trust_id=pupil.trust_id,
            school_id=pupil.school_id,
            pupil=pupil,
            subject_kind=kind,
            subject_id=subject_id,
            author=contact.user,
            author_name=contact.name,
            relationship=contact.relationship,
            going_well=answers.get("going_well", "Reading at bedtime every night"),
            **{k: v for k, v in answers.items() if k != "going_well"},
        )


def _portal_cycle(demo: Any, school: Any) -> dict[str, Any]:
    cycle = active_cycle(demo, school)
    return {"pk": cycle.pupil_id, "kind": SUPPORT, "subject_id": cycle.pk}


def _portal_review(demo: Any, school: Any) -> dict[str, Any]:
    review = make_review(demo, school, stage="scheduled")
    return {"pk": review.pupil_id, "kind": ANNUAL, "subject_id": review.pk}


def _cycle(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": active_cycle(demo, school).pk}


def _cycle_views(demo: Any, school: Any) -> dict[str, Any]:
    cycle = active_cycle(demo, school)
    return {"pk": cycle.pk, "contribution_id": views_of(demo, cycle.pupil, SUPPORT, cycle.pk).pk}


def _review(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": make_review(demo, school, stage="scheduled").pk}


def _review_views(demo: Any, school: Any) -> dict[str, Any]:
    review = make_review(demo, school, stage="scheduled")
    return {"pk": review.pk, "contribution_id": views_of(demo, review.pupil, ANNUAL, review.pk).pk}


STAFF = {"own": CASEWORK_ROLES, "other_school": LEAD_ONLY, "method": "post", "ok": (302,)}

CASES: list[Case] = [
    Case("reports:portal_views", kwargs=_portal_cycle, own={PARENT}),
    Case("reports:portal_views", kwargs=_portal_review, own={PARENT}),
    Case("graduated:ask_parents", kwargs=_cycle, **STAFF),  # type: ignore[arg-type]
    Case("graduated:copy_parent_views", kwargs=_cycle_views, **STAFF),  # type: ignore[arg-type]
    Case("reviews:ask_parents", kwargs=_review, **STAFF),  # type: ignore[arg-type]
    Case("reviews:copy_parent_views", kwargs=_review_views, **STAFF),  # type: ignore[arg-type]
]
