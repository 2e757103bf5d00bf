"""On PostgreSQL, the database itself refuses to change or remove audit entries."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION trusts_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER trusts_auditentry_append_only
    BEFORE UPDATE OR DELETE ON trusts_auditentry
    FOR EACH ROW EXECUTE FUNCTION trusts_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS trusts_auditentry_append_only ON trusts_auditentry;
DROP FUNCTION IF EXISTS trusts_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("trusts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
