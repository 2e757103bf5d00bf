"""Deadline pages: the SENCO's buckets, the filtered list and CSV, the detail page's actions, trust settings."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from ehcp.models import Deadline, DeadlineSetting
from ehcp.queries import deadline_buckets, deadlines_visible_to
from tests.factories import pupil_at
from tests.permission_cases.base import ROLES
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
T = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


def due_on(demo, due: date, *, rule_id: str = "A2", school=None, status: str = "open") -> Deadline:
    school = school or demo.acorn
    pupil = pupil_at(demo, school)
    with scope(trust=school.trust_id):
        d = engine.open_deadline(
            rule_id=rule_id,
            trigger_date=due - timedelta(weeks=6),
            school=school,
            pupil=pupil,
            subject_type="needs_assessment",
            subject_id=pupil.pk,
            actor=None,
        )
    if status != "open":
        with scopes_disabled():
            Deadline.objects.filter(pk=d.pk).update(status=status)
    return d


def test_buckets_overdue_this_week_and_the_next_four_weeks(demo):
    overdue = due_on(demo, T - timedelta(days=1))
    missed = due_on(demo, T - timedelta(days=20), status="missed")
    today = due_on(demo, T)
    week_end = due_on(demo, T + timedelta(days=6))
    next_week = due_on(demo, T + timedelta(days=7))
    last = due_on(demo, T + timedelta(days=34))
    due_on(demo, T + timedelta(days=35))  # beyond five weeks
    due_on(demo, T - timedelta(days=3), status="met")
    due_on(demo, T + timedelta(days=3), school=demo.beech)  # another school: not the SENCO's
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        b = deadline_buckets(senco)
    assert [d.pk for d in b.overdue] == [missed.pk, overdue.pk]
    assert [d.pk for d in b.this_week] == [today.pk, week_end.pk]
    assert [d.pk for d in b.next_four_weeks] == [next_week.pk, last.pk]


def test_the_lead_sees_every_school_and_other_roles_see_nothing(demo):
    acorn = due_on(demo, T)
    beech = due_on(demo, T, school=demo.beech)
    due_on(demo, T, school=demo.willow)
    with scope(trust=demo.oak.pk):
        assert set(deadlines_visible_to(demo.user("lead@oak.test")).values_list("pk", flat=True)) == {
            acorn.pk,
            beech.pk,
        }
        assert list(deadlines_visible_to(demo.user("head.acorn@oak.test"))) == [acorn]
        for email in ("parent.acorn@oak.test", "governor.acorn@oak.test", "trustee@oak.test", "teacher.acorn@oak.test"):
            assert not deadlines_visible_to(demo.user(email)).exists()


def test_the_senco_page_shows_the_rule_words_source_and_la_lateness(demo):
    due_on(demo, T - timedelta(days=2), rule_id="A1", status="missed")
    due_on(demo, T + timedelta(days=2))
    html = demo.client_for("senco.acorn@oak.test").get(reverse("ehcp:deadlines")).content.decode()
    assert "LA late" in html
    assert "Within 6 weeks of receiving the request" in html and "SEND Regulations 2014, reg 5" in html
    assert "Within 6 weeks of the LA&#x27;s request" in html and "School (or other body) responds" in html


def test_parents_and_governors_never_see_deadlines_or_pupil_names(demo):
    d = due_on(demo, T)
    for email in ("parent.acorn@oak.test", "governor.acorn@oak.test", "trustee@oak.test"):
        client = demo.client_for(email)
        for name in ("ehcp:deadlines", "ehcp:deadline_list", "ehcp:deadline_csv", "ehcp:calendar_feed_settings"):
            response = client.get(reverse(name))
            assert response.status_code == 404
            assert d.pupil.legal_surname not in response.content.decode()


@pytest.mark.parametrize("name", ["ehcp:deadlines", "ehcp:deadline_list"])
def test_deadline_pages_keep_a_constant_number_of_queries(demo, name):
    client = demo.client_for("lead@oak.test")
    url = reverse(name)
    due_on(demo, T + timedelta(days=1))
    client.get(url)  # warm-up (session, caches)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for i in range(12):
        due_on(
            demo,
            T + timedelta(days=i % 30),
            school=demo.beech if i % 2 else demo.acorn,
            rule_id="A1" if i % 3 else "A2",
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_the_list_filters_by_school_rule_status_who_and_dates(demo):
    a = due_on(demo, T + timedelta(days=3), rule_id="A1")
    b = due_on(demo, T + timedelta(days=10), school=demo.beech)
    c = due_on(demo, T - timedelta(days=5), status="missed")
    client = demo.client_for("lead@oak.test")
    url = reverse("ehcp:deadline_list")

    def shown(params):
        html = client.get(url, params).content.decode()
        return {d.pk for d in (a, b, c) if d.pupil.display_name in html}

    assert shown({}) == {a.pk, b.pk, c.pk}
    assert shown({"school": demo.beech.pk}) == {b.pk}
    assert shown({"rule": "A1"}) == {a.pk}
    assert shown({"status": "missed"}) == {c.pk}
    assert shown({"responsible": "la"}) == {a.pk}
    assert shown({"due_from": "2026-06-02", "due_to": "2026-06-05"}) == {a.pk}
    response = client.get(url, {"due_from": "2026-06-10", "due_to": "2026-06-01"})
    assert "The end of the date range must be on or after its start." in response.content.decode()
    assert client.get(url, {"school": "not-a-number", "due_from": "31/02/2026"}).status_code == 200


def test_the_csv_export_follows_the_filters_and_is_audited(demo):
    a = due_on(demo, T + timedelta(days=3), rule_id="A1")
    due_on(demo, T + timedelta(days=10), school=demo.beech)
    response = demo.client_for("lead@oak.test").get(reverse("ehcp:deadline_csv"), {"rule": "A1"})
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads accented names correctly
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["School", "Pupil", "UPN", "Rule"]
    assert len(rows) == 2
    assert rows[1][1] == a.pupil.display_name and rows[1][3] == "A1" and rows[1][9] == "2026-06-04"
    assert rows[1][14] == "SEND Regulations 2014, reg 5"
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="export", summary="Deadlines export (1 rows)").exists()


def test_the_senco_records_a_deadline_as_done_late(demo):
    d = due_on(demo, T - timedelta(days=3))
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("ehcp:deadline_detail", kwargs={"pk": d.pk})
    response = client.post(url, {"action": "meet", "meet-met_on": "2026-06-01"})
    assert response.status_code == 302
    with scopes_disabled():
        d.refresh_from_db()
    assert d.status == "met" and d.days_late == 3
    assert "Done late" in client.get(url).content.decode()


def test_the_detail_page_refuses_bad_input_with_clear_messages(demo):
    a2 = due_on(demo, T + timedelta(days=3))
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("ehcp:deadline_detail", kwargs={"pk": a2.pk})
    html = client.post(url, {"action": "meet", "meet-met_on": "2026-06-30"}).content.decode()
    assert "cannot be in the future" in html
    html = client.post(url, {"action": "exception", "exc-kind": "holiday", "exc-evidence": "Summer"}).content.decode()
    assert "Select a valid choice" in html  # no holiday exception for A2: it is not even offered
    html = client.post(url, {"action": "waive", "waive-reason": ""}).content.decode()
    assert "Say why this deadline no longer applies." in html
    assert client.post(url, {"action": "delete"}).status_code == 404
    with scopes_disabled():
        a2.refresh_from_db()
    assert (a2.status, a2.exception_kind) == ("open", "")


def test_an_allowed_exception_is_recorded_and_shown(demo):
    a6 = due_on(demo, T + timedelta(days=3), rule_id="A6")
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("ehcp:deadline_detail", kwargs={"pk": a6.pk})
    assert "Record an exception" in client.get(url).content.decode()
    response = client.post(url, {"action": "exception", "exc-kind": "family_away", "exc-evidence": "Away until July"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Family away from the area for 4 weeks or more" in html


def test_a_rule_without_exceptions_offers_none(demo):
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        r1 = engine.open_deadline(
            rule_id="R1",
            trigger_date=date(2025, 6, 15),
            school=demo.acorn,
            pupil=pupil,
            subject_type="ehc_plan",
            subject_id=999,
            actor=None,
        )
    html = (
        demo.client_for("senco.acorn@oak.test")
        .get(reverse("ehcp:deadline_detail", kwargs={"pk": r1.pk}))
        .content.decode()
    )
    assert "The law allows no exceptions to R1." in html and "Record an exception" not in html


def test_a_guessed_deadline_of_another_school_or_trust_is_404(demo):
    beech = due_on(demo, T, school=demo.beech)
    willow = due_on(demo, T, school=demo.willow)
    client = demo.client_for("senco.acorn@oak.test")
    for d in (beech, willow):
        assert client.get(reverse("ehcp:deadline_detail", kwargs={"pk": d.pk})).status_code == 404
        response = client.post(
            reverse("ehcp:deadline_detail", kwargs={"pk": d.pk}), {"action": "waive", "waive-reason": "x"}
        )
        assert response.status_code == 404


# Trust settings --------------------------------------------------------------------------------


def test_only_the_inclusion_lead_edits_the_trusts_targets(demo):
    url = reverse("ehcp:setting_edit", kwargs={"rule_id": "A2"})
    for email in ROLES:
        status = demo.client_for(email).get(url).status_code
        assert status == (200 if email == "lead@oak.test" else 404), email
    assert (
        demo.client_for("lead@oak.test").get(reverse("ehcp:setting_edit", kwargs={"rule_id": "Z9"})).status_code == 404
    )
    assert demo.client_for("lead@river.test").get(url).status_code == 200  # River's own settings, not Oak's


def test_a_stricter_target_is_saved_and_applied_to_open_deadlines(demo):
    d = due_on(demo, T + timedelta(days=20))
    client = demo.client_for("lead@oak.test")
    url = reverse("ehcp:setting_edit", kwargs={"rule_id": "A2"})
    response = client.post(url, {"target_amount": "5", "target_unit": "weeks", "reminder_days": "21, 7"})
    assert response.status_code == 302
    with scopes_disabled():
        d.refresh_from_db()
        setting = DeadlineSetting.objects.get(trust=demo.oak, rule_id="A2")
    assert setting.reminders == (21, 7)
    assert d.statutory_due == T + timedelta(days=20) and d.due == T + timedelta(days=13)


@pytest.mark.parametrize("junk", ["²", "١٤", "1_4", "-7", "7.5", str(2**64)])
def test_reminders_that_are_not_plain_whole_numbers_are_explained(demo, junk):
    """ "²" and "١٤" pass str.isdigit() but are not days a person means; they used to answer 500."""
    client = demo.client_for("lead@oak.test")
    client.raise_request_exception = False
    url = reverse("ehcp:setting_edit", kwargs={"rule_id": "A2"})
    response = client.post(url, {"target_amount": "", "target_unit": "weeks", "reminder_days": f"14, {junk}"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a whole number of days" in html or "whole numbers of days from 0 to 365" in html
    with scopes_disabled():
        assert not DeadlineSetting.objects.exists()


def test_a_looser_target_is_refused_with_the_laws_words(demo):
    url = reverse("ehcp:setting_edit", kwargs={"rule_id": "A2"})
    client = demo.client_for("lead@oak.test")
    html = client.post(url, {"target_amount": "8", "target_unit": "weeks"}).content.decode()
    assert "would be later than the law allows" in html
    html = client.post(url, {"target_amount": "", "target_unit": "weeks", "reminder_days": "14, soon"}).content.decode()
    assert "is not a whole number of days" in html
    with scopes_disabled():
        assert not DeadlineSetting.objects.exists()
