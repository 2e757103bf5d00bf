"""What the benchmark measures, on the `seed_scale` trust. Pages and jobs of apps not installed are left out."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse
from django_scopes import scope, scopes_disabled

from pupils.models import Pupil
from register.models import RegisterEntry
from trusts.models import School, Trust, User

TRUST = "Scale Academies Trust"


def context() -> dict[str, Any]:
    with scopes_disabled():
        trust = Trust.objects.get(name=TRUST)
        school = School.objects.filter(trust=trust).order_by("name").first()
        entry = RegisterEntry.objects.filter(school=school, status="E").select_related("pupil").first() or (
            RegisterEntry.objects.filter(school=school, status="K").select_related("pupil").first()
        )
        pupils = Pupil.objects.filter(trust=trust).count()
        schools = School.objects.filter(trust=trust).count()
        from ehcp.models import Deadline

        deadlines = Deadline.objects.filter(trust=trust).count()
        from django.db.models import Count

        from graduated.models import Allocation

        group = (
            Allocation.objects.filter(school=school, cycle__status="active")
            .values("provision_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        summary = f"{schools} schools, {pupils:,} pupils, {deadlines:,} deadlines"
        if Trust.objects.count() > 1:  # national: the pages are the 50-school trust's, among all the others
            summary = (
                f"{Trust.objects.count()} trusts, {School.objects.count():,} schools, {Pupil.objects.count():,} "
                f"pupils, {Deadline.objects.count():,} deadlines; the pages are {TRUST}'s ({summary})"
            )
    return {
        "group_provision_id": group["provision_id"] if group else None,
        "trust": trust,
        "school": school,
        "pupil": entry.pupil if entry else None,
        "summary": summary,
    }


def _url(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _search(*words: str) -> str | None:
    url = _url("pupils:search")
    return f"{url}?q={'+'.join(words)}" if url else None


def PAGES(ctx: dict[str, Any]) -> list[dict[str, Any]]:  # noqa: N802
    pupil = ctx["pupil"]
    specs = [
        ("SENCO home", "senco.s01@scale.test", "/", 150),
        ("Register list (1,000-pupil school)", "senco.s01@scale.test", "/register/?status=all", 150),
        ("Pupil record", "senco.s01@scale.test", _url("pupils:record", pk=pupil.pk), 150),
        ("Provision map", "senco.s01@scale.test", _url("graduated:provision_map"), 150),
        ("Deadlines list", "senco.s01@scale.test", _url("ehcp:deadlines"), 150),
        ("Trust dashboard (warm: figures cached)", "lead@scale.test", _url("reports:trust_dashboard"), 150),
        # The cache emptied before every request: the figures computed from the rows each time.
        ("Trust dashboard (cold: empty cache)", "lead@scale.test", _url("reports:trust_dashboard"), 300),
        # Every LA deadline of the trust's 50 schools, four academic years, counted in one query.
        ("LA record, trust (50 schools)", "lead@scale.test", _url("reports:la_record"), 150),
        ("LA record, trustees (small numbers hidden)", "trustee@scale.test", _url("reports:la_record"), 150),
        # Every EHC plan of the 1,000-pupil school set against its delivery logs; then the trust's 50 schools.
        ("Promised and delivered (1,000-pupil school)", "senco.s01@scale.test", _url("reports:delivery_school"), 150),
        ("Promised and delivered, trust (50 schools)", "lead@scale.test", _url("reports:delivery_trust"), 150),
        ("Governor dashboard", "governor.s01@scale.test", _url("reports:school_dashboard"), 150),
        ("Parent portal home", "parent.s01@scale.test", _url("reports:portal"), 150),
        # Two words, partial, in either order; the lead searches all 50,000 pupils of the trust.
        ("Pupil search (SENCO, one school)", "senco.s01@scale.test", _search("ali", "walk"), 150),
        ("Pupil search (inclusion lead, whole trust)", "lead@scale.test", _search("ali", "walk"), 150),
        (
            "Group session form (the school's largest group)",
            "senco.s01@scale.test",
            _url("graduated:log_group_session", provision_id=ctx["group_provision_id"])
            if ctx["group_provision_id"]
            else None,
            150,
        ),
    ]
    return [
        {"name": name, "email": email, "url": url, "budget_ms": budget} | ({"cold": True} if "cold" in name else {})
        for name, email, url, budget in specs
        if url is not None
    ]


def _import_job(ctx: dict[str, Any]) -> Callable[[], Any]:
    """Each call imports 1,000 new pupils (a fresh UPN range), through the preview and the import."""
    from pupils.upn import make_upn

    school = ctx["school"]
    senco = User.objects.get(email="senco.s01@scale.test")
    calls = iter(range(1, 9000))

    def content(batch: int) -> bytes:
        rows = io.StringIO()
        writer = csv.writer(rows)
        writer.writerow(
            [
                "UPN",
                "Legal Surname",
                "Legal Forename",
                "Preferred Forename",
                "DOB",
                "Gender",
                "Year",
                "Reg Group",
                "Admission Date",
                "EAL",
                "FSM",
                "Pupil Premium",
                "Looked After",
            ]
        )
        for n in range(1000):
            writer.writerow(
                [
                    make_upn(998, batch, 25, n),
                    f"Import{n}",
                    "Sam",
                    "",
                    "14/03/2016",
                    "F",
                    "4",
                    "4A",
                    "01/09/2021",
                    "N",
                    "Y" if n % 5 == 0 else "N",
                    "N",
                    "N",
                ]
            )
        return rows.getvalue().encode()

    def run() -> Any:
        from pupils.importing import import_pupils, plan_pupil_import

        data = content(next(calls))
        with scope(trust=school.trust_id):
            plan_pupil_import(school=school, content=data)
            return import_pupils(school=school, content=data, actor=senco, source="bench")

    return run


def FIRST_RUNS(ctx: dict[str, Any]) -> list[tuple[str, Callable[[], Any], float, str]]:  # noqa: N802
    """Jobs timed on their first run, before anything else: the first sweep after seeding sends every
    reminder due and marks every missed deadline of the generated history (the real catch-up work)."""
    try:
        from ehcp.tasks import sweep_deadlines
    except ImportError:
        return []
    import os

    if os.environ.get("BENCH_SCALE") == "national":
        from bench.workers import sweep_on_workers

        return [
            (
                "Deadline sweep, first run (catch-up), all trusts on 2 Celery workers",
                lambda: sweep_on_workers(ctx),
                60_000,
                "fanned out, one task per trust",
            )
        ]

    def sweep_and_count() -> None:
        ctx["first_sweep"] = sweep_deadlines()

    return [("Deadline sweep, first run (catch-up)", sweep_and_count, 10_000, "reminders and misses of every deadline")]


def JOBS(ctx: dict[str, Any]) -> list[tuple[str, Callable[[], Any], float, str]]:  # noqa: N802
    jobs: list[tuple[str, Callable[[], Any], float, str]] = []
    try:
        from ehcp.tasks import sweep_deadlines

        jobs.append(
            ("Deadline sweep, repeat run (all deadlines)", lambda: sweep_deadlines(), 10_000, "nothing new to send")
        )
    except ImportError:
        pass
    with scopes_disabled():
        jobs.append(("Pupil import, 1,000 rows", _import_job(ctx), 10_000, "preview + confirm, upsert by UPN"))
    pupil = ctx["pupil"]
    trust_id = ctx["trust"].pk
    try:
        from graduated.pdf import render_support_plan_pdf

        jobs.append(("Support plan PDF", lambda: _in(trust_id, lambda: render_support_plan_pdf(pupil)), 1500, ""))
    except ImportError:
        pass
    try:
        from reviews.models import AnnualReview
        from reviews.pdf import render_review_pdf

        def review_pdf() -> bytes:
            review = AnnualReview.objects.filter(pupil__school=ctx["school"]).first()
            return render_review_pdf(review)

        jobs.append(("Annual review PDF", lambda: _in(trust_id, review_pdf), 1500, ""))
    except ImportError:
        pass

    def board() -> bytes:
        from reports.board import board_context
        from reports.models import BoardReport
        from trusts.pdf import render_pdf
        from trusts.permissions import schools_where

        lead = User.objects.get(email="lead@scale.test")
        report = BoardReport(
            trust=ctx["trust"],
            requested_by=lead,
            period_start=ctx["school"].created_at.date(),
            period_end=ctx["school"].created_at.date(),
        )
        return render_pdf(
            template="reports/board_report.html",
            context=board_context(schools_where(lead, "board.report"), report, lambda *a: None),
            title="SEND report to the board",
        )

    jobs.append(("Board report PDF (50 schools)", lambda: _in(trust_id, board), 10_000, "rendered in a Celery task"))
    return jobs


def _in(trust_id: int, fn: Callable[[], Any]) -> Any:
    with scope(trust=trust_id):
        return fn()
