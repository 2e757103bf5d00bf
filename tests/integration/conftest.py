"""A real Celery worker on a real Redis, sharing the test database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")


REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if os.environ.get("CI") == "true":
        return  # CI must run these: a missing REDIS_URL or DATABASE_REPLICA_URL fails there
    skip = pytest.mark.skip(reason="set REDIS_URL=redis://127.0.0.1:6379/0 to run the real-worker tests")
    skip_replica = pytest.mark.skip(
        reason="set DATABASE_REPLICA_URL to a streaming replica of DATABASE_URL to run the replica tests "
        "(docs/read-replica.md)"
    )
    for item in items:
        if item.get_closest_marker("replica") is not None:
            if not REPLICA_URL:
                item.add_marker(skip_replica)
        elif "integration" in item.keywords and not REDIS_URL:
            item.add_marker(skip)


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


class Workers:
    """Start (and kill) real `celery worker` processes on Redis, all consuming this test's queues."""

    def __init__(self, tmp_path: Path, settings: Any) -> None:
        from config.celery import app

        self.app = app
        self.tmp_path = tmp_path
        self.queue = f"test-{os.getpid()}-{time.time_ns()}"
        self.mail_dir = tmp_path / "mail"
        self.log = tmp_path / "worker.log"
        self.procs: list[subprocess.Popen[bytes]] = []
        self._files: list[Any] = []
        self.old = (app.conf.broker_url, app.conf.task_default_queue, app.conf.task_routes)
        app.conf.broker_url = REDIS_URL
        app.conf.task_default_queue = self.queue
        app.conf.task_routes = {name: {"queue": f"{self.queue}-email"} for name in settings.CELERY_TASK_ROUTES}
        _reset_pool(app)

    def start(self, **extra_env: str) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "DJANGO_ENV": "development",
            "CELERY_EMAIL_QUEUE": f"{self.queue}-email",
        }
        env.pop("EMAIL_URL", None)
        # The worker is not a test process: its replica alias would name the real database, not the test one.
        env.pop("DATABASE_REPLICA_URL", None)
        env.update(extra_env)
        log = open(self.log, "a")  # noqa: SIM115
        self._files.append(log)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "-Q",
                f"{self.queue},{self.queue}-email",
                "--loglevel=INFO",
                f"--hostname=test{len(self.procs)}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for f in self._files:
            f.close()
        self.app.conf.broker_url, self.app.conf.task_default_queue, self.app.conf.task_routes = self.old
        _reset_pool(self.app)


@pytest.fixture
def celery_workers(transactional_db: Any, tmp_path: Path, settings: Any) -> Iterator[Workers]:
    assert REDIS_URL, "REDIS_URL must be set (CI starts Redis)"
    workers = Workers(tmp_path, settings)
    try:
        yield workers
    finally:
        workers.stop()


@pytest.fixture
def celery_worker_process(celery_workers: Workers) -> dict[str, Any]:
    """Start `celery worker` in a subprocess on Redis; point this process's Celery app at the same broker."""
    celery_workers.start()
    return {"mail_dir": celery_workers.mail_dir, "log": celery_workers.log, "queue": celery_workers.queue}


def _reset_pool(app: Any) -> None:
    """Forget connections made with the previous broker URL, and routes made for the previous queues."""
    import kombu.pools

    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)  # a cached_property holding the old routes

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


def wait_for(condition: Any, *, seconds: float = 60, what: str = "condition", log: Path | None = None) -> None:
    """Poll an external process's effect, bounded in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    detail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")
