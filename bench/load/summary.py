"""One row per load step from what locust and the sampler wrote, then the Markdown table, the JSON and the SVG.

    python bench/load/summary.py --run sync=DIR --run gthread=DIR --out bench/results

Each DIR holds requests.csv and steps.csv (bench/load/locustfile.py), samples.csv (bench/load/sampler.py) and
server.txt (the gunicorn command). A step's figures are its pages once every sign-in of the step is done and
SETTLE seconds more have passed (a person signs in once a day, not every 35 seconds: the burst of sign-ins as
a step adds people is reported apart, as sign-ins and their p95). Errors count every failed request of the
step, sign-ins included. No Django here: locust imports this module for its stop rule, and a test feeds it a
known CSV.
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import statistics
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REQUEST_COLUMNS = ["t", "step", "name", "ms", "ok"]
STEP_COLUMNS = ["step", "users", "start", "end"]
SAMPLE_COLUMNS = [
    "t",
    "gunicorn_cores",
    "postgres_cores",
    "locust_cores",
    "machine_cores",
    "connections",
    "active",
    "lock_waits",
]
SIGN_IN = "sign in"


@dataclass(frozen=True)
class Request:
    t: float  # when it finished (Unix time)
    step: int
    name: str
    ms: float
    ok: bool


@dataclass(frozen=True)
class Step:
    step: int
    users: int
    start: float
    end: float


def p95(values: list[float]) -> float:
    """Nearest rank, as bench/run.py: the value 95% of the requests are at or under."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def read_requests(path: Path) -> list[Request]:
    with path.open(newline="") as f:
        return [
            Request(t=float(r["t"]), step=int(r["step"]), name=r["name"], ms=float(r["ms"]), ok=r["ok"] == "1")
            for r in csv.DictReader(f)
        ]


def read_steps(path: Path) -> list[Step]:
    with path.open(newline="") as f:
        return [
            Step(step=int(r["step"]), users=int(r["users"]), start=float(r["start"]), end=float(r["end"]))
            for r in csv.DictReader(f)
        ]


def read_samples(path: Path) -> list[dict[str, float]]:
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return [{k: float(v) for k, v in r.items()} for r in csv.DictReader(f)]


def measured(requests: list[Request], *, start: float, end: float, settle: float) -> tuple[list[Request], float]:
    """A step's pages once its sign-ins are over and `settle` seconds more have passed, and that window's
    length in seconds."""
    window_start = max([start, *(r.t for r in requests if r.name.startswith(SIGN_IN))]) + settle
    pages = [r for r in requests if not r.name.startswith(SIGN_IN) and window_start <= r.t <= end]
    return pages, max(0.0, end - window_start)


def summarise_step(requests: list[Request], *, start: float, end: float, settle: float) -> dict[str, Any]:
    """The figures of one step: pages in its measured window, sign-ins, and every error of the step."""
    sign_ins = [r for r in requests if r.name.startswith(SIGN_IN)]
    pages, window = measured(requests, start=start, end=end, settle=settle)
    passwords = [r.ms for r in sign_ins if r.name == f"{SIGN_IN}: password"]
    times = [r.ms for r in pages]
    return {
        "window_s": round(window, 1),
        "requests": len(pages),
        "rps": round(len(pages) / window, 2) if window else 0.0,
        "median_ms": round(statistics.median(times), 1) if times else None,
        "p95_ms": round(p95(times), 1) if times else None,
        "errors": sum(1 for r in requests if not r.ok),
        "sign_ins": len(passwords),
        "sign_in_p95_ms": round(p95(passwords), 1) if passwords else None,
    }


def within_budget(row: dict[str, Any], p95_ms: float) -> bool:
    """No error, and pages measured with p95 at or under the budget (no page measured: the step's sign-ins
    took all of it, which is saturation too)."""
    return row["errors"] == 0 and row["p95_ms"] is not None and row["p95_ms"] <= p95_ms


def describe(row: dict[str, Any]) -> str:
    return (
        f"{row['rps']} req/s, median {row['median_ms']} ms, p95 {row['p95_ms']} ms, {row['errors']} errors, "
        f"{row['sign_ins']} sign-ins (p95 {row['sign_in_p95_ms']} ms)"
    )


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def summarise_run(
    requests: list[Request], steps: list[Step], samples: list[dict[str, float]], *, settle: float
) -> list[dict[str, Any]]:
    """One row per step: users, the step's figures, and the sampler's means (CPU in cores) and maxima
    (database connections, lock waits) over the step's measured window."""
    rows = []
    for s in steps:
        mine = [r for r in requests if r.step == s.step]
        row: dict[str, Any] = {"users": s.users, **summarise_step(mine, start=s.start, end=s.end, settle=settle)}
        window_start = s.end - row["window_s"]
        inside = [x for x in samples if window_start <= x["t"] <= s.end] or [
            x for x in samples if s.start <= x["t"] <= s.end
        ]
        for key in ("gunicorn_cores", "postgres_cores", "locust_cores", "machine_cores"):
            row[key] = _mean([x[key] for x in inside])
        ours = [row[k] for k in ("gunicorn_cores", "postgres_cores", "locust_cores")]
        machine = row["machine_cores"]
        row["other_cores"] = None if machine is None else round(max(0.0, machine - sum(v or 0 for v in ours)), 2)
        for key in ("connections", "active", "lock_waits"):
            row[key] = int(max((x[key] for x in inside), default=0))
        rows.append(row)
    return rows


def pages(requests: list[Request], steps: list[Step], *, settle: float) -> list[dict[str, Any]]:
    """Each page (and sign-in request) over the whole run: pages in the measured windows, sign-ins wherever
    they fell. Says which page slows first."""
    by_name: dict[str, list[Request]] = {}
    for s in steps:
        mine = [r for r in requests if r.step == s.step]
        window, _ = measured(mine, start=s.start, end=s.end, settle=settle)
        for r in window + [r for r in mine if r.name.startswith(SIGN_IN)]:
            by_name.setdefault(r.name, []).append(r)
    return [
        {
            "name": name,
            "requests": len(rs),
            "median_ms": round(statistics.median([r.ms for r in rs]), 1),
            "p95_ms": round(p95([r.ms for r in rs]), 1),
            "errors": sum(1 for r in rs if not r.ok),
        }
        for name, rs in sorted(by_name.items())
    ]


def held(rows: list[dict[str, Any]], p95_ms: float) -> dict[str, Any] | None:
    """The last step before the first one over budget: the most users the server held."""
    best = None
    for row in rows:
        if not within_budget(row, p95_ms):
            break
        best = row
    return best


def cpu_cost(rows: list[dict[str, Any]], cpus: int) -> dict[str, Any]:
    """What a page costs in CPU (gunicorn and PostgreSQL, over every measured window) and the ceiling that
    puts on this machine: both CPUs for the web tier and the database alone give cpus / cost requests a
    second, or that over the requests a person makes a second. An upper bound from the measured cost (at
    100% CPU the queue, not the budget, sets the p95), not a measurement: it says what the shared machine's
    other work hid."""
    measured = [r for r in rows if r["requests"] and r["gunicorn_cores"] is not None]
    requests = sum(r["requests"] for r in measured)
    if not requests:
        return {"cpu_ms_per_request": None, "ceiling_rps": None, "ceiling_users": None}
    cpu_s = sum(((r["gunicorn_cores"] or 0) + (r["postgres_cores"] or 0)) * r["window_s"] for r in measured)
    per_user = requests / sum(r["users"] * r["window_s"] for r in measured)
    cost_ms = 1000 * cpu_s / requests
    ceiling = cpus * 1000 / cost_ms if cost_ms else None
    return {
        "cpu_ms_per_request": round(cost_ms, 1),
        "requests_per_user_s": round(per_user, 3),
        "ceiling_rps": round(ceiling, 1) if ceiling else None,
        "ceiling_users": int(ceiling / per_user) if ceiling else None,
    }


def results(runs: dict[str, Path], *, settle: float, p95_ms: float, data: str = "") -> dict[str, Any]:
    configs = []
    for name, folder in runs.items():
        requests, steps = read_requests(folder / "requests.csv"), read_steps(folder / "steps.csv")
        rows = summarise_run(requests, steps, read_samples(folder / "samples.csv"), settle=settle)
        server = (folder / "server.txt").read_text().strip() if (folder / "server.txt").exists() else ""
        top = held(rows, p95_ms)
        saturated = next((r["users"] for r in rows if not within_budget(r, p95_ms)), None)
        configs.append(
            {
                "name": name,
                "server": server,
                "held_users": top["users"] if top else 0,
                "held_rps": top["rps"] if top else 0.0,
                "saturated_at_users": saturated,
                **cpu_cost(rows, _cpus()),
                "rows": rows,
                "pages": pages(requests, steps, settle=settle),
            }
        )
    best = max(configs, key=lambda c: (c["held_users"], c["held_rps"]))["name"] if configs else None
    return {
        "generated": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": f"{platform.machine()}, {_cpus()} CPUs, Python {platform.python_version()}",
        "data": data,
        "budget": {"p95_ms": p95_ms, "errors": 0},
        "settle_s": settle,
        "best": best,
        "configs": configs,
    }


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _cell(value: Any) -> str:
    return "–" if value is None else f"{value:,}" if isinstance(value, int) else str(value)


def markdown(data: dict[str, Any]) -> str:
    lines = [
        f"Load test ({data['generated']}, {data['machine']}{', ' + data['data'] if data.get('data') else ''}): "
        f"budget p95 ≤ {data['budget']['p95_ms']:g} ms and no errors. Best: **{data['best']}**.",
        "",
    ]
    for c in data["configs"]:
        over = f"; over budget at {c['saturated_at_users']} users" if c["saturated_at_users"] else ""
        lines += [
            f"**{c['name']}** (`{c['server']}`): held **{c['held_users']} users** at {c['held_rps']} requests/s{over}.",
            "",
        ]
        if c.get("cpu_ms_per_request"):
            lines += [
                f"A page cost {c['cpu_ms_per_request']} ms of CPU (gunicorn and PostgreSQL); a person asked for "
                f"{c['requests_per_user_s']} pages a second. With both CPUs free for them the ceiling would be "
                f"about {c['ceiling_rps']} requests/s, {c['ceiling_users']} people of this mix (an upper bound "
                "from the measured cost, not a measurement).",
                "",
            ]
        lines += [
            "| Users | Requests/s | Median ms | p95 ms | Errors | Sign-ins (p95 ms) | gunicorn CPU | PostgreSQL CPU "
            "| locust CPU | Other work CPU | DB connections (active) | Lock waits |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in c["rows"]:
            lines.append(
                f"| {r['users']} | {r['rps']} | {_cell(r['median_ms'])} | {_cell(r['p95_ms'])} | {r['errors']} "
                f"| {r['sign_ins']} ({_cell(r['sign_in_p95_ms'])}) | {_cell(r['gunicorn_cores'])} "
                f"| {_cell(r['postgres_cores'])} | {_cell(r['locust_cores'])} | {_cell(r['other_cores'])} "
                f"| {r['connections']} ({r['active']}) | {r['lock_waits']} |"
            )
        lines += ["", f"Each page over the {c['name']} run:", "", "| Page | Requests | Median ms | p95 ms | Errors |"]
        lines.append("|---|---:|---:|---:|---:|")
        lines += [
            f"| {p['name']} | {p['requests']} | {p['median_ms']} | {p['p95_ms']} | {p['errors']} |" for p in c["pages"]
        ]
        lines.append("")
    lines.append(
        "CPU in cores, means over each step's measured window (2 = both cores of this machine busy); other work is "
        "what the machine used beyond gunicorn, PostgreSQL and locust. Connections and lock waits are the step's "
        "maxima in pg_stat_activity."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from bench.load.chart import svg

    parser = argparse.ArgumentParser(description="Summarise a make load run.")
    parser.add_argument("--run", action="append", required=True, help="name=folder, once per server setting")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--settle", type=float, default=5.0)
    parser.add_argument("--p95", type=float, default=300.0)
    parser.add_argument("--data", default="", help="what was seeded, for the report")
    args = parser.parse_args(argv)
    runs = {name: Path(folder) for name, folder in (r.split("=", 1) for r in args.run)}
    data = results(runs, settle=args.settle, p95_ms=args.p95, data=args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "load.json").write_text(json.dumps(data, indent=2) + "\n")
    (args.out / "load.md").write_text(markdown(data))
    (args.out / "load.svg").write_text(svg(data))
    print(markdown(data))
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
