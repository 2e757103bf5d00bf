"""Referral pages: the school's list (waiting times, overdue, filters, constant queries at two sizes), its
CSV, each step's form (clear messages, nothing written), the record and timeline, the portal, the demo."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from register.demo import seed_referrals
from register.models import Referral, RegisterEntry
from tests.factories import make_pupil
from tests.permission_cases.referrals import make_referral
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
SENCO = "senco.acorn@oak.test"
LIST = reverse("register:referral_list")


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _add(demo, n: int) -> None:
    for i in range(n):
        make_referral(demo, demo.acorn, pupil=make_pupil(demo.acorn), to=["", "referred", "accepted"][i % 3])


@pytest.mark.parametrize("email", [SENCO, "lead@oak.test"])
def test_the_list_keeps_a_constant_number_of_queries(demo, email) -> None:
    _add(demo, 3)
    small, _ = _queries(demo.client_for(email), LIST)
    _add(demo, 9)
    large, page = _queries(demo.client_for(email), LIST)
    assert large == small
    assert len(re.findall(r'href="/register/referrals/\d+/"', page)) == 12


def test_the_list_shows_waiting_times_and_overdue_and_filters(demo) -> None:
    overdue = make_referral(demo, demo.acorn, to="referred")  # referred 50 days ago, no response
    accepted = make_referral(demo, demo.acorn, agency="ep", to="accepted")  # accepted 20 days ago
    draft = make_referral(demo, demo.acorn, agency="camhs")
    client = demo.client_for(SENCO)
    page = client.get(LIST).content.decode()
    assert "50" in page and "20" in page and "Overdue" in page
    assert "6 weeks" in page  # the rule is explained on the page
    only_overdue = client.get(LIST + "?status=overdue").content.decode()
    assert f"/register/referrals/{overdue.pk}/" in only_overdue
    assert f"/register/referrals/{accepted.pk}/" not in only_overdue
    by_agency = client.get(LIST + "?agency=camhs").content.decode()
    assert f"/register/referrals/{draft.pk}/" in by_agency and f"/register/referrals/{overdue.pk}/" not in by_agency
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(action="view", summary__startswith="Referrals list").count() == 3


def test_the_csv_has_the_filtered_rows_and_is_audited(demo) -> None:
    make_referral(demo, demo.acorn, to="referred")
    make_referral(demo, demo.acorn, agency="ep", pupil=make_pupil(demo.acorn, legal_surname="=HYPERLINK(1)"))
    response = demo.client_for(SENCO).get(reverse("register:referral_export") + "?status=all")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["UPN", "Surname", "Forename", "Year", "Agency", "Status"]
    assert len(rows) == 3
    referred = next(r for r in rows if r[4] == "Speech and language therapy")
    assert referred[7] == "50" and referred[11] == "yes"
    assert any(r[1] == "'=HYPERLINK(1)" for r in rows)  # through trusts.exports: never a formula
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(action="export", summary="Referrals export (2 referrals)").exists()


def test_a_step_out_of_order_is_shown_beside_the_field_and_nothing_is_written(demo) -> None:
    referral = make_referral(demo, demo.acorn)
    url = reverse("register:referral_step", kwargs={"pk": referral.pk, "step": "referred"})
    page = demo.client_for(SENCO).post(url, {"referred_on": TODAY.isoformat()}).content.decode()
    assert "There is a problem" in page and 'href="#id_referred_on"' in page
    assert "Record the parents&#x27; consent first" in page
    with scope(trust=demo.oak.pk):
        assert Referral.objects.get(pk=referral.pk).referred_on is None


def test_consent_and_referral_through_the_pages(demo) -> None:
    referral = make_referral(demo, demo.acorn)
    client = demo.client_for(SENCO)
    with scope(trust=demo.oak.pk):
        contact = referral.pupil.contacts.get()
    consent = reverse("register:referral_step", kwargs={"pk": referral.pk, "step": "consent"})
    bad = client.post(consent, {"given_on": "2026-02-31"}).content.decode()
    assert "Choose the parent or carer who gave consent." in bad
    assert "Enter the date consent was given as a real date" in bad
    assert "Tick what the parent or carer agreed to." in bad
    response = client.post(
        consent,
        {"contact": contact.pk, "given_on": TODAY.isoformat(), "how": "email", "purposes": ["sharing", "observation"]},
    )
    assert response.status_code == 302
    client.post(
        reverse("register:referral_step", kwargs={"pk": referral.pk, "step": "referred"}),
        {"referred_on": TODAY.isoformat()},
    )
    page = client.get(reverse("register:referral_detail", kwargs={"pk": referral.pk})).content.decode()
    assert "Referred, waiting for a response" in page
    assert f"{contact.name}" in page and "by email" in page and "sharing information, observation in school" in page


def test_an_empty_choice_says_what_to_do_first(demo) -> None:
    referral = make_referral(demo, demo.acorn, to="consent")
    url = reverse("register:referral_step", kwargs={"pk": referral.pk, "step": "professional"})
    page = demo.client_for(SENCO).get(url).content.decode()
    assert "No one from an agency has access to this pupil&#x27;s record" in page


def test_the_record_shows_referrals_and_the_timeline_to_casework_roles_only(demo) -> None:
    referral = make_referral(demo, demo.acorn, to="appointment")
    url = reverse("pupils:record", kwargs={"pk": referral.pupil_id})
    senco_page = demo.client_for(SENCO).get(url).content.decode()
    assert "Referrals to outside agencies" in senco_page
    assert "Referred to Speech and language therapy." in senco_page
    assert "Appointment with Speech and language therapy." in senco_page
    teacher_page = demo.client_for("teacher.acorn@oak.test").get(url).content.decode()
    assert "Referrals to outside agencies" not in teacher_page and "Speech and language" not in teacher_page


def test_the_record_keeps_a_constant_number_of_queries_with_referrals(demo) -> None:
    first = make_referral(demo, demo.acorn, to="appointment")
    url = reverse("pupils:record", kwargs={"pk": first.pupil_id})
    small, _ = _queries(demo.client_for(SENCO), url)
    for to in ("", "referred", "appointment"):
        make_referral(demo, demo.acorn, pupil=first.pupil, to=to)
    assert _queries(demo.client_for(SENCO), url)[0] == small


def test_the_parent_reads_the_consent_and_says_no_from_the_portal(demo) -> None:
    referral = make_referral(demo, demo.acorn, to="appointment")
    parent = demo.client_for("parent.acorn@oak.test")
    child = parent.get(reverse("reports:portal_child", kwargs={"pk": referral.pupil_id})).content.decode()
    assert "Help from outside the school" in child
    assert f"The next date is {TODAY + timedelta(days=5):%-d %B %Y}." in child
    assert "Speech and language therapy" in child
    assert "the school may share what it knows about your child" in child
    say_no = reverse("reports:portal_referral_withdraw", kwargs={"pk": referral.pk})
    assert parent.get(say_no).status_code == 200
    response = parent.post(say_no, {"note": "We would like to wait"})
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        referral.refresh_from_db()
        assert referral.status == Referral.Status.WITHDRAWN
    again = parent.get(reverse("reports:portal_child", kwargs={"pk": referral.pupil_id})).content.decode()
    assert "You said no." in again and "Change your mind and say no" not in again


def test_the_demo_has_acorn_referrals_in_several_states(demo) -> None:
    with scopes_disabled():
        pupils = [make_pupil(demo.acorn) for _ in range(3)]
        for pupil in pupils:
            RegisterEntry.objects.create(
                trust_id=pupil.trust_id, school=demo.acorn, pupil=pupil, status="K", since=TODAY, primary_need="SLCN"
            )
        objects = {"schools": demo.schools, "users": demo.users}
        assert seed_referrals(objects) == "4 referrals at Acorn."
        assert seed_referrals(objects) == ""  # idempotent
        statuses = set(Referral.objects.filter(school=demo.acorn).values_list("status", flat=True))
    assert statuses == {"consent_needed", "referred", "appointment", "report"}
    with scopes_disabled():
        overdue_one = Referral.objects.get(school=demo.acorn, status="referred")
        assert overdue_one.documents.filter(direction="sent").count() == 1  # sent, and no answer for 9 weeks
    overdue = demo.client_for(SENCO).get(LIST + "?status=overdue").content.decode()
    assert len(re.findall(r'href="/register/referrals/\d+/"', overdue)) == 1
