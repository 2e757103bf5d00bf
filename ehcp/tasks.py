"""Celery tasks of the ehcp app: thin, idempotent wrappers that load under scopes_disabled and then work
inside each trust's scope. Beat runs `sweep_deadlines` every few minutes; nothing is scheduled with an ETA.

At national scale (hundreds of trusts) one task sweeping every trust in turn would take one worker minutes
while the others sit idle, so beat's `sweep_deadlines` fans out: one `sweep_trust_deadlines` task per trust,
on the queue the sweep came from, which every worker of that queue takes in parallel. Each trust's task is
as safe as the sweep itself (`ehcp.sweep`: twice, concurrently or after downtime, nothing is sent twice and
nothing missed), so a trust task redelivered after a lost worker, or two sweeps overlapping, changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict
from datetime import date
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from trusts.health import record_sweep
from trusts.models import Trust

from .sweep import SweepResult, sweep_trust

logger = logging.getLogger(__name__)
RUN_KEY = "ehcp:sweep-run:{}"  # trusts of one fanned-out sweep still to finish (a cache counter)


@shared_task(bind=True, acks_late=True)
def sweep_deadlines(self: Any) -> dict[str, int]:
    """Send the reminders that are due and mark (and escalate) deadlines missed, trust by trust.

    Run by a worker (beat), it queues one `sweep_trust_deadlines` per trust and returns at once ({"trusts": n});
    the last trust to finish records the sweep for /healthz. Called directly (tests, a shell), it sweeps
    every trust here, in turn, and returns the totals. Safe to run at any time, twice, or after downtime:
    see `ehcp.sweep`.
    """
    today = timezone.localdate()
    with scopes_disabled():
        trust_ids = list(Trust.objects.order_by("pk").values_list("pk", flat=True))
    if self.request.called_directly:
        total = SweepResult()
        for trust_id in trust_ids:
            total.add(_sweep_one(trust_id, today))
        record_sweep()  # /healthz reports how long ago this was
        return asdict(total)
    run = uuid.uuid4().hex
    _counter_set(run, len(trust_ids))
    # The queue this sweep came from, so the workers that take sweeps take its parts too.
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    for trust_id in trust_ids:
        sweep_trust_deadlines.apply_async(
            kwargs={"trust_id": trust_id, "day": today.isoformat(), "run": run}, queue=queue
        )
    if not trust_ids:
        record_sweep()
    return {"trusts": len(trust_ids)}


@shared_task(acks_late=True)
def sweep_trust_deadlines(*, trust_id: int, day: str, run: str = "") -> dict[str, int]:
    """One trust's part of the sweep (`day`: the sweep's date, the same for every trust of one run)."""
    result = _sweep_one(trust_id, date.fromisoformat(day))
    if _counter_done(run):
        record_sweep()
    return asdict(result)


def _sweep_one(trust_id: int, today: date) -> SweepResult:
    with scopes_disabled():
        if not Trust.objects.filter(pk=trust_id).exists():
            return SweepResult()  # deleted since the sweep was queued
    with scope(trust=trust_id):
        result = sweep_trust(trust_id=trust_id, today=today)
    if result.notifications:
        _queue_emails(result.notifications)
    return result


def _queue_emails(notifications: int) -> None:
    # One email task per 500 new notifications, on the email queue, so the sweep never waits on a mail
    # server. The sweep's work is already committed: if the broker blips now, beat's
    # email-pending-notifications (every 2 minutes) sends them instead, so this is not a failure.
    from trusts.email import BATCH
    from trusts.tasks import email_pending_notifications

    for _ in range(-(-notifications // BATCH)):
        try:
            email_pending_notifications.delay_on_commit()
        except Exception:  # noqa: BLE001 - the broker is down; the periodic task catches up
            logger.warning("Could not queue the email task after the sweep; beat's email task will send them")
            break


def _counter_set(run: str, trusts: int) -> None:
    try:
        cache.set(RUN_KEY.format(run), trusts, timeout=6 * 3600)
    except Exception:  # noqa: BLE001 - the health note is a hint; the sweep goes on without it
        logger.warning("Could not note the sweep's trusts in the cache", exc_info=True)


def _counter_done(run: str) -> bool:
    """Whether this was the last trust of its run to finish. Without the counter (a cache of this process
    only, an expired key, a cache error) every trust reports: /healthz then says "a trust was just swept",
    a little early but never late. A redelivered trust task may count twice and report slightly early."""
    if not run:
        return True
    try:
        return int(cache.decr(RUN_KEY.format(run))) <= 0
    except ValueError:  # the key is not there (not shared between processes, or expired)
        return True
    except Exception:  # noqa: BLE001
        logger.warning("Could not count the sweep's trusts in the cache", exc_info=True)
        return True
