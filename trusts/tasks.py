"""Celery tasks: thin, idempotent wrappers; they load under scopes_disabled and work in the trust scope."""

from __future__ import annotations

from celery import shared_task
from django_scopes import scope, scopes_disabled

from .models import Notification


@shared_task(acks_late=True)
def email_notification(*, notification_id: int) -> str:
    """Email one notification (see `trusts.email`: claimed, sent, marked; a re-run never sends twice)."""
    from .email import deliver

    with scopes_disabled():
        trust_id = Notification.objects.filter(pk=notification_id).values_list("trust_id", flat=True).first()
    if trust_id is None:
        return "skipped"
    with scope(trust=trust_id):
        return deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def email_pending_notifications() -> dict[str, int]:
    """Every two minutes (beat) and after each sweep: email what is due, up to 500 a run; retries whose
    back-off has passed; rows a crash left half-sent are marked failed. One failure never stops the rest."""
    from .email import deliver_due

    with scopes_disabled():
        return deliver_due()


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


@shared_task(acks_late=True)
def seal_audit_trails() -> int:
    """Every minute: extend each trust's audit hash chain over its new entries (`trusts.audit_chain`)."""
    from .audit_chain import seal
    from .models import Trust

    with scopes_disabled():
        trust_ids = list(Trust.objects.order_by("pk").values_list("pk", flat=True))
    sealed = 0
    for trust_id in trust_ids:
        with scope(trust=trust_id):
            sealed += seal(trust_id=trust_id)
    return sealed
