"""Celery tasks of the graduated app: thin, idempotent wrappers that load under scopes_disabled and then work
inside each trust's scope. Beat runs `sweep_access_arrangements` every morning."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from trusts.models import Trust

from .services.arrangement_review import sweep_arrangements


@shared_task(acks_late=True)
def sweep_access_arrangements() -> dict[str, int]:
    """Arrangements into a new phase marked "to review", and review reminders, trust by trust (idempotent)."""
    today = timezone.localdate()
    with scopes_disabled():
        trust_ids = list(Trust.objects.order_by("pk").values_list("pk", flat=True))
    total = {"marked": 0, "notifications": 0}
    for trust_id in trust_ids:
        with scope(trust=trust_id):
            for key, value in sweep_arrangements(trust_id=trust_id, today=today).items():
                total[key] += value
    return total
