"""Import staff from an MIS staff CSV (name, email, role, school), as the People page does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from trusts.models import User
from trusts.people import import_staff


class Command(BaseCommand):
    help = "Invite staff and add their roles from a CSV file (checks every row first; --dry-run writes nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--trust", type=int, required=True, help="The trust's id.")
        parser.add_argument("--actor", required=True, help="Email of the inclusion lead or headteacher importing.")
        parser.add_argument("--file", required=True, help="The CSV file (UTF-8 or Windows-1252).")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would happen.")

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            actor = User.objects.filter(
                email__iexact=options["actor"], trust_id=options["trust"], is_active=True
            ).first()
        if actor is None:
            raise CommandError("No active person with that email address in that trust.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
        with scope(trust=options["trust"]):
            result = import_staff(actor=actor, text=text, dry_run=options["dry_run"])
        for problem in result.problems:
            self.stderr.write(problem)
        for row in result.rows:
            for problem in row.problems:
                self.stderr.write(f"Line {row.line}: {problem}")
        if not result.valid:
            raise CommandError("Nothing was imported: correct the file and run again.")
        for row in result.rows:
            self.stdout.write(f"Line {row.line}: {row.email} {row.role} {row.school or '(trust-wide)'}: {row.outcome}")
        verb = "Would invite" if options["dry_run"] else "Invited"
        self.stdout.write(
            f"{verb} {result.count('invite')}, roles added {result.count('add role')}, "
            f"unchanged {result.count('no change') + result.count('already invited')}."
        )
