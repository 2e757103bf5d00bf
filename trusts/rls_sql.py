"""The SQL of row-level security, for migrations: one policy per tenant table (see trusts.rls)."""

from __future__ import annotations

from typing import Any

POLICY = "trust_isolation"
CONDITION = (
    "current_setting('app.trust_id', true) = '*' OR "
    "trust_id = NULLIF(NULLIF(current_setting('app.trust_id', true), ''), '*')::bigint"
)


# People sign in before any trust is known, so the user table is deliberately not a tenant table.
NOT_TENANT = frozenset({"trusts_user"})


def tenant_tables(apps: Any) -> list[str]:
    """Every table with a `trust` foreign key (the tenant tables), from the migration state."""
    tables = []
    for model in apps.get_models():
        if model._meta.db_table in NOT_TENANT:
            continue
        if any(f.name == "trust" and f.is_relation for f in model._meta.get_fields()):
            if not model._meta.managed or model._meta.proxy:
                continue
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def enable(schema_editor: Any, table: str) -> None:
    q = schema_editor.quote_name(table)
    schema_editor.execute(f"ALTER TABLE {q} ENABLE ROW LEVEL SECURITY")
    schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {q}")
    schema_editor.execute(f"CREATE POLICY {POLICY} ON {q} USING ({CONDITION}) WITH CHECK ({CONDITION})")


def disable(schema_editor: Any, table: str) -> None:
    q = schema_editor.quote_name(table)
    schema_editor.execute(f"DROP POLICY IF EXISTS {POLICY} ON {q}")
    schema_editor.execute(f"ALTER TABLE {q} DISABLE ROW LEVEL SECURITY")
