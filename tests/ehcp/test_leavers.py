"""A pupil on the SEN register who leaves opens C1: the common transfer file and SEN records to the new
school within 15 school days of the school's calendar (Education (Pupil Information) Regulations 2005, reg 9)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.urls import reverse
from django_scopes import scope

from ehcp.deadlines import meet_deadline
from ehcp.models import Deadline
from pupils.importing import confirm_leaver
from tests.factories import pupil_at
from tests.permission_cases.ehcp import k_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(date(2026, 2, 23), tick=False):
        yield


def test_an_sen_pupil_who_leaves_opens_c1_counted_in_school_days(demo) -> None:
    senco = demo.user("senco.acorn@oak.test")
    pupil = k_pupil(demo, demo.acorn, admission_date=date(2021, 9, 1))
    with scope(trust=demo.oak.pk):
        # Leaves Friday 13 February 2026; the default calendar's half-term is 16-20 February.
        confirm_leaver(pupil=pupil, leaving_date=date(2026, 2, 13), actor=senco)
        c1 = Deadline.objects.get(pupil=pupil, rule_id="C1")
        assert (c1.subject_type, c1.due, c1.responsible, c1.status) == ("pupil", date(2026, 3, 12), "school", "open")
        # The leaving date was wrong: confirming it again recomputes C1. Friday 20 February is in the half-term,
        # so day 1 is Monday 23 February and day 15 Friday 13 March.
        confirm_leaver(pupil=pupil, leaving_date=date(2026, 2, 20), actor=senco)
        c1.refresh_from_db()
        assert c1.due == date(2026, 3, 13) and Deadline.objects.filter(pupil=pupil, rule_id="C1").count() == 1
        # Wednesday 11 February: days 1-3 to the 13th, 4-8 the week of the 23rd, 9-13 the next, 14-15 the 9th-10th.
        confirm_leaver(pupil=pupil, leaving_date=date(2026, 2, 11), actor=senco)
        c1.refresh_from_db()
        assert c1.due == date(2026, 3, 10)

    page = demo.client_for("senco.acorn@oak.test").get(reverse("ehcp:deadlines")).content.decode()
    assert "Common transfer file and records sent to the new school" in page
    assert reverse("ehcp:deadline_detail", kwargs={"pk": c1.pk}) in page
    with scope(trust=demo.oak.pk):
        meet_deadline(deadline=c1, met_on=date(2026, 2, 23), actor=senco)
        c1.refresh_from_db()
        assert (c1.status, c1.met_on) == ("met", date(2026, 2, 23))


def test_a_pupil_not_on_the_register_opens_nothing(demo) -> None:
    pupil = pupil_at(demo, demo.acorn, admission_date=date(2021, 9, 1))
    with scope(trust=demo.oak.pk):
        confirm_leaver(pupil=pupil, leaving_date=date(2026, 2, 13), actor=demo.user("senco.acorn@oak.test"))
        assert not Deadline.objects.filter(pupil=pupil).exists()
