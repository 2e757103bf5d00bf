"""Back up the database and the documents into a new folder, with a manifest (see trusts.backups)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from trusts.backups import BackupError, Database, back_up


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format, or a copy of the SQLite file) and MEDIA_ROOT into a new "
        "folder, with a manifest of checksums and row counts. Run it as the database owner role. Reads only."
    )
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--to", required=True, type=Path, help="A new, empty folder for this backup.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            database = Database.from_settings(connections["default"].settings_dict)
            manifest = back_up(database=database, media_root=Path(settings.MEDIA_ROOT), to=options["to"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["row_counts"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {len(manifest['row_counts'])} tables ({rows} rows) and "
                f"{len(manifest['media_files'])} document files to {options['to']}."
            )
        )
