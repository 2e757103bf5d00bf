"""The school's yearly SEN information report: its own words plus figures from the casework."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from trusts import audit
from trusts.calendar_defaults import academic_year_of
from trusts.models import School, User

from . import aggregates as agg
from . import disclosure as dc
from .models import SenInformationReport


def current_report(school: School, academic_year: int | None = None) -> SenInformationReport:
    year = academic_year or academic_year_of(timezone.localdate())
    report = SenInformationReport.objects.filter(school=school, academic_year=year).first()
    if report is None:
        previous = (
            SenInformationReport.objects.filter(school=school, academic_year__lt=year)
            .order_by("-academic_year")
            .first()
        )
        report = SenInformationReport(trust_id=school.trust_id, school=school, academic_year=year)
        if previous is not None:  # last year's words are the starting point for this year's report
            for name in SenInformationReport.TEXT_FIELDS:
                setattr(report, name, getattr(previous, name))
    return report


@transaction.atomic
def save_report(*, report: SenInformationReport, values: dict[str, Any], actor: User) -> SenInformationReport:
    """Save the school's own sections of the report (audited)."""
    for name in SenInformationReport.TEXT_FIELDS:
        setattr(report, name, values.get(name, ""))
    report.updated_by = actor
    report.save()
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=report, school=report.school)
    return report


def report_figures(school: School) -> dict[str, Any]:
    """The data sections: numbers on the register, kinds of need provided for, and provision. The report
    is published on the school's website: every figure passes through `reports.disclosure`, and the
    kinds of need are protected together with the totals they add up to."""
    row = agg.register_by_school([school])[0]
    needs = agg.needs_profile([school])
    table = dc.protect_table([[n["K"], n["E"]] for n in needs], total_row=[row.counts["K"], row.counts["E"]])
    support, ehc = table.total_row
    figures: dict[str, Any] = {
        "roll": dc.shown(row.roll),
        "support": support,
        "ehc": ehc,
        "support_pct": dc.suppress_share(row.counts["K"], row.roll, depends_on=[support]),
        "ehc_pct": dc.suppress_share(row.counts["E"], row.roll, depends_on=[ehc]),
        "needs": [
            {"code": n["code"], "label": n["label"], "K_shown": k, "E_shown": e}
            for n, (k, e) in zip(needs, table.rows, strict=True)
        ],
        "provision": [],
    }
    try:
        from graduated.queries import provision_summary

        figures["provision"] = provision_summary(school)
    except ImportError:
        pass
    return figures
