"""DATABASE_REPLICA_URL: with it, a replica alias, the router and the read-your-writes middleware; without it,
nothing changes. The replica itself is tested in tests/integration/test_read_replica.py."""

from __future__ import annotations

import json

from tests.test_settings import run_manage
from trusts.replica import read_alias, reads_from_replica

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({'aliases': sorted(s.DATABASES), "
    "'routers': s.DATABASE_ROUTERS, 'mirror': s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'), "
    "'reads': s.DATABASE_REPLICA_READS, "
    "'middleware': 'trusts.replica.ReadYourWritesMiddleware' in s.MIDDLEWARE}))"
)
PRIMARY = "postgres://send@127.0.0.1:5432/send"
REPLICA = "postgres://send@127.0.0.1:5433/send"


def _settings(**env: str) -> dict[str, object]:
    result = run_manage(env, "shell", "-c", SHOW)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_a_replica_url_nothing_changes() -> None:
    shown = _settings(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL="")
    assert shown == {"aliases": ["default"], "routers": [], "mirror": None, "reads": False, "middleware": False}


def test_a_replica_url_adds_the_alias_router_and_middleware() -> None:
    shown = _settings(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA)
    assert shown == {
        "aliases": ["default", "replica"],
        "routers": ["trusts.replica.ReplicaRouter"],
        "mirror": "default",  # tests read the test database through the replica
        "reads": True,
        "middleware": True,
    }
    assert (
        _settings(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=REPLICA, DATABASE_REPLICA_READS="false")["reads"] is False
    )


def test_a_replica_of_another_engine_is_refused() -> None:
    result = run_manage({"DATABASE_URL": "sqlite:////tmp/x.sqlite3", "DATABASE_REPLICA_URL": REPLICA}, "check")
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL must be a replica of DATABASE_URL" in result.stderr


def test_reads_stay_on_the_primary_without_a_replica_or_with_replica_reads_off() -> None:
    # Without DATABASE_REPLICA_URL there is no replica alias; with it (CI), tests not marked `replica` run with
    # DATABASE_REPLICA_READS off (tests/conftest.py).
    with reads_from_replica():
        assert read_alias() == "default"
