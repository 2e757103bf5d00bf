"""Notifications travel through Redis to a real Celery worker, which emails them exactly once."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_scopes import scope, scopes_disabled

from trusts import services
from trusts.models import Notification

from .conftest import wait_for

pytestmark = [pytest.mark.integration]


def test_worker_emails_a_notification_once(demo, celery_worker_process) -> None:
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk), transaction.atomic():
        note = services.notify(recipient=senco, kind="concern", text="A concern about a pupil in 4B", link="/")
    mail_dir = celery_worker_process["mail_dir"]

    def emailed() -> bool:
        with scopes_disabled():
            return Notification.objects.get(pk=note.pk).emailed_at is not None

    wait_for(emailed, what="the worker to email the notification", log=celery_worker_process["log"])
    files = list(mail_dir.glob("*.log"))
    assert len(files) == 1
    text = files[0].read_text()
    assert "To: senco.acorn@oak.test" in text
    assert "You have a new notification" in text
    assert "A concern about a pupil in 4B" not in text  # details stay behind the sign-in
    # Sending the same task again through the broker does not send a second email.
    from trusts.tasks import email_notification

    email_notification.delay(notification_id=note.pk)
    email_notification.delay(notification_id=note.pk)
    from trusts.tasks import email_pending_notifications

    result_marker = email_pending_notifications.delay()
    assert result_marker.id
    wait_for(
        lambda: (
            "email_pending_notifications" in celery_worker_process["log"].read_text()
            and celery_worker_process["log"].read_text().count("succeeded") >= 4
        ),
        what="the worker to process the repeated tasks",
        log=celery_worker_process["log"],
    )
    assert len(list(mail_dir.glob("*.log"))) == 1
