"""Faults on the real parts: a Celery worker on Redis, the test database (PostgreSQL in CI) and an SMTP
server on loopback. Each test asserts the promise: every notification emailed exactly once or marked
failed, no reminder lost or repeated, and the sweep never waits on email."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from ehcp.models import Deadline
from tests.factories import pupil_at
from tests.smtp_server import silent_server, smtp_server
from trusts.models import Notification

from .conftest import wait_for

pytestmark = [pytest.mark.integration]
Status = Notification.EmailStatus
STAFF = ["senco.acorn@oak.test", "head.acorn@oak.test", "teacher.acorn@oak.test", "ta.acorn@oak.test"]


def _notifications(demo, n: int) -> list[int]:
    with scope(trust=demo.oak.pk), transaction.atomic():
        return [
            Notification.objects.create(
                trust=demo.oak, recipient=demo.user(STAFF[i % len(STAFF)]), kind="deadline", text=f"n{i}"
            ).pk
            for i in range(n)
        ]


def _statuses(pks: list[int]) -> dict[str, int]:
    with scopes_disabled():
        rows = Notification.objects.filter(pk__in=pks).values_list("email_status", flat=True)
    counts: dict[str, int] = {}
    for status in rows:
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_the_worker_emails_everyone_once_and_marks_the_refused_address_failed(demo, celery_workers) -> None:
    from trusts.tasks import email_pending_notifications

    with smtp_server() as (port, box):
        box.refuse.add("teacher.acorn@oak.test")
        pks = _notifications(demo, 40)
        celery_workers.start(EMAIL_URL=f"smtp://127.0.0.1:{port}", EMAIL_TIMEOUT="3")
        for _ in range(3):  # the sweep's task, beat's, and a duplicate: still once each
            email_pending_notifications.delay()
        wait_for(
            lambda: Status.PENDING not in _statuses(pks) and Status.SENDING not in _statuses(pks),
            what="every notification to be emailed or failed",
            log=celery_workers.log,
        )
        assert _statuses(pks) == {Status.SENT: 30, Status.FAILED: 10}
        assert len(box.received) == 30
        assert set(box.message_ids().values()) == {1}
        assert "teacher.acorn@oak.test" not in box.recipients()


def test_a_silent_mail_server_never_holds_up_the_sweep(demo, celery_workers) -> None:
    """Email has its own queue: with the mailer stuck on a silent server, the sweep still runs at once."""
    from ehcp.tasks import sweep_deadlines
    from trusts.tasks import email_pending_notifications

    with silent_server() as port:
        pks = _notifications(demo, 30)
        # One worker only for email, talking to a server that never answers...
        celery_workers.start(EMAIL_URL=f"smtp://127.0.0.1:{port}", EMAIL_TIMEOUT="2")
        email_pending_notifications.delay()
        # ...and the sweep's worker on the default queue, which a stuck mailer cannot block.
        pupil = pupil_at(demo, demo.acorn)
        with scope(trust=demo.oak.pk), transaction.atomic():
            d = engine.open_deadline(
                rule_id="A2",
                trigger_date=timezone.localdate() + timedelta(days=1) - timedelta(weeks=6),
                school=demo.acorn,
                pupil=pupil,
                subject_type="needs_assessment",
                subject_id=pupil.pk,
                actor=None,
            )
        started = time.monotonic()
        sweep_deadlines.apply_async(queue=celery_workers.queue)

        def reminded() -> bool:
            with scopes_disabled():
                return Deadline.objects.get(pk=d.pk).reminder_offset_sent is not None

        # Two solo workers would each take one queue; this one takes both, so the email task (3 timeouts of
        # 2 s, then it stops) delays the sweep by seconds, never by minutes.
        wait_for(reminded, seconds=30, what="the sweep to run while the mail server is silent", log=celery_workers.log)
        assert time.monotonic() - started < 30
        assert _statuses(pks).get(Status.SENT, 0) == 0  # nothing reached the silent server, nothing lost
        assert sum(_statuses(pks).values()) == 30


def test_killing_the_worker_mid_sweep_loses_and_repeats_nothing(demo, celery_workers) -> None:
    from ehcp.tasks import sweep_deadlines

    pupil = pupil_at(demo, demo.acorn)
    due = timezone.localdate() + timedelta(days=1)
    with scope(trust=demo.oak.pk), transaction.atomic():
        deadlines = [
            engine.open_deadline(
                rule_id="A2",
                trigger_date=due - timedelta(weeks=6),
                school=demo.acorn,
                pupil=pupil,
                subject_type="needs_assessment",
                subject_id=10_000 + i,
                actor=None,
            )
            for i in range(300)
        ]
    pks = [d.pk for d in deadlines]

    def reminded() -> int:
        with scopes_disabled():
            return Deadline.objects.filter(pk__in=pks).exclude(reminder_offset_sent=None).count()

    first = celery_workers.start(DEADLINE_SWEEP_CHUNK="3")
    sweep_deadlines.apply_async(queue=celery_workers.queue)
    wait_for(lambda: reminded() > 0, seconds=60, what="the first chunks of the sweep", log=celery_workers.log)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    partly = reminded()
    assert 0 < partly < len(pks), "the kill must land mid-sweep"
    # Beat sends the sweep again a few minutes later; a new worker takes it.
    celery_workers.start(DEADLINE_SWEEP_CHUNK="3")
    sweep_deadlines.apply_async(queue=celery_workers.queue)
    wait_for(lambda: reminded() == len(pks), seconds=90, what="the second sweep to finish", log=celery_workers.log)
    with scopes_disabled():
        keys = list(
            Notification.objects.filter(dedupe_key__startswith="deadline:").values_list("recipient_id", "dedupe_key")
        )
    per_deadline = {}
    for _, key in keys:
        per_deadline[key.split(":")[1]] = per_deadline.get(key.split(":")[1], 0) + 1
    assert len(per_deadline) == len(pks)  # nothing lost
    assert len(keys) == len(set(keys))  # nothing repeated (one per recipient per stage)
    assert set(per_deadline.values()) == {1}  # the SENCO only, once
