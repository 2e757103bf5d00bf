"""A real streaming replica (PostgreSQL 15, `pg_basebackup -R`, on loopback) behind DATABASE_REPLICA_URL.

The test database is created on the primary and reaches the replica by replication (TEST MIRROR in
config/settings.py). Pausing the replica's replay makes "which connection answered" visible in the page
itself: rows committed on the primary while replay is paused are missing on the replica only.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from pupils.models import Pupil
from reports.models import BoardReport, SenInformationReport
from reports.tasks import render_board_report
from tests.factories import make_pupil

from .conftest import REPLICA_URL

pytestmark = [
    pytest.mark.integration,
    pytest.mark.replica,
    pytest.mark.django_db(transaction=True, databases=["default", "replica"]),
]
APP_ROLE = "send_replica_test_app"
TODAY = timezone.localdate()


def _one(alias: str, sql: str, params: list[Any] | None = None) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _poll(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.002)


def caught_up(seconds: float = 10) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    lsn = _one("default", "SELECT pg_current_wal_lsn()::text")
    _poll(
        lambda: _one("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]),
        seconds=seconds,
        what="the replica to replay the primary's writes",
    )


@contextmanager
def replay_paused() -> Iterator[None]:
    """The replica stops applying the primary's changes: anything committed meanwhile is on the primary only."""
    caught_up()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    _poll(
        lambda: _one("replica", "SELECT pg_get_wal_replay_pause_state()") == "paused",
        seconds=10,
        what="replay to pause",
    )
    try:
        yield
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
        caught_up()


@pytest.fixture
def replica(demo: Any) -> Any:
    assert REPLICA_URL, "DATABASE_REPLICA_URL must be set (CI starts a streaming replica)"
    assert connections["default"].vendor == "postgresql"
    assert _one("replica", "SELECT pg_is_in_recovery()") is True, "DATABASE_REPLICA_URL is not a standby"
    assert _one("default", "SELECT pg_is_in_recovery()") is False
    caught_up()
    return demo


@contextmanager
def queries_on_each() -> Iterator[dict[str, CaptureQueriesContext]]:
    captured = {alias: CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")}
    for c in captured.values():
        c.__enter__()
    try:
        yield captured
    finally:
        for c in captured.values():
            c.__exit__(None, None, None)


def _roll(response: Any) -> int:
    return int(str(response.context["headline"][0]["value"]))


def test_governor_figures_are_read_from_the_replica(replica) -> None:
    demo = replica
    governor = demo.client_for("governor.acorn@oak.test")
    url = reverse("reports:school_dashboard")
    before = _roll(governor.get(url))
    with replay_paused():
        make_pupil(demo.acorn)  # committed on the primary, not yet on the replica
        with queries_on_each() as q:
            response = governor.get(url)
        assert response.status_code == 200
        assert _roll(response) == before  # the replica's figures: it has not replayed the new pupil
        replica_sql = " ".join(query["sql"] for query in q["replica"].captured_queries)
        assert "pupils_pupil" in replica_sql and "registerentry" in replica_sql
        assert not any("pupils_pupil" in query["sql"] for query in q["default"].captured_queries)
    assert _roll(governor.get(url)) == before + 1  # replayed


def test_trust_figures_and_exports_are_read_from_the_replica(replica) -> None:
    demo = replica
    lead = demo.client_for("lead@oak.test")
    for url in (
        reverse("reports:trust_dashboard"),
        reverse("reports:trust_csv", args=["schools"]),
        reverse("ehcp:deadline_csv"),
    ):
        with queries_on_each() as q:
            assert lead.get(url).status_code == 200
        assert q["replica"].captured_queries, url
    # The export's audit entry is written to the primary.
    with queries_on_each() as q:
        lead.get(reverse("reports:trust_csv", args=["needs"]))
    assert any("INSERT" in query["sql"] and "auditentry" in query["sql"] for query in q["default"].captured_queries)


def test_a_person_reads_what_they_just_saved_from_the_primary(replica, settings) -> None:
    demo = replica
    senco = demo.client_for("senco.acorn@oak.test")
    governor = demo.client_for("governor.acorn@oak.test")
    url = reverse("reports:sen_information")
    words = "Two staff trained in precision teaching."
    with replay_paused():
        response = senco.post(url, {"staff_expertise": words}, follow=True)
        assert response.redirect_chain and words in response.content.decode()  # the page after saving: primary
        with queries_on_each() as q:
            again = senco.get(url)
        assert words in again.content.decode()
        assert not q["replica"].captured_queries  # pinned to the primary for a few seconds after the post
        # Someone else reads the replica, which has not replayed the draft yet.
        with queries_on_each() as q:
            other = governor.get(url)
        assert words not in other.content.decode() and q["replica"].captured_queries
        # Once the window has passed the person's reads go back to the replica.
        with time_machine.travel(time.time() + settings.DATABASE_REPLICA_PIN_SECONDS + 1, tick=True):
            assert words not in senco.get(url).content.decode()
    with scope(trust=demo.oak.pk):
        assert SenInformationReport.objects.get().staff_expertise == words
    assert words in governor.get(url).content.decode()


def test_a_request_that_writes_reads_from_the_primary(replica, settings) -> None:
    demo = replica
    senco = demo.client_for("senco.acorn@oak.test")
    url = reverse("reports:sen_information")
    with replay_paused():
        # A POST reads from the primary throughout: it decides what to write from the primary's rows.
        with queries_on_each() as q:
            response = senco.post(url, {"staff_expertise": "Saved in this request.", "publish": "1"})
        assert response.status_code == 200 and "Saved in this request." in response.content.decode()
        assert not q["replica"].captured_queries
        # A GET under `replica_view` that writes: its reads after the write come from the primary.
        settings.ROOT_URLCONF = "tests.replica_urls"
        make_pupil(demo.acorn)  # on the primary only while replay is paused
        counts = demo.client_for("governor.acorn@oak.test").get("/__read_write_read__/").json()
        assert counts["after"] == counts["before"] + 1


def test_the_board_report_task_reads_figures_from_the_replica(replica) -> None:
    demo = replica
    with scope(trust=demo.oak.pk):
        report = BoardReport.objects.create(
            trust=demo.oak, requested_by=demo.user("trustee@oak.test"), period_start=TODAY, period_end=TODAY
        )
    with replay_paused():  # the new report row is on the primary only; the task must still find it
        with queries_on_each() as q:
            assert render_board_report(report_id=report.pk) == "done"
    with scopes_disabled():
        assert BoardReport.objects.get(pk=report.pk).status == BoardReport.Status.DONE
    assert any("registerentry" in query["sql"] for query in q["replica"].captured_queries)
    assert not any("registerentry" in query["sql"] for query in q["default"].captured_queries)


def test_row_level_security_holds_on_the_replica(replica) -> None:
    demo = replica
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
    call_command("grant_app_role", role=APP_ROLE, stdout=open("/dev/null", "w"))  # noqa: SIM115
    make_pupil(demo.acorn)
    make_pupil(demo.willow)
    caught_up()
    governor = demo.client_for("governor.acorn@oak.test")
    url = reverse("reports:school_dashboard")
    roll = _roll(governor.get(url))  # read as the superuser the tests connect as, whom no policy restricts
    assert roll > 0

    def trusts_seen() -> list[int]:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT DISTINCT trust_id FROM pupils_pupil ORDER BY trust_id")
            return [row[0] for row in cursor.fetchall()]

    with connections["replica"].cursor() as cursor:
        cursor.execute(f"SET ROLE {APP_ROLE}")
    try:
        assert trusts_seen() == []  # no trust set: nothing
        with scope(trust=demo.river.pk):
            assert trusts_seen() == [demo.river.pk]
        with scope(trust=demo.oak.pk):
            assert trusts_seen() == [demo.oak.pk]
        with scopes_disabled():
            assert trusts_seen() == sorted([demo.oak.pk, demo.river.pk])
        # A governor's page served from the replica as the app role: the request's trust reached the replica
        # connection (without it the policy would hide every pupil and the roll would read 0).
        with queries_on_each() as q:
            response = governor.get(url)
        assert q["replica"].captured_queries and _roll(response) == roll
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("RESET ROLE")


def test_replication_lag_is_well_inside_the_read_your_writes_window(replica, settings, capsys) -> None:
    """Commit on the primary, then time until the same row reads back changed on the replica."""
    demo = replica
    pupil = make_pupil(demo.acorn)
    lags = []
    for n in range(30):
        with scopes_disabled():
            Pupil.objects.filter(pk=pupil.pk).update(preferred_forename=f"Lag{n}")
        committed = time.monotonic()
        _poll(
            lambda n=n: (
                _one("replica", "SELECT preferred_forename FROM pupils_pupil WHERE id = %s", [pupil.pk]) == f"Lag{n}"
            ),
            seconds=settings.DATABASE_REPLICA_PIN_SECONDS,
            what="the change to reach the replica",
        )
        lags.append((time.monotonic() - committed) * 1000)
    with capsys.disabled():
        print(
            f"\nreplication lag, commit to visible on the replica, 30 writes: median {statistics.median(lags):.1f} ms,"
            f" max {max(lags):.1f} ms"
        )
    assert max(lags) < settings.DATABASE_REPLICA_PIN_SECONDS * 1000


def test_reads_inside_a_transaction_stay_on_the_primary(replica) -> None:
    from django.db import transaction

    from trusts.replica import read_alias, reads_from_replica

    with reads_from_replica():
        assert read_alias() == "replica"
        with transaction.atomic():
            assert read_alias() == "default"
    assert read_alias() == "default"  # never by default


def test_healthz_reports_the_replica_and_its_lag(replica, settings) -> None:
    from django.test import Client

    body = Client().get("/healthz").json()
    assert body["checks"]["replica"] == "ok" and body["checks"]["replica_lag_seconds"] == 0
    settings.HEALTH_REPLICA_MAX_LAG_SECONDS = 0
    with replay_paused():
        make_pupil(replica.acorn)  # received by the replica, not applied
        _poll(
            lambda: _one("replica", "SELECT pg_last_wal_receive_lsn() > pg_last_wal_replay_lsn()"),
            seconds=10,
            what="the replica to receive the write",
        )
        response = Client().get("/healthz")
        assert response.status_code == 200
        assert response.json()["status"] == "degraded" and response.json()["checks"]["replica_lag_seconds"] > 0
