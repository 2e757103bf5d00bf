"""Emailing notifications: each once, or marked failed and shown; one failure never blocks the rest.

Each notification carries its own delivery state (`Notification.EmailStatus`):
1. **Claim** in its own committed transaction: pending (and due) → sending, attempts + 1. Only one worker
   can win the compare-and-set, so two mailers never send the same notification.
2. **Send** outside any transaction, with a stable Message-ID (`<notification-ID@domain>`) and the SMTP
   `EMAIL_TIMEOUT`, so a silent server holds one delivery for seconds, not the worker for minutes.
3. **Mark** sent (sending → sent) in its own transaction.
A crash or database outage between 2 and 3 leaves the row in "sending": after STUCK_AFTER it is marked
failed ("may not have arrived"), never sent again, because the server may already have accepted it.
Refusals: a 5xx answer (mailbox unavailable, no such user) is permanent → failed at once; anything else
(4xx, a timeout, a dropped connection) is retried with back-off (BACKOFF_MINUTES), then failed. Failed
emails are listed for the school's SENCO and headteacher (`undelivered_for`) and in the platform admin.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from .models import Membership, Notification, User
from .permissions import schools_where

logger = logging.getLogger(__name__)
Status = Notification.EmailStatus

BACKOFF_MINUTES = (1, 5, 15, 60, 240)
MAX_ATTEMPTS = len(BACKOFF_MINUTES) + 1
STUCK_AFTER = timedelta(minutes=15)
BATCH = 500


def message_id(note: Notification) -> str:
    """The same Message-ID every time this notification is emailed, so any copy can be recognised."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or urlsplit(settings.SITE_URL).hostname
    return f"<notification-{note.pk}.{note.trust_id}@{domain or 'send.invalid'}>"


def body_of(note: Notification) -> str:
    # Email is not a safe place for special category data: the message says only that something is
    # waiting, and the person reads it after signing in (where access is checked and logged).
    return (
        f"Hello {note.recipient.get_short_name()},\n\n"
        "There is something new for you in SEND Casework"
        f"{' that needs action' if note.kind.startswith(('deadline', 'concern')) else ''}.\n"
        f"Sign in to read it: {settings.SITE_URL}{note.link or '/notifications/'}\n\n"
        "To keep children safe, this email does not include details.\n"
        "You get this email because you use SEND Casework."
    )


def is_permanent(exc: BaseException) -> bool:
    """A 5xx answer means "do not try again"; everything else may work later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(int(code) >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code) >= 500
    return False


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [
            f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
            for code, msg in exc.recipients.values()
        ]
        return ("Refused by the mail server: " + "; ".join(parts))[:300]
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"Mail server answered {exc.smtp_code} {msg}"[:300]
    if isinstance(exc, TimeoutError):
        return "The mail server did not answer in time"
    return f"{type(exc).__name__}: {exc}"[:300]


def _claim(pk: int) -> bool:
    now = timezone.now()
    with transaction.atomic(durable=True):
        return (
            Notification.objects.filter(pk=pk, email_status=Status.PENDING)
            .filter(Q(email_next_attempt_at=None) | Q(email_next_attempt_at__lte=now))
            .update(email_status=Status.SENDING, email_claimed_at=now, email_attempts=F("email_attempts") + 1)
            == 1
        )


def _finish(pk: int, **fields: object) -> None:
    with transaction.atomic(durable=True):
        Notification.objects.filter(pk=pk, email_status=Status.SENDING).update(**fields)


def deliver(*, notification_id: int) -> str:
    """Email one notification if it is due. Returns "sent", "retry", "failed" or "skipped" (not due, already
    sent, or claimed by another worker). Never raises for a mail problem."""
    if not _claim(notification_id):
        return "skipped"
    note = Notification.objects.select_related("recipient").get(pk=notification_id)
    message = EmailMessage(
        subject="[SEND Casework] You have a new notification",
        body=body_of(note),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[note.recipient.email],
        headers={"Message-ID": message_id(note)},
        connection=get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", None)),
    )
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 - every mail problem is recorded on the row, none stops the batch
        error = _describe(exc)
        if is_permanent(exc) or note.email_attempts >= MAX_ATTEMPTS:
            _finish(notification_id, email_status=Status.FAILED, email_last_error=error)
            logger.warning("Notification %s not emailed: %s", notification_id, error)
            return "failed"
        wait = timedelta(minutes=BACKOFF_MINUTES[min(note.email_attempts, len(BACKOFF_MINUTES)) - 1])
        _finish(
            notification_id,
            email_status=Status.PENDING,
            email_next_attempt_at=timezone.now() + wait,
            email_last_error=error,
        )
        return "retry"
    _finish(notification_id, email_status=Status.SENT, emailed_at=timezone.now(), email_last_error="")
    return "sent"


def fail_interrupted(now: object = None) -> int:
    """Rows left "sending" by a crash: the server may have accepted them, so they are never sent again."""
    cutoff = timezone.now() - STUCK_AFTER
    with transaction.atomic(durable=True):
        return Notification.objects.filter(email_status=Status.SENDING, email_claimed_at__lt=cutoff).update(
            email_status=Status.FAILED,
            email_last_error="Interrupted while sending: it may not have arrived. Check with the person.",
        )


def due_ids(limit: int = BATCH) -> list[int]:
    now = timezone.now()
    return list(
        Notification.objects.filter(email_status=Status.PENDING)
        .filter(Q(email_next_attempt_at=None) | Q(email_next_attempt_at__lte=now))
        .order_by("email_next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


SERVER_DOWN_AFTER = 3  # consecutive deliveries the server would not take: stop this run


def deliver_due(limit: int = BATCH) -> dict[str, int]:
    """One mailer run: fail interrupted rows, then try each due notification once. A refused address or a
    database error on one row never stops the others; but when the server itself does not answer (three
    retries in a row), the run stops so a dead server costs three timeouts, not five hundred."""
    counts = {"sent": 0, "retry": 0, "failed": 0, "skipped": 0, "interrupted": fail_interrupted()}
    in_a_row = 0
    for pk in due_ids(limit):
        try:
            outcome = deliver(notification_id=pk)
        except DatabaseError:
            logger.exception("Notification %s: database error while emailing; it will be tried again", pk)
            continue
        counts[outcome] += 1
        in_a_row = in_a_row + 1 if outcome == "retry" else 0
        if in_a_row >= SERVER_DOWN_AFTER:
            logger.warning("The mail server is not taking email; the rest wait for the next run")
            break
    return counts


def undelivered_for(user: User) -> QuerySet[Notification]:
    """Emails that could not be delivered to staff of the schools where `user` holds casework: the SENCO and
    headteacher can correct an address or tell the person another way."""
    schools = schools_where(user, "casework.view")
    staff = Membership.objects.filter(school__in=schools).values("user_id")
    return (
        Notification.objects.filter(email_status=Status.FAILED, recipient_id__in=staff)
        .select_related("recipient")
        .order_by("-created_at", "-pk")
    )
