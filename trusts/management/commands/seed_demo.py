from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from trusts.demo import seed_tenancy

# Later apps append their seeders here: callables taking the dict seed_tenancy returns.
SEEDERS: list[str] = []


class Command(BaseCommand):
    help = "Load the demo trusts, schools, accounts and casework (idempotent). Refuses when DEBUG is off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo refuses to run when DEBUG is off: it would add demo accounts to live data."
            )
        from django.utils.module_loading import import_string

        with scopes_disabled():
            objects = seed_tenancy()
            for path in SEEDERS:
                import_string(path)(objects)
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
