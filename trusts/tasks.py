"""Celery tasks: thin, idempotent wrappers; they load under scopes_disabled and work in the trust scope."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from .models import Notification


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notification(*, notification_id: int) -> bool:
    """Email one notification. Claimed with a compare-and-set, so a re-run never sends twice."""
    with scopes_disabled():
        note = Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    if note is None or note.emailed_at is not None:
        return False
    with scope(trust=note.trust_id), transaction.atomic():
        claimed = Notification.objects.filter(pk=note.pk, emailed_at=None).update(emailed_at=timezone.now())
        if claimed != 1:
            return False
        body = note.text
        if note.link:
            body += f"\n\nOpen it in SEND Casework: {settings.SITE_URL}{note.link}"
        body += "\n\nYou get this email because of your role in SEND Casework."
        send_mail(
            subject=f"[SEND Casework] {note.text[:70]}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[note.recipient.email],
        )
    return True


@shared_task(acks_late=True)
def email_pending_notifications() -> int:
    """Catch-up: email any notification whose email was never sent (e.g. the worker was down)."""
    with scopes_disabled():
        pending = list(Notification.objects.filter(emailed_at=None).values_list("pk", flat=True)[:500])
    return sum(1 for pk in pending if email_notification(notification_id=pk))
