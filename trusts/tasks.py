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
        # Email is not a safe place for special category data: the message says only that something is
        # waiting, and the person reads it after signing in (where access is checked and logged).
        body = (
            f"Hello {note.recipient.get_short_name()},\n\n"
            "There is something new for you in SEND Casework"
            f"{' that needs action' if note.kind.startswith(('deadline', 'concern')) else ''}.\n"
            f"Sign in to read it: {settings.SITE_URL}{note.link or '/notifications/'}\n\n"
            "For pupils' privacy this email does not include details.\n"
            "You get this email because of your role in SEND Casework."
        )
        send_mail(
            subject="[SEND Casework] You have a new notification",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[note.recipient.email],
        )
    return True


EMAIL_BATCH = 500


@shared_task(acks_late=True)
def email_pending_notifications() -> int:
    """Email notifications whose email was never sent, up to EMAIL_BATCH a run: the deadline sweep's (it
    queues this task instead of one per notification) and any left when the worker was down."""
    with scopes_disabled():
        pending = list(
            Notification.objects.filter(emailed_at=None).order_by("pk").values_list("pk", flat=True)[:EMAIL_BATCH]
        )
    return sum(1 for pk in pending if email_notification(notification_id=pk))


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation_email(*, invitation_id: int) -> bool:
    """Email an invitation's link (a fresh token each send). Nothing for one accepted, withdrawn or expired."""
    from .invitations import send_invitation
    from .models import Invitation

    with scopes_disabled():
        invitation = Invitation.objects.select_related("trust", "school", "invited_by").filter(pk=invitation_id).first()
    if invitation is None:
        return False
    with scope(trust=invitation.trust_id):
        return send_invitation(invitation=invitation) is not None
