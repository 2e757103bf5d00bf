"""No CSV export lets a cell run as a spreadsheet formula (OWASP "CSV Injection").

Every CSV URL of the project has a case below (a new one without a case fails
`test_every_csv_url_has_a_case`). For each dangerous first character, every text that can reach an export
(pupil names as the MIS import stores them and as typed, school names, provision names) is made to start
with it; each export is downloaded by someone allowed to, parsed with the csv module, and no cell may start
with a dangerous character unless it is a plain number.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from graduated import services as graduated_services
from pupils.importing import import_pupils
from pupils.models import Pupil
from pupils.upn import make_upn
from register import referrals
from register.models import RegisterEntry
from tests.factories import make_pupil
from tests.permission_cases.graduated import casework_user, provision
from trusts.models import School

pytestmark = pytest.mark.django_db

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
TRUST_TABLES = ["schools", "compliance", "needs", "years", "trend"]


@dataclass
class Export:
    user: str
    kwargs: list[dict[str, Any]] = field(default_factory=lambda: [{}])
    # Whether seeded free text (names) reaches this export, so the test can prove it was really exercised.
    carries_text: bool = True
    # Only typed-in names reach it (no MIS import), which the forms strip, so a tab or CR prefix never does.
    typed_only: bool = False


CASES = {
    # Census: UPNs and census codes only, no free text; still checked.
    "register:census_export": Export("senco.acorn@oak.test", carries_text=False),
    "ehcp:deadline_csv": Export("lead@oak.test"),
    "graduated:provision_map_csv": Export("senco.acorn@oak.test"),
    "graduated:provision_impact_csv": Export("senco.acorn@oak.test", typed_only=True),
    "register:referral_export": Export("senco.acorn@oak.test"),
    # The seed makes no access arrangements, so no seeded name reaches it here; tests/graduated/
    # test_arrangements.py checks its cells with an arrangement of a pupil named like a formula.
    "graduated:arrangements_csv": Export("senco.acorn@oak.test", carries_text=False),
    # The seed gives no pupil an EHC plan, so no name reaches it here: tests/reports/test_delivery.py checks its
    # cells with a pupil named like a formula.
    "reports:delivery_csv": Export("senco.acorn@oak.test", carries_text=False),
    "reports:trust_csv": Export("trustee@oak.test", kwargs=[{"table": t} for t in TRUST_TABLES]),
}
NO_TEXT_TABLES = {"needs", "years", "trend"}  # need codes, year groups and term names: no names reach them


def _csv_url_names() -> set[str]:
    """URL names of the project that answer CSV: named `*_csv` / `*export`, or a route ending `.csv`."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and namespace:
                route = str(p.pattern)
                if p.name.endswith(("_csv", "export")) or route.rstrip("$").endswith(".csv"):
                    names.add(f"{namespace}:{p.name}")

    walk(get_resolver().url_patterns, None)
    return names


# Named like an export but not a CSV: checked where they are tested.
NOT_CSV = {"reports:sar_export": "a zip of JSON, PDFs and documents (tests/reports/test_subject_access*.py)"}


def test_every_csv_url_has_a_case() -> None:
    assert _csv_url_names() - set(NOT_CSV) == set(CASES)


def test_the_trust_tables_listed_are_every_table() -> None:
    from reports.views.dashboards import CSV_TABLES

    assert set(TRUST_TABLES) == set(CSV_TABLES)


def _mis_file(school: School, prefix: str) -> bytes:
    """A pupils file as an MIS writes it, with names that start with `prefix`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["UPN", "Legal Surname", "Legal Forename", "Preferred Forename", "DOB", "Gender", "Year"])
    for n, (surname, forename, preferred) in enumerate(
        [
            (f"{prefix}HYPERLINK(1)", f"{prefix}cmd|' /C calc'!A0", ""),
            (f"{prefix}Surname", "Plain", f"{prefix}Known As"),
        ]
    ):
        upn = make_upn(int(school.la_code), int(school.establishment_number), 24, 700 + n)
        writer.writerow([upn, surname, forename, preferred, "14/03/2017", "F", "4"])
    return out.getvalue().encode()


def _seed(demo: Any, prefix: str) -> list[str]:
    """Every text field that reaches an export starts with `prefix`; returns the texts seeded."""
    texts: list[str] = []
    with scopes_disabled():
        for school, name in ((demo.acorn, "Acorn Primary"), (demo.beech, "Beech Academy")):
            School.objects.filter(pk=school.pk).update(name=f"{prefix}{name}")
            texts.append(f"{prefix}{name}")
    with scope(trust=demo.oak.pk):
        plan = import_pupils(school=demo.acorn, content=_mis_file(demo.acorn, prefix), actor=None)
    assert plan.created, "the MIS import took none of the pupils"
    with scopes_disabled():
        imported = list(Pupil.objects.filter(pk__in=[c.pupil.pk for c in plan.created]))
    typed = [
        make_pupil(demo.acorn, legal_surname=f"{prefix}Typed", legal_forename=f"{prefix}Name"),
        make_pupil(demo.beech, legal_surname="Beech", legal_forename=f"{prefix}Pupil", preferred_forename=""),
    ]
    pupils = imported + typed
    texts += [p.display_name for p in pupils]
    item = provision(demo.acorn, f"{prefix}SUM(A1:A9)")
    # A typed agency name has its spaces tidied (a leading tab goes); the surname column carries the prefix.
    texts += [item.name, f"{prefix}Play therapy", f"{prefix}Typed"]
    today = timezone.localdate()
    for pupil in pupils:
        with scopes_disabled():
            RegisterEntry.objects.create(
                trust_id=pupil.trust_id,
                school=pupil.school,
                pupil=pupil,
                status="K",
                since=date(2024, 9, 2),
                primary_need="SLCN",
            )
        with scope(trust=pupil.trust_id):
            engine.open_deadline(
                rule_id="A2",
                trigger_date=today - timedelta(weeks=1),
                school=pupil.school,
                pupil=pupil,
                subject_type="needs_assessment",
                subject_id=pupil.pk,
                actor=None,
            )
            if pupil.school_id == demo.acorn.pk:
                actor = casework_user(pupil.school)
                cycle = graduated_services.start_cycle(pupil=pupil, actor=actor)
                graduated_services.allocate_provision(cycle=cycle, actor=actor, provision=item)
                referrals.create_referral(
                    pupil=pupil, actor=actor, agency="other", agency_name=f"{prefix}Play therapy", reason="Play"
                )
    return texts


def _download(demo: Any, name: str, case: Export, kwargs: dict[str, Any]) -> list[list[str]]:
    response = demo.client_for(case.user).get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200, f"{name} {kwargs}: {response.status_code}"
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("prefix", DANGEROUS, ids=["equals", "plus", "minus", "at", "tab", "carriage-return"])
def test_no_export_cell_can_run_as_a_formula(demo, prefix: str) -> None:
    texts = _seed(demo, prefix)
    for name, case in CASES.items():
        for kwargs in case.kwargs:
            rows = _download(demo, name, case, kwargs)
            cells = [cell for row in rows for cell in row]
            unsafe = [c for c in cells if c.startswith(DANGEROUS) and not PLAIN_NUMBER.fullmatch(c)]
            assert unsafe == [], f"{name} {kwargs} has formula-like cells: {unsafe}"
            stripped = case.typed_only and prefix in ("\t", "\r")
            if case.carries_text and kwargs.get("table") not in NO_TEXT_TABLES and not stripped:
                quoted = {c[1:] for c in cells if c.startswith("'")}
                assert quoted & set(texts), f"{name} {kwargs}: no seeded text reached the export"
