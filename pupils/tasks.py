"""Celery tasks of the pupils app: thin, idempotent wrappers that load under scopes_disabled and then do
their work inside the trust's scope."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from . import grants


@shared_task(acks_late=True)
def expire_access_grants() -> int:
    """Daily: remove the guardian permission of grants past their end date, trust by trust.

    Access already stops on the end date (the visibility query checks it); this tidies the permission table
    and writes the audit entry. Running it twice, or after days of downtime, does each removal once.
    """
    today = timezone.localdate()
    with scopes_disabled():
        trust_ids = sorted(set(grants.ended_grants_holding_permission(today).values_list("trust_id", flat=True)))
    removed = 0
    for trust_id in trust_ids:
        with scope(trust=trust_id):
            removed += grants.expire_ended_grants(today=today)
    return removed


@shared_task(acks_late=True)
def delete_stale_imports() -> int:
    """Daily: delete MIS uploads never confirmed within a day, so no copy of pupils' data lingers on disk."""
    from .importing import delete_stale_uploads

    return delete_stale_uploads()


@shared_task(acks_late=True)
def list_records_due_for_destruction() -> int:
    """Nightly: put former pupils whose retention has ended on their trust's "due for destruction" list
    (`pupils.retention.list_due`). Destroys nothing: the data protection lead signs each one off. Idempotent."""
    from .retention import list_due

    today = timezone.localdate()
    with scopes_disabled():
        from trusts.models import Trust

        trust_ids = list(Trust.objects.order_by("pk").values_list("pk", flat=True))
    added = 0
    for trust_id in trust_ids:
        with scope(trust=trust_id):
            added += list_due(today=today)[0]
    return added


@shared_task(acks_late=True)
def remind_health_plan_reviews() -> int:
    """Daily: tell each school's SENCO and headteacher when an individual health care plan's review is within
    30 days, and again once it is overdue (`pupils.health.remind_reviews`). Each notice once per plan version
    and person, so reruns and catching up after downtime notify once. Trust by trust."""
    from .health import remind_reviews
    from .models import HealthCarePlan

    today = timezone.localdate()
    with scopes_disabled():
        trust_ids = sorted(set(HealthCarePlan.objects.filter(superseded_at=None).values_list("trust_id", flat=True)))
    sent = 0
    for trust_id in trust_ids:
        with scope(trust=trust_id):
            sent += remind_reviews(today=today)
    return sent
