"""Row-level security on every tenant table (PostgreSQL): the database's own lock between trusts.

In `reports`, the top app, so that every app's tables exist; a later table gets its policy from its own
migration (`trusts.rls_sql.enable`), and a test fails if any tenant table has none.
"""

from django.db import migrations

from trusts import rls_sql


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in rls_sql.tenant_tables(apps):
        rls_sql.enable(schema_editor, table)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in rls_sql.tenant_tables(apps):
        rls_sql.disable(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_seninformationreport"),
        ("trusts", "0006_audit_triggers_everywhere"),
        ("pupils", "0002_trust_updated_at_index"),
        ("register", "0001_initial"),
        ("graduated", "0001_initial"),
        ("ehcp", "0004_school_consulted_on"),
        ("reviews", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
