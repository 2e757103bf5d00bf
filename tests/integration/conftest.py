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


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if REDIS_URL or os.environ.get("CI") == "true":
        return  # CI must run these: a missing REDIS_URL fails there
    skip = pytest.mark.skip(reason="set REDIS_URL=redis://127.0.0.1:6379/0 to run the real-worker tests")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


def database_url() -> str:
    from django.db import connection

    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db: Any, tmp_path: Path, settings: Any) -> Iterator[dict[str, Any]]:
    """Start `celery worker` in a subprocess on Redis; point this process's Celery app at the same broker."""
    assert REDIS_URL, "REDIS_URL must be set (CI starts Redis)"
    from config.celery import app

    queue = f"test-{os.getpid()}-{time.time_ns()}"
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "EMAIL_FILE_PATH": str(mail_dir),
        "DJANGO_ENV": "development",
    }
    env.pop("EMAIL_URL", None)
    old_broker, old_queue = app.conf.broker_url, app.conf.task_default_queue
    app.conf.broker_url = REDIS_URL
    app.conf.task_default_queue = queue
    _reset_pool(app)
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115
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
            queue,
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield {"mail_dir": mail_dir, "log": tmp_path / "worker.log", "queue": queue}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        app.conf.broker_url, app.conf.task_default_queue = old_broker, old_queue
        _reset_pool(app)


def _reset_pool(app: Any) -> None:
    """Forget connections made with the previous broker URL."""
    import kombu.pools

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
