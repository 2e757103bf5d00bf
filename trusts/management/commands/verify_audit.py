"""Check every trust's audit trail against its hash chain (exit status 1 when anything is wrong)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scope, scopes_disabled

from trusts.audit_chain import seal, verify
from trusts.models import Trust


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain of every trust (or --trust ID). Reads only, unless --seal."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--trust", type=int, help="Only this trust's id.")
        parser.add_argument("--seal", action="store_true", help="First seal entries not sealed yet.")

    def handle(self, *args: Any, **options: Any) -> None:
        with scopes_disabled():
            trusts = list(Trust.objects.order_by("pk"))
        if options["trust"]:
            trusts = [t for t in trusts if t.pk == options["trust"]]
            if not trusts:
                raise CommandError(f"There is no trust with id {options['trust']}.")
        broken = 0
        for trust in trusts:
            with scope(trust=trust.pk):
                if options["seal"]:
                    seal(trust_id=trust.pk)
                result = verify(trust_id=trust.pk)
            if result.ok:
                self.stdout.write(
                    f"{trust.name}: {result.sealed} entries verified"
                    + (f", {result.unsealed} waiting to be sealed" if result.unsealed else "")
                )
            else:
                broken += 1
                self.stderr.write(f"{trust.name}: the audit trail has been tampered with or is incomplete:")
                for line in result.breaks[:50]:
                    self.stderr.write(f"  - {line}")
                if len(result.breaks) > 50:
                    self.stderr.write(f"  … and {len(result.breaks) - 50} more")
        if broken:
            raise CommandError(f"{broken} trust{'s' if broken != 1 else ''} failed verification.")
        self.stdout.write(self.style.SUCCESS("Audit trail verified."))
