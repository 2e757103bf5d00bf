"""Notifications: in-app list, email once after commit, dedupe, opening marks read; isolation."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from trusts import services, tasks
from trusts.models import Notification

pytestmark = pytest.mark.django_db


def test_notify_emails_after_commit_and_only_once(demo, django_capture_on_commit_callbacks) -> None:
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            note = services.notify(recipient=senco, kind="concern", text="A new concern was raised", link="/x/")
        assert len(callbacks) == 1
        assert mail.outbox == []
        assert tasks.email_notification(notification_id=note.pk) == "sent"
        assert tasks.email_notification(notification_id=note.pk) == "skipped"  # already sent
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["senco.acorn@oak.test"]
    # The email only says something is waiting: no casework details leave the product by email.
    assert "A new concern was raised" not in mail.outbox[0].body + mail.outbox[0].subject
    assert "needs action" in mail.outbox[0].body
    assert "/x/" in mail.outbox[0].body


def test_dedupe_key_notifies_once(demo) -> None:
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        first = services.notify(recipient=senco, kind="deadline", text="Due", dedupe_key="deadline:1:due")
        again = services.notify(recipient=senco, kind="deadline", text="Due", dedupe_key="deadline:1:due")
        assert first is not None and again is None
        assert Notification.objects.filter(recipient=senco).count() == 1


def test_catch_up_emails_what_was_never_sent(demo) -> None:
    with scope(trust=demo.oak.pk):
        for i in range(3):
            Notification.objects.create(
                trust=demo.oak, recipient=demo.user("senco.acorn@oak.test"), kind="k", text=f"n{i}"
            )
    assert tasks.email_pending_notifications()["sent"] == 3
    assert tasks.email_pending_notifications()["sent"] == 0
    assert len(mail.outbox) == 3


def test_list_shows_own_notifications_only_and_opening_marks_read(demo) -> None:
    with scope(trust=demo.oak.pk):
        mine = services.notify(recipient=demo.user("senco.acorn@oak.test"), kind="k", text="For Priya", link="/")
        services.notify(recipient=demo.user("head.acorn@oak.test"), kind="k", text="For Sarah")
    with scope(trust=demo.river.pk):
        theirs = services.notify(recipient=demo.user("senco.willow@river.test"), kind="k", text="For Aisha")
    client = demo.client_for("senco.acorn@oak.test")
    page = client.get(reverse("trusts:notifications")).content.decode()
    assert "For Priya" in page and "For Sarah" not in page and "For Aisha" not in page
    assert "Notifications (1)" in client.get("/").content.decode()
    response = client.post(reverse("trusts:notification_open", args=[mine.pk]))
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        mine.refresh_from_db()
    assert mine.read_at is not None
    # Someone else's notification, same trust or another: 404.
    with scope(trust=demo.oak.pk):
        sarahs = Notification.objects.get(text="For Sarah")
    assert client.post(reverse("trusts:notification_open", args=[sarahs.pk])).status_code == 404
    assert client.post(reverse("trusts:notification_open", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("trusts:notification_open", args=[mine.pk])).status_code == 405


def test_notification_list_query_count_is_constant(demo, django_assert_max_num_queries) -> None:
    senco = demo.user("senco.acorn@oak.test")
    client = demo.client_for("senco.acorn@oak.test")
    counts = []
    for n in (1, 20):
        with scope(trust=demo.oak.pk):
            for i in range(n):
                services.notify(recipient=senco, kind="k", text=f"note {i}")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("trusts:notifications")).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 12
