"""Email that arrives once: against a real SMTP server on loopback that refuses, stalls or goes silent.

Reproduces the findings: one refused address stopped all email (the same row failed first every run);
the "emailed" mark shared a transaction with sending, so a failure after the server accepted sent it
again; no timeout, so a silent server held the worker for minutes; catch-up reminders gave the reminder
step, not the days left.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from tests.smtp_server import Mailbox, silent_server, smtp_server
from trusts import email as mailer
from trusts.models import Notification

pytestmark = pytest.mark.django_db
Status = Notification.EmailStatus


@pytest.fixture
def smtp(settings):
    with smtp_server() as (port, box):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield box


def _notes(demo, emails: list[str]) -> list[Notification]:
    with scope(trust=demo.oak.pk):
        return [
            Notification.objects.create(trust=demo.oak, recipient=demo.user(e), kind="deadline", text="x")
            for e in emails
        ]


def _state(note: Notification) -> Notification:
    with scopes_disabled():
        return Notification.objects.get(pk=note.pk)


STAFF = ["senco.acorn@oak.test", "head.acorn@oak.test", "teacher.acorn@oak.test", "ta.acorn@oak.test"]


def test_one_refused_address_does_not_stop_the_others(demo, smtp: Mailbox) -> None:
    smtp.refuse.add("senco.acorn@oak.test")  # the first row in id order, as in the finding
    notes = _notes(demo, STAFF * 3)
    for _ in range(2):
        with scopes_disabled():
            mailer.deliver_due()
    assert sorted(smtp.recipients()) == sorted([e for e in STAFF if e != "senco.acorn@oak.test"] * 3)
    assert set(smtp.message_ids().values()) == {1}  # each accepted message exactly once
    refused = [_state(n) for n in notes if n.recipient.email == "senco.acorn@oak.test"]
    assert {n.email_status for n in refused} == {Status.FAILED}
    assert all("550" in n.email_last_error for n in refused)
    assert all(n.email_attempts == 1 for n in refused)  # permanent: not tried again
    # The SENCO's school sees it; the other trust does not.
    with scope(trust=demo.oak.pk):
        assert {n.pk for n in mailer.undelivered_for(demo.user("head.acorn@oak.test"))} == {n.pk for n in refused}
    with scope(trust=demo.river.pk):
        assert not mailer.undelivered_for(demo.user("lead@river.test")).exists()
    page = demo.client_for("head.acorn@oak.test").get("/notifications/").content.decode()
    assert "Emails that could not be delivered" in page and "550" in page


def test_try_later_is_retried_with_back_off_and_sent_once(demo, smtp: Mailbox) -> None:
    smtp.busy.add("teacher.acorn@oak.test")
    (note,) = _notes(demo, ["teacher.acorn@oak.test"])
    with scopes_disabled():
        assert mailer.deliver_due()["retry"] == 1
        assert mailer.deliver_due()["retry"] == 0  # not due again yet
    waiting = _state(note)
    assert waiting.email_status == Status.PENDING and "451" in waiting.email_last_error
    assert waiting.email_next_attempt_at > timezone.now()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)), scopes_disabled():
        assert mailer.deliver_due()["sent"] == 1
        assert mailer.deliver_due()["sent"] == 0
    assert smtp.recipients() == ["teacher.acorn@oak.test"]
    assert _state(note).email_status == Status.SENT and _state(note).email_attempts == 2


def test_a_failure_after_the_server_accepted_never_sends_it_again(demo, smtp: Mailbox, monkeypatch) -> None:
    (note,) = _notes(demo, ["senco.acorn@oak.test"])
    real_finish = mailer._finish

    def database_gone(pk: int, **fields: object) -> None:
        raise DatabaseError("the database went away after the server accepted the message")

    monkeypatch.setattr(mailer, "_finish", database_gone)
    with scopes_disabled():
        assert mailer.deliver_due()["sent"] == 0  # the error is logged, the run goes on
    monkeypatch.setattr(mailer, "_finish", real_finish)
    assert len(smtp.received) == 1
    assert _state(note).email_status == Status.SENDING
    with scopes_disabled():
        mailer.deliver_due()  # not due: it is "sending", and the server may well have it
    assert len(smtp.received) == 1
    with time_machine.travel(timezone.now() + mailer.STUCK_AFTER + timedelta(minutes=1)), scopes_disabled():
        assert mailer.deliver_due()["interrupted"] == 1
    stuck = _state(note)
    assert stuck.email_status == Status.FAILED and "may not have arrived" in stuck.email_last_error
    assert len(smtp.received) == 1


def test_a_silent_server_costs_a_few_seconds_not_the_worker(demo, settings) -> None:
    notes = _notes(demo, STAFF * 5)
    with silent_server() as port:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 1
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        started = time.monotonic()
        with scopes_disabled():
            counts = mailer.deliver_due()
        elapsed = time.monotonic() - started
    # Three timeouts, then the run stops: the other 17 wait for the next run instead of 17 more timeouts.
    assert counts["retry"] == mailer.SERVER_DOWN_AFTER
    assert elapsed < 10, elapsed
    states = [_state(n) for n in notes]
    assert sum(n.email_status == Status.PENDING and n.email_attempts == 0 for n in states) == 17
    assert all(
        "did not answer" in n.email_last_error or "timed out" in n.email_last_error.lower()
        for n in states
        if n.email_attempts
    )


def test_messages_carry_a_stable_message_id(demo, smtp: Mailbox) -> None:
    (note,) = _notes(demo, ["senco.acorn@oak.test"])
    with scopes_disabled():
        mailer.deliver_due()
    assert list(smtp.message_ids()) == [mailer.message_id(note)]
    assert mailer.message_id(note) == f"<notification-{note.pk}.{demo.oak.pk}@send.invalid>"


def test_too_many_temporary_failures_end_as_failed(demo, settings) -> None:
    (note,) = _notes(demo, ["senco.acorn@oak.test"])
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1  # nothing listens
    now = timezone.now()
    for attempt in range(mailer.MAX_ATTEMPTS):
        with time_machine.travel(now + timedelta(days=attempt)), scopes_disabled():
            mailer.deliver(notification_id=note.pk)
    final = _state(note)
    assert final.email_status == Status.FAILED and final.email_attempts == mailer.MAX_ATTEMPTS
