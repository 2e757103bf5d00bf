"""Permission cases for the trusts app's pages."""

from __future__ import annotations

from .base import CASEWORK_ROLES, EVERYONE, Case

CASES: list[Case] = [
    Case("trusts:home", own=EVERYONE),
    Case("trusts:notifications", own=EVERYONE),
    Case("trusts:notifications_read_all", own=EVERYONE, method="post", ok=(302,)),
    Case("trusts:audit", own=CASEWORK_ROLES),
    Case("trusts:calendar", own=CASEWORK_ROLES),
    Case(
        "trusts:calendar_edit",
        kwargs=lambda demo, school: {"school_id": school.pk},
        own=CASEWORK_ROLES,
        other_school={"lead@oak.test"},
    ),
    Case(
        "trusts:calendar_year",
        kwargs=lambda demo, school: {"school_id": school.pk, "year": 2026},
        own=CASEWORK_ROLES,
        other_school={"lead@oak.test"},
    ),
    Case("trusts:privacy", own=EVERYONE),
]

COVERED_ELSEWHERE = {"trusts:notification_open": "tests/trusts/test_notifications.py"}
