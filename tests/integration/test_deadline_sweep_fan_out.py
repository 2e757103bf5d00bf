"""Beat's sweep fans out through Redis: one task per trust, taken by two real Celery workers; each trust's
reminders and escalations are sent once, and /healthz hears of the sweep when its last trust is done."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from ehcp.models import Deadline
from ehcp.tasks import sweep_deadlines
from tests.factories import pupil_at
from trusts.health import LAST_SWEEP_KEY
from trusts.models import Notification, Trust

from .conftest import REDIS_URL, wait_for

pytestmark = [pytest.mark.integration]


def _open(demo, school, rule_id: str, due) -> Deadline:
    pupil = pupil_at(demo, school)
    with scope(trust=school.trust_id):
        return engine.open_deadline(
            rule_id=rule_id,
            trigger_date=due - timedelta(weeks=6),
            school=school,
            pupil=pupil,
            subject_type="needs_assessment",
            subject_id=pupil.pk,
            actor=None,
        )


def _notes(*deadlines: Deadline) -> list[tuple[str, str]]:
    with scopes_disabled():
        wanted = {str(d.pk) for d in deadlines}
        rows = Notification.objects.filter(dedupe_key__startswith="deadline:").select_related("recipient")
        return sorted((n.recipient.email, n.dedupe_key) for n in rows if n.dedupe_key.split(":")[1] in wanted)


def test_the_sweep_fans_out_one_task_per_trust_to_two_workers(demo, celery_workers, settings) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("two workers writing at once need PostgreSQL (SQLite locks); CI runs this on PostgreSQL")
    # A cache the workers share with this process (Redis, as in production), for the sweep's health note.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    cache.delete(LAST_SWEEP_KEY)
    with scopes_disabled():
        Trust.objects.create(name="Third Trust, nothing due")
        trusts = Trust.objects.count()
    today = timezone.localdate()
    lapsed_oak = _open(demo, demo.acorn, "A1", today - timedelta(days=1))
    soon_river = _open(demo, demo.willow, "A2", today + timedelta(days=1))
    for _ in range(2):
        celery_workers.start(CACHE_URL=REDIS_URL)
    log = celery_workers.log

    sweep_deadlines.apply_async(queue=celery_workers.queue)
    parts = re.compile(r"Task ehcp\.tasks\.sweep_trust_deadlines\[[^\]]+\] succeeded")
    wait_for(lambda: len(parts.findall(log.read_text())) >= trusts, what="a sweep task for every trust", log=log)
    first = _notes(lapsed_oak, soon_river)
    keys = {key for _, key in first}
    assert keys == {
        f"deadline:{lapsed_oak.pk}:missed-{lapsed_oak.due:%Y%m%d}",
        f"deadline:{soon_river.pk}:remind-1-{soon_river.due:%Y%m%d}",
    }
    assert {email.split("@")[1] for email, _ in first} == {"oak.test", "river.test"}  # each trust's own staff
    with scopes_disabled():
        assert Deadline.objects.get(pk=lapsed_oak.pk).status == "missed"
    assert cache.get(LAST_SWEEP_KEY) is not None  # the last trust's task noted the sweep

    # Beat again (or a redelivery): every trust swept a second time, nothing sent twice.
    sweep_deadlines.apply_async(queue=celery_workers.queue)
    wait_for(lambda: len(parts.findall(log.read_text())) >= 2 * trusts, what="the second fan-out", log=log)
    assert _notes(lapsed_oak, soon_river) == first
