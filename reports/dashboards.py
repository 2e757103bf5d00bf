"""Dashboard contexts: the school in aggregate (governors, heads, SENCOs, lead) and the trust side by side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from trusts.models import School

from . import aggregates as agg
from . import disclosure as dc
from .charts import Series, bar_chart, line_chart
from .national import NATIONAL

# Every figure on these pages passes through `reports.disclosure`; nothing here decides what is small.


def _register_tables(
    totals: dict[str, int], *tables: list[dict[str, Any]], key: str = ""
) -> tuple[dict[str, dc.Figure], list[list[dict[str, dc.Figure]]]]:
    """SEN support (K) and EHC plan (E) counts of several tables that each add up to the same published
    totals (the headline, the schools, the types of need, the year groups), protected together."""
    protected = dc.protect_tables(
        [[[row["K"], row["E"]] for row in table] for table in tables], total_row=[totals["K"], totals["E"]]
    )
    shown_totals = dict(zip(("K", "E"), protected[0].total_row, strict=True))
    cells = [[dict(zip(("K", "E"), row, strict=True)) for row in t.rows] for t in protected]
    return shown_totals, cells


def _needs(needs: list[dict[str, Any]], cells: list[dict[str, dc.Figure]]) -> list[dict[str, Any]]:
    return [
        {"code": n["code"], "label": n["label"], "K_shown": c["K"], "E_shown": c["E"]}
        for n, c in zip(needs, cells, strict=True)
    ]


def _years(years: list[dict[str, Any]], cells: list[dict[str, dc.Figure]]) -> list[dict[str, Any]]:
    """Each year group: its roll, K and E as protected, and the share on the register only when neither
    of its parts is hidden (K + E beside two "fewer than 5" cells would give them away)."""
    return [
        {
            "year": y["year"],
            "roll": y["roll"],
            "K_shown": c["K"],
            "E_shown": c["E"],
            "pct": dc.suppress_share(y["K"] + y["E"], y["roll"], depends_on=[c["K"], c["E"]]),
        }
        for y, c in zip(years, cells, strict=True)
    ]


def _trend(trend: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Term ends: counts of different days add up to nothing published, so primary suppression only."""
    return [
        {
            "label": t["label"],
            "date": t["date"],
            "K_shown": dc.suppress_count(t["K"]),
            "E_shown": dc.suppress_count(t["E"]),
        }
        for t in trend
    ]


def _no_small_counts(trend: list[dict[str, Any]]) -> bool:
    """A trend chart would show counts the table hides: leave it out when the table hides any."""
    return not any(t[k].hidden for t in trend for k in ("K_shown", "E_shown"))


def _trend_chart(title: str, trend: list[dict[str, Any]]) -> Any:
    if not _no_small_counts(trend):
        return None
    return line_chart(
        title=title,
        description="Counts at the end of each term, rebuilt from the register history. Table below.",
        labels=[t["label"] for t in trend],
        series=[
            Series("SEN support (K)", [t["K_shown"].number for t in trend]),
            Series("EHC plan (E)", [t["E_shown"].number for t in trend]),
        ],
    )


def _concerns(stats: dict[str, Any]) -> dict[str, Any]:
    """Raised and waiting, protected as one line (waiting and the rest add up to raised); the median wait
    only over 5 or more decisions (over one, it is that family's wait)."""
    raised, waiting = stats["raised"], stats["waiting"]
    table = dc.protect_table([[waiting], [raised - waiting]], total_row=[raised])
    median = stats["median_days_to_triage"]
    return {
        "raised": table.total_row[0],
        "waiting": table.rows[0][0],
        "median_days_to_triage": median if stats["decided"] >= dc.SMALLEST_SHOWN else None,
        "too_few_decided": 0 < stats["decided"] < dc.SMALLEST_SHOWN,
    }


def school_dashboard(school: School) -> dict[str, Any]:
    register = agg.register_counts([school])
    row = agg.register_by_school([school], register)[0]
    needs = agg.needs_profile([school], register)
    years = agg.by_year_group([school], register)
    totals, (need_cells, year_cells) = _register_tables(row.counts, needs, years)
    trend = _trend(agg.register_trend([school]))
    return {
        "school": school,
        "headline": [
            {"label": "Pupils on roll", "value": dc.shown(row.roll)},
            {
                "label": "On SEN support (K)",
                "value": totals["K"],
                "pct": dc.suppress_share(row.counts["K"], row.roll, depends_on=[totals["K"]]),
                "national": NATIONAL["support_pct"],
            },
            {
                "label": "With an EHC plan (E)",
                "value": totals["E"],
                "pct": dc.suppress_share(row.counts["E"], row.roll, depends_on=[totals["E"]]),
                "national": NATIONAL["ehc_pct"],
            },
            {"label": "Being monitored", "value": dc.suppress_count(row.counts["M"])},
        ],
        "needs": _needs(needs, need_cells),
        "years": _years(years, year_cells),
        "trend": trend,
        "trend_chart": _trend_chart(
            f"Pupils on SEN support and with EHC plans at {school.name}, last six terms", trend
        ),
        "concerns": _concerns(agg.concern_stats([school], agg.start_of_academic_year())),
        "compliance": compliance_figures([school])[0],
        "national": NATIONAL,
    }


def trust_dashboard(schools: list[School]) -> dict[str, Any]:
    register = agg.register_counts(schools)  # two queries for the three tables below
    rows = agg.register_by_school(schools, register)
    counts = [{"K": r.counts["K"], "E": r.counts["E"]} for r in rows]
    total_roll = sum(r.roll for r in rows)
    totals_raw = {k: sum(c[k] for c in counts) for k in ("K", "E")}
    needs = agg.needs_profile(schools, register)
    years = agg.by_year_group(schools, register)
    totals, (school_cells, need_cells, year_cells) = _register_tables(totals_raw, counts, needs, years)
    meetings = agg.parent_meeting_coverage(schools)
    provision = agg.provision_cost_by_school(schools)
    table: list[dict[str, Any]] = []
    for r, cells in zip(rows, school_cells, strict=True):
        coverage = meetings[r.school.pk]
        cost = provision[r.school.pk]
        table.append(
            {
                "school": r.school,
                "roll": dc.shown(r.roll),
                "M": dc.suppress_count(r.counts["M"]),
                "K": cells["K"],
                "E": cells["E"],
                "K_pct": dc.suppress_share(r.counts["K"], r.roll, depends_on=[cells["K"]]),
                "E_pct": dc.suppress_share(r.counts["E"], r.roll, depends_on=[cells["E"]]),
                "provision_avg": dc.suppress_average(cost["total"], cost["pupils"], text="£{:,}"),
                # Pupils on SEN support are the school's K: "5 of 6" would give away the one short.
                "meetings_pct": dc.suppress_share(
                    coverage["three_or_more"], coverage["support"], depends_on=[cells["K"]]
                ),
            }
        )
    chart = bar_chart(
        title="Percentage of pupils on SEN support and with EHC plans, by school, against national figures",
        description="Bars per school for SEN support and EHC plans as a percentage of pupils on roll, "
        "rounded to whole numbers; the national line is shown as its own row. The same numbers are in the table.",
        labels=[r.school.name for r in rows] + ["National"],
        series=[
            Series("SEN support %", [t["K_pct"].number for t in table] + [NATIONAL["support_pct"].value]),
            Series("EHC plan %", [t["E_pct"].number for t in table] + [NATIONAL["ehc_pct"].value]),
        ],
        unit="%",
    )
    trend = _trend(agg.register_trend(schools))
    compliance, compliance_by_school = compliance_figures(schools)
    return {
        "rows": table,
        "totals": {
            "roll": dc.shown(total_roll),
            "K": totals["K"],
            "E": totals["E"],
            "K_pct": dc.suppress_share(totals_raw["K"], total_roll, depends_on=[totals["K"]]),
            "E_pct": dc.suppress_share(totals_raw["E"], total_roll, depends_on=[totals["E"]]),
        },
        "chart": chart,
        "needs": _needs(needs, need_cells),
        "years": _years(years, year_cells),
        "trend": trend,
        "trend_chart": _trend_chart("Pupils on SEN support and with EHC plans across the trust, last six terms", trend),
        "concerns": _concerns(agg.concern_stats(schools, agg.start_of_academic_year())),
        "compliance": compliance,
        "compliance_by_school": compliance_by_school,
        "national": NATIONAL,
    }


# Statutory compliance ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceRow:
    label: str
    value: dc.Figure


@dataclass
class Compliance:
    rows: list[ComplianceRow]


def compliance_figures(
    schools: list[School], period: tuple[date, date] | None = None, *, today: date | None = None
) -> tuple[Compliance, list[dict[str, Any]]]:
    """Statutory compliance of these schools in the period (the last 12 months unless given), in total and
    for each school, plus annual reviews overdue today (three queries; two for one school).

    The totals and the school rows add up to each other (deadlines due, met on time, late; reviews
    overdue), so they are protected together: a school's "hidden" cannot be worked out from the trust's.
    """
    from ehcp.queries import compliance_summary, deadlines_met_by_school

    today = today or timezone.localdate()
    start, end = period or (today - timedelta(days=365), today)
    counts = compliance_summary(schools, start, end)
    # One school's deadlines are the summary's: no second query.
    by_school = (
        {schools[0].pk: (counts.on_time, counts.due)}
        if len(schools) == 1
        else deadlines_met_by_school(schools, start, end)
    )
    overdue = _reviews_overdue_by_school(schools, today)
    # Each school's deadlines split into on time and late; rows add up to the school, columns to the trust.
    cells = [[by_school[s.pk][0], by_school[s.pk][1] - by_school[s.pk][0]] for s in schools]
    deadlines = dc.protect_table(
        cells,
        row_totals=[by_school[s.pk][1] for s in schools],
        total_row=[counts.on_time, counts.due - counts.on_time],
        grand_total=counts.due,
    )
    reviews = dc.protect_table([[overdue.get(s.pk, 0)] for s in schools], total_row=[sum(overdue.values())])
    assert deadlines.grand_total is not None
    on_time, late = deadlines.total_row
    due = deadlines.grand_total
    summary_share = dc.suppress_share(counts.on_time, counts.due, depends_on=[on_time, late, due])
    plans_without = (
        counts.plans_on_time - counts.plans_exceptions_on_time,
        counts.plans_due - counts.plans_exceptions,
    )
    rows = [
        ComplianceRow("Statutory deadlines due in the period", due),
        ComplianceRow(
            "Met within the statutory time limit",
            dc.ratio(on_time, due, summary_share, rest=counts.due - counts.on_time, empty="none due"),
        ),
        ComplianceRow(
            "Local authority deadlines met on time",
            dc.suppress_ratio(counts.la_on_time, counts.la_due, within=(counts.on_time, counts.due), empty="none due"),
        ),
        ComplianceRow("Deadlines with a recorded exception", dc.suppress_count(counts.exceptions)),
        ComplianceRow(
            "Final EHC plans within 20 weeks (including exceptions)",
            dc.suppress_ratio(counts.plans_on_time, counts.plans_due, empty="none due"),
        ),
        ComplianceRow(
            "Final EHC plans within 20 weeks (excluding exceptions)",
            dc.suppress_ratio(*plans_without, within=(counts.plans_on_time, counts.plans_due), empty="none due"),
        ),
        ComplianceRow("Annual reviews overdue today", reviews.total_row[0]),
    ]
    school_rows = []
    for i, school in enumerate(schools):
        met, missed = deadlines.rows[i]
        school_due = deadlines.row_totals[i]
        school_rows.append(
            {
                "school": school,
                "due": school_due,
                "on_time": dc.suppress_share(
                    by_school[school.pk][0], by_school[school.pk][1], depends_on=[met, missed, school_due]
                ),
                "reviews_overdue": reviews.rows[i][0],
            }
        )
    return Compliance(rows=rows), school_rows


def _reviews_overdue_by_school(schools: list[School], today: date) -> dict[int, int]:
    """Pupils whose annual review is overdue today, for each school (one query)."""
    from django.db.models import Count

    from reviews.queries import annual_reviews_not_held

    return dict(
        annual_reviews_not_held(schools)
        .filter(due__lt=today)
        .values("school")
        .annotate(n=Count("pupil", distinct=True))
        .order_by()
        .values_list("school", "n")
    )


def _fingerprint(schools: list[School]) -> str:
    """Changes whenever the figures could, in one query: for every table the figures read, the newest
    change (and, where rows can be deleted, how many there are): register changes, deadlines, pupils,
    concerns, parent meetings, provision, allocations and staff rates."""
    from django.db.models import Count, QuerySet, Subquery

    from ehcp.models import Deadline
    from graduated.models import Allocation, ParentMeeting, Provision, StaffRate
    from pupils.models import Pupil
    from register.models import CauseForConcern, RegisterChange
    from trusts.models import Trust

    if not schools:
        return "none"

    # Per trust, not per school: a change anywhere in the trust renews the key (harmless: the key also
    # names the schools), and the newest change per trust is one index lookup on the large tables.
    trust_id = schools[0].trust_id

    def newest(model: Any, field: str) -> Subquery:
        # ORDER BY ... LIMIT 1: an index lookup where (trust, field) is indexed.
        qs: QuerySet[Any] = model.objects.filter(trust_id=trust_id).order_by(f"-{field}")
        return Subquery(qs.values(field)[:1])

    def rows(model: Any) -> Subquery:
        qs: QuerySet[Any] = model.objects.filter(trust_id=trust_id).order_by()
        return Subquery(qs.values("trust").annotate(v=Count("id")).values("v")[:1])

    parts = {
        "fp_changes": newest(RegisterChange, "id"),
        "fp_deadlines": newest(Deadline, "updated_at"),
        "fp_pupils": newest(Pupil, "updated_at"),  # pupils are never deleted: leavers get a date
        "fp_concerns": newest(CauseForConcern, "updated_at"),
    }
    for name, model in (
        ("meetings", ParentMeeting),
        ("provision", Provision),
        ("allocations", Allocation),
        ("rates", StaffRate),
    ):
        parts[f"fp_{name}"] = newest(model, "updated_at")
        parts[f"fp_{name}_rows"] = rows(model)
    row = Trust.objects.filter(pk=trust_id).annotate(**parts).values(*parts).first() or {}
    return "|".join(str(row.get(name)) for name in parts)


def cached_trust_dashboard(schools: list[School]) -> dict[str, Any]:
    """The trust figures are slow-moving and cost ~250 ms for 50,000 pupils: keep them in the cache,
    keyed on a one-query fingerprint of what would change them, so they are never stale."""
    import hashlib

    from django.core.cache import cache

    raw = ",".join(str(s.pk) for s in schools) + ":" + _fingerprint(schools)
    key = "trust-dashboard:" + hashlib.sha256(raw.encode()).hexdigest()
    context = cache.get(key)
    if context is None:
        context = trust_dashboard(schools)
        cache.set(key, context, timeout=3600)
    return context
