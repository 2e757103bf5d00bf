"""The database itself refuses to change, remove or truncate audit rows, on SQLite too.

PostgreSQL already refuses UPDATE and DELETE on audit entries (0002); this adds TRUNCATE (a statement
trigger) and covers the hash chain's seals. SQLite has no TRUNCATE; its triggers refuse UPDATE and DELETE.
"""

from django.db import migrations

TABLES = ["trusts_auditentry", "trusts_auditseal"]

POSTGRES = """
CREATE TRIGGER trusts_auditseal_append_only
    BEFORE UPDATE OR DELETE ON trusts_auditseal
    FOR EACH ROW EXECUTE FUNCTION trusts_audit_append_only();
CREATE TRIGGER trusts_auditentry_no_truncate
    BEFORE TRUNCATE ON trusts_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION trusts_audit_append_only();
CREATE TRIGGER trusts_auditseal_no_truncate
    BEFORE TRUNCATE ON trusts_auditseal
    FOR EACH STATEMENT EXECUTE FUNCTION trusts_audit_append_only();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS trusts_auditseal_append_only ON trusts_auditseal;
DROP TRIGGER IF EXISTS trusts_auditentry_no_truncate ON trusts_auditentry;
DROP TRIGGER IF EXISTS trusts_auditseal_no_truncate ON trusts_auditseal;
"""


def _sqlite(table: str, event: str) -> str:
    return (
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{event.lower()} BEFORE {event} ON {table} "
        "BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only'); END;"
    )


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("UPDATE", "DELETE"):
                schema_editor.execute(_sqlite(table, event))


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        for table in TABLES:
            for event in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")


class Migration(migrations.Migration):
    dependencies = [("trusts", "0005_audit_seal")]
    operations = [migrations.RunPython(forwards, backwards)]
