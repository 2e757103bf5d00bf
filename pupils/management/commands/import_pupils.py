"""`manage.py import_pupils --school <URN> [--full] <file>`: the pupils import without the web page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scope, scopes_disabled

from pupils import importing
from trusts.models import School


def find_school(urn: str) -> School:
    """The school with this URN, found across trusts: the command then works inside that school's trust."""
    urn = urn.strip()
    if not re.fullmatch(r"\d{6}", urn):
        raise CommandError(f"'{urn}' is not a URN: a URN is 6 digits, for example 141001.")
    with scopes_disabled():
        school = School.objects.filter(urn=urn).first()
    if school is None:
        raise CommandError(f"No school has URN {urn}. Check the number, or add the school first.")
    return school


def read_file(name: str) -> bytes:
    path = Path(name)
    try:
        size = path.stat().st_size
        if size > importing.MAX_FILE_BYTES:
            raise CommandError(
                f"Cannot import {name}: it is {size / 1024 / 1024:.1f} MB and the largest file you can "
                "import is 10 MB. Split it into smaller files."
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise CommandError(f"Cannot read {name}: there is no such file.") from None
    except IsADirectoryError:
        raise CommandError(f"Cannot read {name}: it is a folder, not a file.") from None
    except OSError as exc:
        raise CommandError(f"Cannot read {name}: {exc.strerror or exc}.") from None


def report(command: BaseCommand, plan: importing.PupilPlan | importing.GroupPlan, *, file: str, dry_run: bool) -> None:
    """Each problem with its row, then the summary line."""
    out = command.stdout
    if plan.table.ignored:
        out.write(f"Columns ignored: {', '.join(plan.table.ignored)}.")
    if plan.problems:
        out.write("Problems (these rows were not imported; the headings are row 1):")
        for problem in plan.problems:
            out.write(f"  {problem}")
    if isinstance(plan, importing.PupilPlan) and plan.leaver_warning:
        out.write(command.style.WARNING(f"Warning: {plan.leaver_warning}"))
    prefix = "Dry run, nothing saved. " if dry_run else ""
    style = command.style.WARNING if plan.problems else command.style.SUCCESS
    out.write(style(f"{prefix}{file} into {plan.school.name} ({plan.school.urn}): {plan.summary()}."))


class Command(BaseCommand):
    help = (
        "Import pupils from a CSV file exported by SIMS, Arbor or Bromcom into one school. "
        "Bad rows are reported and left out; the good rows are imported together. See docs/imports.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument("--school", required=True, metavar="URN", help="The school's 6-digit URN.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="The file lists every pupil on roll: list pupils missing from it as possible leavers.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        school = find_school(options["school"])
        file: str = options["file"]
        content = read_file(file)
        with scope(trust=school.trust_id):
            try:
                if options["dry_run"]:
                    plan = importing.plan_pupil_import(school=school, content=content, full=options["full"])
                else:
                    plan = importing.import_pupils(
                        school=school, content=content, full=options["full"], actor=None, source=Path(file).name
                    )
            except importing.FileProblem as exc:
                raise CommandError(f"Cannot import {file}: {exc.message}") from None
        report(self, plan, file=file, dry_run=options["dry_run"])
