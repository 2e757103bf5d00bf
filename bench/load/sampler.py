"""Once a second while locust runs: CPU of gunicorn, PostgreSQL and locust (in cores, from /proc), the CPU the
whole machine used (other work included), and the database's connections, active queries and lock waits
(pg_stat_activity).

    python bench/load/sampler.py --pg-url postgres://postgres@127.0.0.1:55434/postgres --db sendload \
        --gunicorn-pgid 123 --locust-pgid 456 --out samples.csv     (until SIGTERM)

gunicorn and locust are found by their process group (run.sh starts each with setsid); PostgreSQL by the
postmaster, the parent of this sampler's own backend, and every process under it.
"""

from __future__ import annotations

import argparse
import csv
import os
import signal
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, int, int] | None:
    """(parent pid, process group, CPU ticks used) of a live process, or None once it has gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), int(fields[2]), int(fields[11]) + int(fields[12])


def _processes() -> dict[int, tuple[int, int, int]]:
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            found[int(entry)] = stat
    return found


def _machine() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _descendants(root: int, procs: dict[int, tuple[int, int, int]]) -> set[int]:
    found = {root}
    grew = True
    while grew:
        more = {pid for pid, (ppid, _, _) in procs.items() if ppid in found and pid not in found}
        found |= more
        grew = bool(more)
    return found & procs.keys()


def main(argv: list[str] | None = None) -> int:
    import psycopg

    from bench.load.summary import SAMPLE_COLUMNS

    parser = argparse.ArgumentParser(description="Sample CPU and database activity while locust runs.")
    parser.add_argument("--pg-url", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--gunicorn-pgid", type=int, required=True)
    parser.add_argument("--locust-pgid", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    conn = psycopg.connect(args.pg_url, autocommit=True)
    backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
    postmaster = (_stat(backend) or (backend, 0, 0))[0]
    query = (
        "SELECT count(*) FILTER (WHERE datname = %(db)s), count(*) FILTER (WHERE datname = %(db)s AND state = "
        "'active'), count(*) FILTER (WHERE wait_event_type = 'Lock') FROM pg_stat_activity "
        "WHERE pid <> pg_backend_pid()"
    )

    def groups(procs: dict[int, tuple[int, int, int]]) -> dict[str, set[int]]:
        return {
            "gunicorn": {p for p, (_, g, _) in procs.items() if g == args.gunicorn_pgid},
            "locust": {p for p, (_, g, _) in procs.items() if g == args.locust_pgid},
            "postgres": _descendants(postmaster, procs),
        }

    with args.out.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(SAMPLE_COLUMNS)
        before, machine_before, t_before = _processes(), _machine(), time.monotonic()
        while not stop["now"]:
            time.sleep(1.0)
            now, machine_now, t_now = _processes(), _machine(), time.monotonic()
            elapsed = t_now - t_before
            cores = {}
            for name, pids in groups(now).items():
                # A process new since the last sample spent all its ticks inside this second.
                ticks = sum(now[p][2] - (before[p][2] if p in before else 0) for p in pids)
                cores[name] = round(ticks / TICK / elapsed, 2)
            busy = machine_now[0] - machine_before[0]
            total = machine_now[1] - machine_before[1]
            connections, active, locks = conn.execute(query, {"db": args.db}).fetchone()  # type: ignore[misc]
            out.writerow(
                [
                    f"{time.time():.3f}",
                    cores["gunicorn"],
                    cores["postgres"],
                    cores["locust"],
                    round(busy / total * (os.cpu_count() or 1), 2) if total else 0,
                    connections,
                    active,
                    locks,
                ]
            )
            f.flush()
            before, machine_before, t_before = now, machine_now, t_now
    return 0


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
