"""Celery tasks of the ehcp app: thin, idempotent wrappers that load under scopes_disabled and then work
inside each trust's scope. Beat runs `sweep_deadlines` every few minutes; nothing is scheduled with an ETA."""

from __future__ import annotations

import logging
from dataclasses import asdict

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from trusts.health import record_sweep
from trusts.models import Trust

from .sweep import SweepResult, sweep_trust

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def sweep_deadlines() -> dict[str, int]:
    """Send the reminders that are due and mark (and escalate) deadlines missed, trust by trust.

    Safe to run at any time, twice, or after downtime: see `ehcp.sweep`.
    """
    today = timezone.localdate()
    with scopes_disabled():
        trust_ids = list(Trust.objects.order_by("pk").values_list("pk", flat=True))
    total = SweepResult()
    for trust_id in trust_ids:
        with scope(trust=trust_id):
            total.add(sweep_trust(trust_id=trust_id, today=today))
    record_sweep()  # /healthz reports how long ago this was
    if total.notifications:
        # One email task per 500 new notifications, on the email queue, so the sweep never waits on a mail
        # server. The sweep's work is already committed: if the broker blips now, beat's
        # email-pending-notifications (every 2 minutes) sends them instead, so this is not a failure.
        from trusts.email import BATCH
        from trusts.tasks import email_pending_notifications

        for _ in range(-(-total.notifications // BATCH)):
            try:
                email_pending_notifications.delay_on_commit()
            except Exception:  # noqa: BLE001 - the broker is down; the periodic task catches up
                logger.warning("Could not queue the email task after the sweep; beat's email task will send them")
                break
    return asdict(total)
