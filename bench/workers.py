"""The catch-up sweep as production runs it at national scale: beat's `sweep_deadlines` fanned out, one task per
trust, on two real `celery worker` processes on Redis (BENCH_SCALE=national; run.sh starts Redis).

Timed from sending the sweep to the last trust's task finishing (read from the workers' logs), with each worker's
share of the trusts. What the sweep did is counted in the database before and after.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from django_scopes import scopes_disabled

ROOT = Path(__file__).resolve().parents[1]
DONE = re.compile(r"Task ehcp\.tasks\.sweep_trust_deadlines\[[^\]]+\] succeeded")
FAILED = re.compile(r"Task ehcp\.tasks\.sweep_trust_deadlines\[[^\]]+\] raised")


def _tally() -> dict[str, int]:
    from ehcp.models import Deadline, PhaseTransfer
    from trusts.models import Notification

    with scopes_disabled():
        return {
            "reminders": Deadline.objects.exclude(reminder_offset_sent=None).count(),
            "missed": Deadline.objects.filter(status=Deadline.Status.MISSED).count(),
            "phase_transfers": PhaseTransfer.objects.count(),
            "notifications": Notification.objects.count(),
        }


def sweep_on_workers(ctx: dict[str, Any], workers: int = 2, timeout: float = 900) -> None:
    """Run the fanned-out catch-up sweep on `workers` real workers; put what it did and how the trusts were
    shared into ctx ("first_sweep", "sweep_workers")."""
    from ehcp.tasks import sweep_deadlines
    from trusts.models import Trust

    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis"):
        raise SystemExit("BENCH_SCALE=national measures the sweep on Redis: set CELERY_BROKER_URL (run.sh does).")
    with scopes_disabled():
        trusts = Trust.objects.count()
    queue = f"bench-sweep-{os.getpid()}"
    logs = [Path(tempfile.mkstemp(prefix=f"bench-worker{n}-", suffix=".log")[1]) for n in range(workers)]
    env = {**os.environ, "CELERY_EMAIL_QUEUE": f"{queue}-email"}  # emails wait there: not what is timed
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO",
             f"--hostname=bench{n}-{os.getpid()}@%h"],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for n, log in enumerate(logs)
    ]  # fmt: skip
    try:
        _wait(lambda: all(" ready." in log.read_text() for log in logs), 120, "the workers to start", logs)
        before = _tally()
        started = time.perf_counter()
        sweep_deadlines.apply_async(queue=queue)
        _wait(lambda: sum(len(DONE.findall(log.read_text())) for log in logs) >= trusts, timeout, "the sweep", logs)
        elapsed = time.perf_counter() - started
        after = _tally()
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    shares = [len(DONE.findall(log.read_text())) for log in logs]
    failed = sum(len(FAILED.findall(log.read_text())) for log in logs)
    ctx["first_sweep"] = {k: after[k] - before[k] for k in after}
    ctx["sweep_seconds"] = elapsed
    ctx["sweep_workers"] = (
        f"The catch-up sweep ran on {workers} Celery workers (solo pool) on Redis, one task per trust: "
        f"{trusts} trusts in {elapsed:.1f} s, the workers taking {' and '.join(map(str, shares))} trusts"
        + (f" ({failed} trust tasks failed: see the logs)" if failed else "")
        + "."
    )
    for log in logs:
        log.unlink()


def _wait(condition: Any, seconds: float, what: str, logs: list[Path]) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    tail = "\n".join(log.read_text()[-2000:] for log in logs)
    raise SystemExit(f"Timed out waiting for {what}\n{tail}")
