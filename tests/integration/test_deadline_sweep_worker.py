"""The deadline sweep travels through Redis to a real Celery worker: reminders and escalations, each once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from ehcp.models import Deadline
from ehcp.tasks import sweep_deadlines
from tests.factories import pupil_at
from trusts.models import Notification

from .conftest import wait_for

pytestmark = [pytest.mark.integration]


def _open(demo, rule_id: str, due):
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        return engine.open_deadline(
            rule_id=rule_id,
            trigger_date=due - timedelta(weeks=6),
            school=demo.acorn,
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


@pytest.fixture
def fresh_producers(celery_worker_process):
    """Forget producers bound to a pool closed by an earlier worker test (conftest resets only app._pool)."""
    from kombu import pools

    from config.celery import app

    app.amqp._producer_pool = None
    pools.reset()
    return celery_worker_process


def test_worker_runs_the_sweep_and_notifies_once(demo, fresh_producers) -> None:
    celery_worker_process = fresh_producers
    today = timezone.localdate()
    soon = _open(demo, "A2", today + timedelta(days=1))
    lapsed = _open(demo, "A1", today - timedelta(days=1))
    log = celery_worker_process["log"]

    sweep_deadlines.delay()
    expected = sorted(
        [
            ("head.acorn@oak.test", f"deadline:{lapsed.pk}:missed-{lapsed.due:%Y%m%d}"),
            ("senco.acorn@oak.test", f"deadline:{lapsed.pk}:missed-{lapsed.due:%Y%m%d}"),
            ("senco.acorn@oak.test", f"deadline:{soon.pk}:remind-1-{soon.due:%Y%m%d}"),
        ]
    )
    wait_for(lambda: _notes(soon, lapsed) == expected, what="the worker's sweep to notify", log=log)
    with scopes_disabled():
        assert Deadline.objects.get(pk=lapsed.pk).status == "missed"

    # Twice more through the broker (as beat would, or a retry after a lost ack): nothing new.
    sweep_deadlines.delay()
    sweep_deadlines.delay()
    done = re.compile(r"Task ehcp\.tasks\.sweep_deadlines\[[^\]]+\] succeeded")
    wait_for(lambda: len(done.findall(log.read_text())) >= 3, what="the worker to run the sweep three times", log=log)
    assert _notes(soon, lapsed) == expected
