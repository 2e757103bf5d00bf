"""The school's yearly SEN information report: its own words (the sections of `reports.sen_sections`) plus
figures from the casework; drafts, publishing and the yearly versions."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from trusts import audit
from trusts.calendar_defaults import academic_year_of
from trusts.models import School, User

from . import aggregates as agg
from . import disclosure as dc
from .models import SenInformationReport
from .sen_sections import FIELDS, Section, missing


class NotComplete(ValidationError):
    """Publishing refused: the required sections still empty (`missing`), in the report's order."""

    def __init__(self, gaps: list[Section]) -> None:
        self.missing = gaps
        super().__init__([f"Write the section \u201c{s.title}\u201d ({s.source})." for s in gaps])


def current_report(school: School, academic_year: int | None = None) -> SenInformationReport:
    """The draft the school is writing for the year (this academic year unless given). When there is none,
    an unsaved one, starting from the words of the latest version before it: this year's published version,
    or else last year's report."""
    year = academic_year or academic_year_of(timezone.localdate())
    versions = SenInformationReport.objects.filter(school=school, academic_year__lte=year).order_by(
        "-academic_year", "-version"
    )
    latest = versions.first()
    if latest is not None and latest.academic_year == year and not latest.is_published:
        return latest
    report = SenInformationReport(trust_id=school.trust_id, school=school, academic_year=year)
    if latest is not None:
        report.version = latest.version + 1 if latest.academic_year == year else 1
        for name in FIELDS:
            setattr(report, name, getattr(latest, name))
    return report


def versions_of(school: School) -> list[SenInformationReport]:
    """Every saved version of the school's report, newest year and version first."""
    return list(SenInformationReport.objects.filter(school=school).select_related("published_by", "updated_by"))


def published_report(school: School) -> SenInformationReport | None:
    """What the school's website shows: the latest published version, of this year or an earlier one."""
    return (
        SenInformationReport.objects.filter(school=school, published_at__isnull=False)
        .order_by("-academic_year", "-version")
        .first()
    )


@transaction.atomic
def save_report(*, report: SenInformationReport, values: dict[str, Any], actor: User) -> SenInformationReport:
    """Save the school's sections into the year's draft (audited). A published version is never changed: given
    one, the words go into a new draft of the same year instead, and that draft is returned."""
    if report.is_published:
        report = current_report(report.school, report.academic_year)
    for name in FIELDS:
        setattr(report, name, values.get(name, "") or "")
    report.updated_by = actor
    report.save()
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=report, school=report.school)
    return report


@transaction.atomic
def publish_report(*, report: SenInformationReport, actor: User) -> SenInformationReport:
    """Publish a saved draft: it becomes what the school's public page shows, frozen with the date and who
    published it (audited). Refused, with nothing written, while a required section is empty (NotComplete) or
    when the version is already published."""
    if report.pk is None or report.is_published:
        raise ValidationError("Only a saved draft can be published.")
    gaps = missing(report)
    if gaps:
        raise NotComplete(gaps)
    report.published_at = timezone.now()
    report.published_by = actor
    report.figures = json.loads(json.dumps(report_figures(report.school)))  # Figures are strings already
    report.save(update_fields=["published_at", "published_by", "figures", "updated_at"])
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE,
        obj=report,
        school=report.school,
        summary=f"Published the SEN information report {report.year_label} (version {report.version})",
    )
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
