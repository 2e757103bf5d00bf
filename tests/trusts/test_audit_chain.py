"""An audit trail that cannot be rewritten: append-only in every Django path and in the database (SQLite
and PostgreSQL), and a hash chain that `verify_audit` checks, failing after tampering outside the app."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django_scopes import scope, scopes_disabled

from trusts import audit
from trusts.audit_chain import seal, verify
from trusts.models import AuditEntry, AuditSeal
from trusts.tasks import seal_audit_trails

pytestmark = pytest.mark.django_db


def _entries(demo, n: int = 5) -> list[AuditEntry]:
    with scope(trust=demo.oak.pk):
        return [
            audit.record(actor=demo.user("senco.acorn@oak.test"), action="view", obj=demo.acorn, summary=f"v{i}")
            for i in range(n)
        ]


def _raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _outside_the_app(sql: str, params: list | None = None) -> None:
    """What someone with direct database access could do: switch the protection off, then change rows."""
    if connection.vendor == "sqlite":
        for table in ("trusts_auditentry", "trusts_auditseal"):
            for event in ("update", "delete"):
                _raw(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
        _raw(sql, params)
    else:
        _raw("SET CONSTRAINTS ALL IMMEDIATE")  # run the deferred FK checks now, so the table can be altered
        _raw("ALTER TABLE trusts_auditentry DISABLE TRIGGER USER")
        _raw("ALTER TABLE trusts_auditseal DISABLE TRIGGER USER")
        _raw(sql, params)
        _raw("ALTER TABLE trusts_auditentry ENABLE TRIGGER USER")
        _raw("ALTER TABLE trusts_auditseal ENABLE TRIGGER USER")


def test_no_django_path_changes_an_entry(demo) -> None:
    (entry,) = _entries(demo, 1)
    with scope(trust=demo.oak.pk):
        for attempt in (
            lambda: AuditEntry._base_manager.filter(pk=entry.pk).update(summary="x"),
            lambda: AuditEntry.objects.filter(pk=entry.pk)._raw_delete(connection.alias),
            lambda: AuditEntry.objects.bulk_update([entry], ["summary"]),
            lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        ):
            with pytest.raises(PermissionError):
                attempt()
        assert AuditEntry.objects.get(pk=entry.pk).summary == "v0"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE trusts_auditentry SET summary = 'edited' WHERE id = %s",
        "DELETE FROM trusts_auditentry WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_changes(demo, sql) -> None:
    (entry,) = _entries(demo, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        _raw(sql, [entry.pk])
    with scope(trust=demo.oak.pk):
        seal(trust_id=demo.oak.pk)
        with pytest.raises(DatabaseError), transaction.atomic():
            _raw("UPDATE trusts_auditseal SET entry_hash = 'x' WHERE entry_id = %s", [entry.pk])


def test_the_database_refuses_truncate_on_postgresql(demo) -> None:
    _entries(demo, 1)
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # SQLite has no TRUNCATE; DELETE is refused above
        return
    for table in ("trusts_auditentry", "trusts_auditseal"):
        with pytest.raises(DatabaseError), transaction.atomic():
            _raw(f"TRUNCATE {table} CASCADE")


def test_sealing_is_idempotent_and_the_chain_verifies(demo) -> None:
    _entries(demo, 4)
    assert seal_audit_trails() >= 4
    assert seal_audit_trails() == 0
    _entries(demo, 2)
    assert seal_audit_trails() == 2
    with scope(trust=demo.oak.pk):
        result = verify(trust_id=demo.oak.pk)
        positions = list(AuditSeal.objects.order_by("position").values_list("position", flat=True))
    assert result.ok, result.breaks
    assert positions == list(range(1, len(positions) + 1))
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "Audit trail verified." in out.getvalue()


def test_an_entry_changed_outside_the_app_breaks_the_chain(demo) -> None:
    entries = _entries(demo, 5)
    seal_audit_trails()
    _outside_the_app("UPDATE trusts_auditentry SET summary = 'nothing to see' WHERE id = %s", [entries[2].pk])
    err = StringIO()
    with pytest.raises(CommandError, match="1 trust failed verification"):
        call_command("verify_audit", stdout=StringIO(), stderr=err)
    assert f"audit entry {entries[2].pk} has been changed" in err.getvalue()
    assert "River Schools Trust" not in err.getvalue()


def test_an_entry_removed_outside_the_app_breaks_the_chain(demo) -> None:
    entries = _entries(demo, 5)
    seal_audit_trails()
    _outside_the_app("DELETE FROM trusts_auditseal WHERE entry_id = %s", [entries[1].pk])
    _outside_the_app("DELETE FROM trusts_auditentry WHERE id = %s", [entries[1].pk])
    with scopes_disabled(), scope(trust=demo.oak.pk):
        result = verify(trust_id=demo.oak.pk)
    assert not result.ok
    assert any("missing" in line for line in result.breaks) and any("not chained" in line for line in result.breaks)


def test_entries_never_sealed_are_reported(demo) -> None:
    import time_machine
    from django.utils import timezone

    _entries(demo, 2)
    with time_machine.travel(timezone.now() + timezone.timedelta(hours=2)), scope(trust=demo.oak.pk):
        result = verify(trust_id=demo.oak.pk)
    assert not result.ok and "not sealed" in result.breaks[-1]
