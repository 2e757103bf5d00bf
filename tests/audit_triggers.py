"""Tests only: a transactional test empties the database when it ends (`flush`: DELETE on SQLite, TRUNCATE
on PostgreSQL), which the audit trail's triggers rightly refuse. For that teardown alone the triggers are
switched off and put back; the product never does this."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

_TRIGGERS = importlib.import_module("trusts.migrations.0006_audit_triggers_everywhere")
TABLES = _TRIGGERS.TABLES


@contextmanager
def audit_triggers_off() -> Iterator[None]:
    touched = []
    for alias in connections:
        connection = connections[alias]
        if connection.settings_dict["TEST"].get("MIRROR"):
            continue  # the read replica (trusts.replica) replays what the primary does, and is read-only
        tables = set(connection.introspection.table_names())
        if not set(TABLES) <= tables:
            continue
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for table in TABLES:
                    for event in ("update", "delete"):
                        cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
            elif connection.vendor == "postgresql":
                for table in TABLES:
                    cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        touched.append(connection)
    try:
        yield
    finally:
        for connection in touched:
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    for table in TABLES:
                        for event in ("UPDATE", "DELETE"):
                            cursor.execute(_TRIGGERS._sqlite(table, event))
                else:
                    for table in TABLES:
                        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
