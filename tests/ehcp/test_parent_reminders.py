"""The parent's own statutory windows (A4, R7): the sweep reminds the child's linked parents too, once a
stage, in plain words with no pupil name; never a parent of another trust; the SENCO's reminders unchanged."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from ehcp.models import Deadline
from ehcp.parent_dates import parent_reminder_text
from ehcp.tasks import sweep_deadlines
from pupils.models import Contact
from tests.ehcp.test_deadline_sweep import SENCO, T, at, keys
from tests.factories import link_parent, pupil_at
from trusts.models import Notification

pytestmark = pytest.mark.django_db
PARENT = "parent.acorn@oak.test"


def parent_deadline(demo, rule_id: str, due: date, *, pupil=None) -> Deadline:
    """An open A4 or R7 (15 days from the trigger) on a child of parent.acorn at Acorn."""
    pupil = pupil or pupil_at(demo, demo.acorn, legal_forename="Rosalind", preferred_forename="Rosalind")
    with scope(trust=demo.oak.pk):
        return engine.open_deadline(
            rule_id=rule_id,
            trigger_date=due - timedelta(days=15),
            school=pupil.school,
            pupil=pupil,
            subject_type="needs_assessment" if rule_id == "A4" else "annual_review",
            subject_id=pupil.pk,
            actor=None,
        )


@pytest.mark.parametrize("rule_id", ["A4", "R7"])
def test_the_parent_and_the_senco_are_each_reminded_once_a_stage(demo, rule_id):
    with at(T - timedelta(days=15)):
        d = parent_deadline(demo, rule_id, T + timedelta(days=7))
    due = f"{d.due:%Y%m%d}"
    with at(d.due - timedelta(days=7)):
        first = sweep_deadlines()
        sweep_deadlines()
    with at(d.due - timedelta(days=1)):
        sweep_deadlines()
        sweep_deadlines()
    expected = [(who, f"remind-{n}-{due}") for who in (PARENT, SENCO) for n in (1, 7)]
    assert keys(d) == sorted(expected)
    assert first["notifications"] == 2
    with scopes_disabled():
        note = Notification.objects.get(recipient__email=PARENT, dedupe_key__contains="remind-7")
        senco_note = Notification.objects.get(recipient__email=SENCO, dedupe_key__contains="remind-7")
    # Plain words, no pupil name (it is emailed), and a link to the child's page in the portal.
    assert note.text.startswith("You have 7 days left to tell the council what you think of")
    assert f"{d.due:%A %-d %B}" in note.text and "Rosalind" not in note.text
    assert note.link == reverse("reports:portal_child", args=[d.pupil_id])
    # The SENCO's reminder is the same as before: the rule, the year group, the source.
    assert senco_note.text.startswith(f"Due in 7 days: {rule_id} for a Year 4 pupil at")


def test_other_deadlines_missed_windows_and_parents_without_responsibility_get_nothing(demo):
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        a2 = engine.open_deadline(
            rule_id="A2",
            trigger_date=T + timedelta(days=7) - timedelta(weeks=6),
            school=demo.acorn,
            pupil=pupil,
            subject_type="needs_assessment",
            subject_id=pupil.pk,
            actor=None,
        )
    missed = parent_deadline(demo, "A4", T - timedelta(days=1))
    no_pr = parent_deadline(demo, "R7", T + timedelta(days=7))
    with scopes_disabled():
        Contact.objects.filter(pupil_id=no_pr.pupil_id).update(parental_responsibility=False)
    with at(no_pr.due - timedelta(days=7)):
        sweep_deadlines()
    assert keys(a2)  # the sweep did run for it
    assert PARENT not in {email for email, _ in keys(a2)}  # the school's deadline is the SENCO's
    assert PARENT not in {email for email, _ in keys(missed)}  # a missed window: the SENCO and head are told
    assert keys(no_pr) == [(SENCO, f"remind-7-{no_pr.due:%Y%m%d}")]


def test_a_parent_account_of_another_trust_is_never_reminded(demo):
    pupil = pupil_at(demo, demo.beech, legal_forename="Quentin")  # no parent.acorn link at Beech
    link_parent(pupil, demo.user("parent.willow@river.test"))  # a River account on an Oak child (bad data)
    d = parent_deadline(demo, "A4", T + timedelta(days=7), pupil=pupil)
    with at(d.due - timedelta(days=7)):
        sweep_deadlines()
    assert keys(d) == [("senco.beech@oak.test", f"remind-7-{d.due:%Y%m%d}")]


def test_the_parents_reminder_is_emailed_without_details(demo, django_capture_on_commit_callbacks, mailoutbox):
    d = parent_deadline(demo, "A4", T + timedelta(days=1))
    with at(d.due - timedelta(days=1)), django_capture_on_commit_callbacks():
        assert sweep_deadlines()["notifications"] == 2
    from trusts.tasks import email_pending_notifications

    with at(d.due - timedelta(days=1)):
        assert email_pending_notifications()["sent"] == 2
    (email,) = [m for m in mailoutbox if m.to == [PARENT]]
    assert "Rosalind" not in email.body and "does not include details" in email.body
    assert "/family/child/" in email.body


def test_the_last_day_reads_plainly(demo):
    d = parent_deadline(demo, "R7", T)
    assert parent_reminder_text(d, d.due).startswith("Today is the last day to tell the council")
    assert parent_reminder_text(d, d.due - timedelta(days=1)).startswith("You have 1 day left")
