"""Dashboards: thin views over reports.dashboards. Governors and trustees only ever get aggregates."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from trusts import audit
from trusts.exports import csv_response
from trusts.http import AuthedRequest, school_from_request
from trusts.models import School
from trusts.permissions import schools_where
from trusts.replica import replica_view

from ..dashboards import cached_trust_dashboard, school_dashboard
from ..delivery import trust_delivery


def _school(request: AuthedRequest) -> School:
    return school_from_request(request, "school.aggregates")[0]


def _trust_schools(request: AuthedRequest) -> list[School]:
    schools = schools_where(request.user, "trust.dashboard")
    if not schools:
        raise Http404
    return schools


@login_required
@replica_view
def school_view(request: AuthedRequest) -> HttpResponse:
    school = _school(request)
    context = school_dashboard(school)
    context["schools"] = schools_where(request.user, "school.aggregates")
    return render(request, "reports/school_dashboard.html", context)


@login_required
@replica_view
def trust_view(request: AuthedRequest) -> HttpResponse:
    schools = _trust_schools(request)
    # The delivery figures move with every session logged: read fresh, not kept with the cached figures.
    context = cached_trust_dashboard(schools) | {"delivery": trust_delivery(schools)}
    context["can_drill"] = bool(schools_where(request.user, "casework.view"))
    return render(request, "reports/trust_dashboard.html", context)


CSV_TABLES: dict[str, tuple[list[str], Any]] = {
    "schools": (
        [
            "School",
            "On roll",
            "Monitoring",
            "SEN support (K)",
            "K %",
            "EHC plan (E)",
            "E %",
            "Provision cost a year per pupil with provision",
            "K with 3+ parent meetings",
        ],
        lambda c: [
            [
                r["school"].name,
                r["roll"],
                r["M"],
                r["K"],
                r["K_pct"],
                r["E"],
                r["E_pct"],
                r["provision_avg"],
                r["meetings_pct"],
            ]
            for r in c["rows"]
        ],
    ),
    "compliance": (
        ["School", "Statutory deadlines due in the last 12 months", "Met on time", "Annual reviews overdue"],
        lambda c: [[r["school"].name, r["due"], r["on_time"], r["reviews_overdue"]] for r in c["compliance_by_school"]],
    ),
    "needs": (
        ["Need code", "Need", "SEN support (K)", "EHC plan (E)"],
        lambda c: [[n["code"], n["label"], n["K_shown"], n["E_shown"]] for n in c["needs"]],
    ),
    "years": (
        ["Year group", "On roll", "SEN support (K)", "EHC plan (E)", "K+E %"],
        lambda c: [[y["year"], y["roll"], y["K_shown"], y["E_shown"], y["pct"]] for y in c["years"]],
    ),
    "trend": (
        ["Term end", "Date", "SEN support (K)", "EHC plan (E)"],
        lambda c: [[t["label"], t["date"].isoformat(), t["K_shown"], t["E_shown"]] for t in c["trend"]],
    ),
}


@login_required
@replica_view
def trust_csv(request: AuthedRequest, table: str) -> HttpResponse:
    if table not in CSV_TABLES:
        raise Http404
    context = cached_trust_dashboard(_trust_schools(request))
    header, rows = CSV_TABLES[table]
    response = csv_response(
        filename=f"trust-{table}-{timezone.localdate():%Y-%m-%d}.csv", header=header, rows=rows(context)
    )
    audit.record(actor=request.user, action=audit.Action.EXPORT, obj=request.user.trust, summary=f"Trust {table} table")
    return response
