"""Home pages and the pupil record keep a constant number of queries as the school grows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from register.services import change_status
from tests.factories import make_pupil, pupil_at
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db


def grow(demo, n):
    with scope(trust=demo.oak.pk):
        for i in range(n):
            p = make_pupil(demo.acorn)
            if i % 3 == 0:
                change_status(
                    pupil=p,
                    to_status="K",
                    actor=None,
                    reason="x",
                    primary_need="SLCN",
                    parents_told_on=timezone.localdate(),
                    check_permission=False,
                )


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "email",
    [
        "senco.acorn@oak.test",
        "head.acorn@oak.test",
        "lead@oak.test",
        "teacher.acorn@oak.test",
        "governor.acorn@oak.test",
        "trustee@oak.test",
        "parent.acorn@oak.test",
    ],
)
def test_home_queries_do_not_grow(demo, email) -> None:
    pupil_at(demo, demo.acorn)
    client = demo.client_for(email)
    grow(demo, 10)
    small = count(client, "/")
    grow(demo, 190)
    assert count(client, "/") == small
    assert small <= 40


def test_pupil_record_queries_do_not_grow_and_the_view_is_audited(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("pupils:record", args=[pupil.pk])
    grow(demo, 10)
    small = count(client, url)
    grow(demo, 190)
    assert count(client, url) == small
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(pupil_id=pupil.pk, action="view").count() == 2


def test_senco_home_shows_casework_counts(demo) -> None:
    page = demo.client_for("senco.acorn@oak.test").get("/").content.decode()
    for label in (
        "Concerns to triage",
        "Statutory deadlines overdue",
        "Support plan reviews overdue",
        "Pupils on SEN support (K)",
        "fewer than 3 parent meetings",
    ):
        assert label in page


def test_casework_homes_count_annual_reviews_overdue_and_due_soon(demo) -> None:
    """R1 is 12 months less a day from the plan's issue: a plan issued 13 months ago is overdue, one issued
    11 months ago, and one issued 290 days ago (due in about 11 weeks), are due soon: within the review
    list's DUE_SOON (12 weeks), the one definition; one issued a month ago is neither."""
    from datetime import timedelta

    from reviews.queries import annual_review_counts
    from tests.permission_cases.reviews import make_plan

    today = timezone.localdate()
    for days in (395, 335, 290, 30):
        make_plan(demo, demo.acorn, issued_on=today - timedelta(days=days))
    make_plan(demo, demo.beech, issued_on=today - timedelta(days=395))
    with scope(trust=demo.oak.pk):
        assert annual_review_counts([demo.acorn]) == {"overdue": 1, "soon": 2}
        assert annual_review_counts([demo.acorn, demo.beech]) == {"overdue": 2, "soon": 2}
    for email in ("senco.acorn@oak.test", "head.acorn@oak.test"):
        page = demo.client_for(email).get("/").content.decode()
        assert "Annual reviews overdue" in page and "Annual reviews due in the next 12 weeks" in page
        assert reverse("reviews:list") in page
