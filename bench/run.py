"""Measure the key pages, the deadline sweep, a 1,000-row import and the PDFs on a `seed_scale` database.

Server time through Django's test client (median and 95th percentile after warm-up) and SQL query count.
Writes bench/results/report.md and report.json and prints the table. Budgets are reported, not asserted:
timing assertions do not belong in tests.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from trusts.mfa import SSO_MFA_SESSION_KEY  # noqa: E402
from trusts.models import User  # noqa: E402

REPEATS = int(os.environ.get("BENCH_REPEATS", "30"))
WARMUP = 3
SCALE_TRUST = "Scale Academies Trust"
# BENCH_SCALE=national: the database holds 200 trusts (`seed_scale --trusts 200`); the pages are those of the
# 50-school trust among them, the sweep runs fanned out on two real Celery workers (bench/workers.py), and the
# report goes to bench/results/national.md beside the query counts measured at 50,000 pupils (counts.json).
SCALE = os.environ.get("BENCH_SCALE", "trust")


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int | None
    budget_ms: float
    budget_queries: int | None
    note: str = ""
    sql_ms: float | None = None  # median SQL time of one call (a connection execute_wrapper)
    sql_share: float | None = None  # SQL time / page time over all the timed calls
    queries_small: int | None = None  # the same page's count with only the 50,000-pupil trust in the database

    @property
    def ok(self) -> bool:
        within_time = self.p95_ms <= self.budget_ms
        within_queries = self.budget_queries is None or (self.queries or 0) <= self.budget_queries
        return within_time and within_queries


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


class SqlClock:
    """Time spent in the database driver (each query's execute, fetches included for server-side work)."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start


def time_calls(
    fn: Callable[[], Any], repeats: int = REPEATS, warmup: int = WARMUP, before: Callable[[], Any] | None = None
) -> tuple[list[float], int | None, list[float]]:
    """Times (ms) of `repeats` calls after `warmup`, the query count of one call, and each timed call's SQL ms.
    `before` runs ahead of every call, untimed (the cold dashboard empties the cache there)."""
    for _ in range(warmup):
        before and before()
        fn()
    before and before()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    # Django keeps the last 9,000 queries only: beyond that the count is not known exactly.
    queries = len(ctx.captured_queries) if len(ctx.captured_queries) < 9000 else None
    times, sql = [], []
    for _ in range(repeats):
        before and before()
        clock = SqlClock()
        with connection.execute_wrapper(clock):
            start = time.perf_counter()
            fn()
            times.append((time.perf_counter() - start) * 1000)
        sql.append(clock.seconds * 1000)
    return times, queries, sql


def page(
    name: str,
    email: str,
    url: str,
    budget_ms: float = 150,
    budget_queries: int = 20,
    cold: bool = False,
    repeats: int = REPEATS,
) -> Result:
    client = Client()
    with scopes_disabled():
        user = User.objects.get(email=email)
        client.force_login(user)
    # As in production, where every member of staff has passed the second factor at sign-in (here as a
    # trust's single sign-on whose MFA is accepted): no page pays the "must this person set up MFA?" lookup.
    session = client.session
    session[SSO_MFA_SESSION_KEY] = str(user.pk)
    session.save()

    def get() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {url} answered {response.status_code}")

    from django.core.cache import cache

    times, queries, sql = time_calls(get, repeats=repeats, before=cache.clear if cold else None)
    return Result(
        name,
        statistics.median(times),
        p95(times),
        queries,
        budget_ms,
        budget_queries,
        url,
        sql_ms=statistics.median(sql),
        sql_share=sum(sql) / sum(times),
    )


def once(name: str, fn: Callable[[], Any], budget_ms: float, repeats: int = 3, note: str = "") -> Result:
    times, _, _ = time_calls(fn, repeats=repeats, warmup=1)
    # Jobs run thousands of queries in bulk; their count is not a budget (pages' counts are).
    return Result(name, statistics.median(times), max(times), None, budget_ms, None, note)


def first_run(name: str, fn: Callable[[], Any], budget_ms: float, note: str = "") -> Result:
    """A job whose first run does the work and whose later runs find it done (the sweep is idempotent):
    timed once, with no warm-up."""
    start = time.perf_counter()
    fn()
    elapsed = (time.perf_counter() - start) * 1000
    return Result(name, elapsed, elapsed, None, budget_ms, None, note)


def main() -> None:
    from bench import scenarios

    if connection.vendor != "postgresql":
        raise SystemExit("Run the benchmark on PostgreSQL (make bench starts one).")
    ctx = scenarios.context()
    gc.freeze()  # as config/wsgi.py does once a worker has loaded the project
    if "--counts-only" in sys.argv:
        write_counts(scenarios.PAGES(ctx), ctx)
        return
    small = _counts_at_small_size() if SCALE == "national" else {}
    results: list[Result] = []
    for spec in scenarios.PAGES(ctx):
        results.append(page(**spec))
        results[-1].queries_small = small.get(spec["name"])
        print(f"  measured {results[-1].name}", flush=True)
    # After the pages (its thousands of writes would leave autovacuum busy while they are timed), before
    # the repeat sweep (which would otherwise do this work in its warm-up).
    for name, fn, budget, note in scenarios.FIRST_RUNS(ctx):
        results.append(first_run(name, fn, budget, note=note))
        if "sweep_seconds" in ctx:  # on the workers: from sending the sweep to its last trust (not their start)
            results[-1].median_ms = results[-1].p95_ms = ctx.pop("sweep_seconds") * 1000
        print(f"  measured {name}", flush=True)
    for name, fn, budget, note in scenarios.JOBS(ctx):
        results.append(once(name, fn, budget, note=note))
        print(f"  measured {name}", flush=True)
    write_report(results, ctx)


COUNTS = ROOT / "bench" / "results" / "counts.json"


def write_counts(specs: list[dict[str, Any]], ctx: dict[str, Any]) -> None:
    """`run.py --counts-only`: each page's query count on this database (run.sh does it at 50,000 pupils,
    before the other 199 trusts are seeded), for the national report to set beside its own."""
    counts = {}
    for spec in specs:
        counts[spec["name"]] = page(**spec, repeats=1).queries
    COUNTS.parent.mkdir(parents=True, exist_ok=True)
    COUNTS.write_text(json.dumps({"data": ctx["summary"], "queries": counts}, indent=2))
    print(f"Query counts at {ctx['summary']} written to {COUNTS}")


def _counts_at_small_size() -> dict[str, int]:
    if not COUNTS.exists():
        return {}
    return json.loads(COUNTS.read_text())["queries"]


def write_report(results: list[Result], ctx: dict[str, Any]) -> None:
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL"
    national = SCALE == "national"
    lines = [
        "| measure | median ms | p95 ms | queries"
        + (" | queries at 50,000 pupils" if national else "")
        + " | SQL ms | SQL share | budget | within |",
        "|---|---:|---:|---:|" + ("---:|" if national else "") + "---:|---:|---|---|",
    ]
    for r in results:
        budget = f"p95 ≤ {r.budget_ms:g} ms" + (f", ≤ {r.budget_queries} queries" if r.budget_queries else "")
        small = (f" {r.queries_small} |" if r.queries_small is not None else " |") if national else ""
        sql = f"{r.sql_ms:.1f} | {100 * r.sql_share:.0f}%" if r.sql_ms is not None and r.sql_share else " | "
        lines.append(
            f"| {r.name} | {r.median_ms:.1f} | {r.p95_ms:.1f} | {r.queries if r.queries is not None else ''} |{small}"
            f" {sql} | {budget} | {'yes' if r.ok else '**no**'} |"
        )
    header = f"Data: {ctx['summary']}. Machine: {machine}. Repeats: {REPEATS} after {WARMUP} warm-up requests."
    if "first_sweep" in ctx:
        s = ctx["first_sweep"]
        header += (
            f" The first sweep sent {s['reminders']:,} reminders, marked {s['missed']:,} deadlines missed, opened"
            f" {s['phase_transfers']:,} phase transfers and created {s['notifications']:,} notifications."
        )
    if national and "sweep_workers" in ctx:
        header += f" {ctx['sweep_workers']}"
    stem = "national" if national else "report"
    (out / f"{stem}.md").write_text(header + "\n\n" + "\n".join(lines) + "\n")
    (out / f"{stem}.json").write_text(
        json.dumps(
            {"data": ctx["summary"], "machine": machine, "results": [asdict(r) | {"ok": r.ok} for r in results]},
            indent=2,
        )
    )
    print(header)
    print("\n".join(lines))
    print(f"\nWritten to {out / stem}.md and {stem}.json (DEBUG={settings.DEBUG}).")


if __name__ == "__main__":
    main()
