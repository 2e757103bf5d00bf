"""Restore a backup into an EMPTY database and an empty folder, then check it (see trusts.backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from trusts.backups import BackupError, Database, restore


class Command(BaseCommand):
    help = (
        "Restore a folder made by `backup` into an empty database (--database-url) and an empty folder "
        "(--media-root). Checks every checksum first and every row count and document afterwards. It never "
        "writes into a database or folder that holds anything."
    )
    # The target is given on the command line; the configured database is not touched.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--from", dest="source", required=True, type=Path, help="The backup folder.")
        parser.add_argument(
            "--database-url", required=True, help="An empty database, e.g. postgres://owner@host:5432/send_new."
        )
        parser.add_argument("--media-root", required=True, type=Path, help="A new, empty folder for documents.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            database = Database.from_url(options["database_url"])
            manifest = restore(source=options["source"], database=database, media_root=options["media_root"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {len(manifest['row_counts'])} tables and {len(manifest['media_files'])} document files "
                f"into {database.name} and {options['media_root']}; row counts and checksums match the backup. "
                "Next: grant_app_role for the app role, then verify_audit."
            )
        )
