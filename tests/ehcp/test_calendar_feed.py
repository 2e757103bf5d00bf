"""The personal iCalendar feed: a secret address, no session, one all-day event per open deadline; revocable."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from ehcp.calendar import _fold
from ehcp.models import Deadline
from tests.factories import pupil_at
from trusts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


def deadline(demo, school, due: date, rule_id: str = "A2", **pupil_fields) -> Deadline:
    pupil = pupil_at(demo, school, **pupil_fields)
    with scope(trust=school.trust_id):
        return engine.open_deadline(
            rule_id=rule_id,
            trigger_date=due - timedelta(weeks=6),
            school=school,
            pupil=pupil,
            subject_type="needs_assessment",
            subject_id=pupil.pk,
            actor=None,
        )


def feed_url(demo, email: str = "senco.acorn@oak.test") -> str:
    client = demo.client_for(email)
    response = client.post(reverse("ehcp:calendar_feed_settings"), {"action": "create"})
    assert response.status_code == 302
    html = client.get(reverse("ehcp:calendar_feed_settings")).content.decode()
    match = re.search(r"http://testserver(/ehc/calendar/[A-Za-z0-9_-]+\.ics)", html)
    assert match, html
    # Shown once: the next visit no longer shows it.
    assert match.group(1) not in client.get(reverse("ehcp:calendar_feed_settings")).content.decode()
    return match.group(1)


def unfold(text: str) -> str:
    return text.replace("\r\n ", "")


def test_the_feed_has_one_all_day_event_per_open_deadline_visible_to_the_person(demo):
    own = deadline(demo, demo.acorn, date(2026, 6, 15), legal_forename="Jamie", legal_surname="Khan")
    deadline(demo, demo.beech, date(2026, 6, 16))  # not the Acorn SENCO's school
    deadline(demo, demo.willow, date(2026, 6, 17))  # another trust
    met = deadline(demo, demo.acorn, date(2026, 6, 18))
    with scope(trust=demo.oak.pk):
        engine.meet_deadline(deadline=met, met_on=date(2026, 6, 1), actor=None)
    url = feed_url(demo)
    response = Client().get(url)  # no session at all
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") and body.endswith("END:VCALENDAR\r\n")
    text = unfold(body)
    assert text.count("BEGIN:VEVENT") == 1
    assert "DTSTART;VALUE=DATE:20260615\r\n" in text and "DTEND;VALUE=DATE:20260616\r\n" in text
    assert f"UID:deadline-{own.pk}-{demo.oak.pk}@send-casework" in text
    assert "SUMMARY:A2 J.K. (Acorn Primary): School (or other body) responds" in text
    assert "Khan" not in text and "Jamie" not in text  # initials only: calendars are copied to other services
    assert "SEND Regulations 2014\\, reg 8" in text
    assert f"URL:http://testserver/ehc/deadlines/{own.pk}/" in text
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_lead_feed_covers_every_school_of_the_trust(demo):
    deadline(demo, demo.acorn, date(2026, 6, 15))
    deadline(demo, demo.beech, date(2026, 6, 16))
    deadline(demo, demo.willow, date(2026, 6, 17))
    body = Client().get(feed_url(demo, "lead@oak.test")).content.decode()
    assert body.count("BEGIN:VEVENT") == 2


def test_revoking_makes_the_old_address_404(demo):
    deadline(demo, demo.acorn, date(2026, 6, 15))
    url = feed_url(demo)
    assert Client().get(url).status_code == 200
    client = demo.client_for("senco.acorn@oak.test")
    client.post(reverse("ehcp:calendar_feed_settings"), {"action": "revoke"})
    assert Client().get(url).status_code == 404
    assert "Make my calendar address" in client.get(reverse("ehcp:calendar_feed_settings")).content.decode()


def test_a_new_address_replaces_the_old_one(demo):
    old = feed_url(demo)
    new = feed_url(demo)
    assert old != new
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200


def test_only_a_hash_of_the_secret_is_stored(demo):
    url = feed_url(demo)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    with scopes_disabled():
        stored = User.objects.get(email="senco.acorn@oak.test").calendar_token
    assert stored and token not in stored and len(stored) == 64


@pytest.mark.parametrize("token", ["x", "a" * 43, "", "../../etc"])
def test_unknown_or_malformed_addresses_are_404(demo, token):
    feed_url(demo)
    path = f"/ehc/calendar/{token}.ics"
    assert Client().get(path).status_code == 404


def test_an_inactive_person_loses_the_feed(demo):
    url = feed_url(demo)
    with scopes_disabled():
        User.objects.filter(email="senco.acorn@oak.test").update(is_active=False)
    assert Client().get(url).status_code == 404


def test_a_person_whose_role_ended_gets_an_empty_feed(demo):
    deadline(demo, demo.acorn, date(2026, 6, 15))
    url = feed_url(demo)
    from trusts.models import Membership

    with scopes_disabled():
        Membership.objects.filter(user__email="senco.acorn@oak.test").delete()
    body = Client().get(url).content.decode()
    assert "BEGIN:VEVENT" not in body


def test_long_lines_are_folded_at_75_octets():
    line = "SUMMARY:" + "é" * 60
    folded = _fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_each_fetch_of_the_feed_is_in_the_access_log_without_the_secret(demo) -> None:
    from django.test import Client
    from django_scopes import scope

    from ehcp import services
    from trusts.models import AuditEntry

    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        token = services.create_calendar_token(user=senco)
    response = Client(REMOTE_ADDR="198.51.100.9").get(f"/ehc/calendar/{token}.ics")
    assert response.status_code == 200
    with scope(trust=demo.oak.pk):
        entry = AuditEntry.objects.filter(summary__startswith="Calendar feed fetched").get()
    assert entry.actor_id == senco.pk and entry.ip_address == "198.51.100.9"
    assert token not in entry.summary and token not in entry.object_repr
