"""Give the application's database role exactly what it needs (run as the owner role, after migrate)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

APPEND_ONLY = ("trusts_auditentry", "trusts_auditseal")


class Command(BaseCommand):
    help = (
        "Grant the app role SELECT/INSERT/UPDATE/DELETE on every table (only SELECT and INSERT on the audit "
        "trail), sequences, and the same for tables made later. It owns nothing, so it cannot ALTER, disable "
        "triggers or TRUNCATE, and row-level security applies to it. PostgreSQL only."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--role", required=True, help="The role web and workers connect as, e.g. send_app.")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Roles and row-level security exist on PostgreSQL only.")
        role = connection.ops.quote_name(options["role"])
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [options["role"]])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no database role {options['role']}: create it first (CREATE ROLE).")
            cursor.execute("SELECT current_user")
            owner = cursor.fetchone()[0]
            if owner == options["role"]:
                raise CommandError("Run this as the owner role, not as the app role.")
            statements = [
                f"GRANT USAGE ON SCHEMA public TO {role}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
            ]
            statements += [f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {role}" for t in APPEND_ONLY]
            for sql in statements:
                cursor.execute(sql)
        self.stdout.write(self.style.SUCCESS(f"{options['role']} can use the tables; the audit trail is insert-only."))
