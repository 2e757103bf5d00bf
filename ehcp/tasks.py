"""Celery tasks of the ehcp app: thin, idempotent wrappers that load under scopes_disabled and then work
inside each trust's scope. Beat runs `sweep_deadlines` every few minutes; nothing is scheduled with an ETA."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from trusts.models import Trust

from .sweep import SweepResult, sweep_trust


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
    if total.notifications:
        # One email task per 500 new notifications instead of one per notification (each email is sent
        # once: email_notification claims it). Beat's email-pending-notifications catches up any left.
        from trusts.tasks import EMAIL_BATCH, email_pending_notifications

        for _ in range(-(-total.notifications // EMAIL_BATCH)):
            email_pending_notifications.delay_on_commit()
    return asdict(total)
