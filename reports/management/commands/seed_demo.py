"""Demo data for `make run`. Lives in `reports`, the one app allowed to import every other."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from ehcp.demo import seed_ehcp
from ehcp.wording_demo import seed_wording
from graduated.demo import seed_graduated, seed_parent_views
from graduated.demo.arrangements import seed_access_arrangements
from pupils.demo import seed_health
from register.demo import seed_pupils_and_register, seed_referrals
from reports.delivery_demo import seed_delivery
from reports.demo import seed_sen_information
from reports.la_record_demo import seed_la_record
from reports.portal_demo import seed_portal
from reviews.demo import seed_all_about_me, seed_reviews
from trusts.demo import seed_single_sign_on, seed_tenancy


class Command(BaseCommand):
    help = "Load the demo trusts, schools, accounts and casework (idempotent). Refuses when DEBUG is off."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run when DEBUG is off: it would add demo accounts to live data.")
        with scopes_disabled():
            objects = seed_tenancy()
            summaries = [
                seed_pupils_and_register(objects),
                seed_graduated(objects),
                seed_access_arrangements(objects),
                seed_ehcp(objects),
                seed_health(objects),
                seed_reviews(objects),
                seed_delivery(objects),  # promised versus delivered: a plan's 5 hours a week, about 3 delivered
                seed_la_record(objects),  # the local authorities' record: an LA decision made 9 days late
                seed_wording(objects),  # a draft plan with vague wording, checked against the Code of Practice
                seed_sen_information(objects),
                seed_parent_views(objects),  # parents' views before a review (parent.acorn's two children)
                seed_all_about_me(objects),
                seed_portal(objects),
                seed_referrals(objects),
                seed_single_sign_on(objects["trusts"]),  # type: ignore[arg-type]
            ]
        self.stdout.write(self.style.SUCCESS("Demo data is loaded. " + " ".join(s for s in summaries if s)))
