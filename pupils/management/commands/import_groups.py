"""`manage.py import_groups --school <URN> <file>`: the teaching groups import without the web page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scope

from pupils import importing

from .import_pupils import find_school, read_file, report


class Command(BaseCommand):
    help = (
        "Import teaching groups (UPN, Group, Teacher Email) from a CSV file into one school. "
        "Groups are created when new; nothing is removed. See docs/imports.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument("--school", required=True, metavar="URN", help="The school's 6-digit URN.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        school = find_school(options["school"])
        file: str = options["file"]
        content = read_file(file)
        with scope(trust=school.trust_id):
            try:
                if options["dry_run"]:
                    plan = importing.plan_group_import(school=school, content=content)
                else:
                    plan = importing.import_groups(school=school, content=content, actor=None, source=Path(file).name)
            except importing.FileProblem as exc:
                raise CommandError(f"Cannot import {file}: {exc.message}") from None
        report(self, plan, file=file, dry_run=options["dry_run"])
