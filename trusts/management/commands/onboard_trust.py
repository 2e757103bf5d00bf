"""Onboard a trust, its schools and its first inclusion lead from a GIAS establishment extract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from trusts import gias
from trusts.onboarding import onboard_trust


class Command(BaseCommand):
    help = (
        "Create or update a trust and its schools from a Get Information about Schools extract "
        "(edubasealldataYYYYMMDD.csv) and invite its inclusion lead. Safe to run again with a newer extract. "
        "Checks every row of the trust first: with any problem nothing is written."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--gias", required=True, metavar="FILE", help="The establishment CSV from GIAS.")
        parser.add_argument("--trust-code", required=True, metavar="CODE", help="The trust's “Trusts (code)”.")
        parser.add_argument("--lead", required=True, metavar="EMAIL", help="The inclusion lead's email address.")
        parser.add_argument("--dry-run", action="store_true", help="Only say what would happen; write nothing.")
        parser.add_argument(
            "--print-link",
            action="store_true",
            help="Print the invitation's link (it is emailed either way). Only a new link can be printed, so a "
            "waiting invitation is sent again, as with --resend.",
        )
        parser.add_argument(
            "--resend", action="store_true", help="Send a waiting invitation again (a new link; the old one stops)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["gias"])
        if not path.is_file():
            raise CommandError(f"There is no file at {path}.")
        try:
            extract = gias.read_extract(path.read_bytes(), trust_code=options["trust_code"])
            summary = onboard_trust(
                extract=extract,
                trust_code=options["trust_code"],
                lead_email=options["lead"],
                actor=None,
                today=timezone.localdate(),
                dry_run=options["dry_run"],
                # Only the token's hash is stored: printing a waiting invitation's link means making a new one.
                resend=options["resend"] or options["print_link"],
                send_now=True,
            )
        except gias.NotAnExtract as exc:
            raise CommandError(f"{exc}\nNothing was written.") from exc
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"Nothing was written: {len(exc.messages)} problem{'s' if len(exc.messages) != 1 else ''}. "
                "Correct them and run again."
            ) from exc
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        for line in summary.lines():
            self.stdout.write(line)
        if options["print_link"] and summary.invitation_link:
            self.stdout.write(f"Invitation link: {summary.invitation_link}")
