"""Dashboard contexts: the school in aggregate (governors, heads, SENCOs, lead) and the trust side by side."""

from __future__ import annotations

from typing import Any

from trusts.models import School

from . import aggregates as agg
from .charts import Series, bar_chart, line_chart
from .national import NATIONAL


def _shown_pct(count: int, value: float | None) -> float | None:
    """A percentage as the chart may show it: None (drawn as "–") where the table suppresses it."""
    return None if 0 < count < agg.SMALL else value


def _no_small_counts(trend: list[dict[str, Any]]) -> bool:
    """A trend chart would show counts the table hides: leave it out when any is between 1 and 4."""
    return all(t[k] == 0 or t[k] >= agg.SMALL for t in trend for k in ("K", "E"))


def school_dashboard(school: School) -> dict[str, Any]:
    row = agg.register_by_school([school])[0]
    needs = agg.needs_profile([school])
    years = agg.by_year_group([school])
    trend = agg.register_trend([school])
    concerns = agg.concern_stats([school], agg.start_of_academic_year())
    return {
        "school": school,
        "row": row,
        "headline": [
            {"label": "Pupils on roll", "value": str(row.roll)},
            {
                "label": "On SEN support (K)",
                "value": agg.suppress(row.counts["K"]),
                "pct": agg.suppressed_pct(row.counts["K"], row.roll),
                "national": NATIONAL["support_pct"],
            },
            {
                "label": "With an EHC plan (E)",
                "value": agg.suppress(row.counts["E"]),
                "pct": agg.suppressed_pct(row.counts["E"], row.roll),
                "national": NATIONAL["ehc_pct"],
            },
            {"label": "Being monitored", "value": agg.suppress(row.counts["M"])},
        ],
        "needs": [{**n, "K_shown": agg.suppress(n["K"]), "E_shown": agg.suppress(n["E"])} for n in needs],
        "years": [
            {
                **y,
                "K_shown": agg.suppress(y["K"]),
                "E_shown": agg.suppress(y["E"]),
                "pct": agg.suppressed_pct(y["K"] + y["E"], y["roll"]),
            }
            for y in years
        ],
        "trend": [{**t, "K_shown": agg.suppress(t["K"]), "E_shown": agg.suppress(t["E"])} for t in trend],
        "trend_chart": line_chart(
            title=f"Pupils on SEN support and with EHC plans at {school.name}, last six terms",
            description="Counts at the end of each term, rebuilt from the register history. Table below.",
            labels=[t["label"] for t in trend],
            series=[
                Series("SEN support (K)", [t["K"] for t in trend]),
                Series("EHC plan (E)", [t["E"] for t in trend]),
            ],
        )
        if _no_small_counts(trend)
        else None,
        "concerns": concerns,
        # One school's figures: small counts hidden, as everywhere a governor looks.
        "compliance": _compliance([school], suppress_small=True),
        "national": NATIONAL,
    }


def trust_dashboard(schools: list[School]) -> dict[str, Any]:
    rows = agg.register_by_school(schools)
    total_roll = sum(r.roll for r in rows)
    total_k = sum(r.counts["K"] for r in rows)
    total_e = sum(r.counts["E"] for r in rows)
    chart = bar_chart(
        title="Percentage of pupils on SEN support and with EHC plans, by school, against national figures",
        description="Bars per school for SEN support and EHC plans as a percentage of pupils on roll; "
        "the national line is shown as its own row. The same numbers are in the table.",
        labels=[r.school.name for r in rows] + ["National"],
        series=[
            Series(
                "SEN support %",
                [_shown_pct(r.counts["K"], r.support_pct) for r in rows] + [NATIONAL["support_pct"].value],
            ),
            Series("EHC plan %", [_shown_pct(r.counts["E"], r.ehc_pct) for r in rows] + [NATIONAL["ehc_pct"].value]),
        ],
        unit="%",
    )
    trend = agg.register_trend(schools)
    meetings = agg.parent_meeting_coverage(schools)
    provision = agg.provision_cost_by_school(schools)
    return {
        "rows": [
            {
                "school": r.school,
                "roll": r.roll,
                "M": agg.suppress(r.counts["M"]),
                "K": agg.suppress(r.counts["K"]),
                "E": agg.suppress(r.counts["E"]),
                "N": r.counts["N"],
                "K_pct": agg.suppressed_pct(r.counts["K"], r.roll),
                "E_pct": agg.suppressed_pct(r.counts["E"], r.roll),
                "provision_avg": (
                    f"£{provision[r.school.pk]['average']:,}" if provision[r.school.pk]["pupils"] >= agg.SMALL else "–"
                ),
                "meetings_pct": agg.suppressed_pct(
                    meetings[r.school.pk]["three_or_more"], meetings[r.school.pk]["support"]
                ),
            }
            for r in rows
        ],
        "totals": {
            "roll": total_roll,
            "K": agg.suppress(total_k),
            "E": agg.suppress(total_e),
            "K_pct": agg.suppressed_pct(total_k, total_roll),
            "E_pct": agg.suppressed_pct(total_e, total_roll),
        },
        "chart": chart,
        "needs": [
            {**n, "K_shown": agg.suppress(n["K"]), "E_shown": agg.suppress(n["E"])} for n in agg.needs_profile(schools)
        ],
        "years": [
            {
                **y,
                "K_shown": agg.suppress(y["K"]),
                "E_shown": agg.suppress(y["E"]),
                "pct": agg.suppressed_pct(y["K"] + y["E"], y["roll"]),
            }
            for y in agg.by_year_group(schools)
        ],
        "trend": [{**t, "K_shown": agg.suppress(t["K"]), "E_shown": agg.suppress(t["E"])} for t in trend],
        "trend_chart": line_chart(
            title="Pupils on SEN support and with EHC plans across the trust, last six terms",
            description="Counts at the end of each term, rebuilt from register history. Table below.",
            labels=[t["label"] for t in trend],
            series=[
                Series("SEN support (K)", [t["K"] for t in trend]),
                Series("EHC plan (E)", [t["E"] for t in trend]),
            ],
        )
        if _no_small_counts(trend)
        else None,
        "concerns": agg.concern_stats(schools, agg.start_of_academic_year()),
        "compliance": _compliance(schools),
        "compliance_by_school": _compliance_by_school(schools),
        "national": NATIONAL,
    }


def _compliance(schools: list[School], *, suppress_small: bool = False) -> Any:
    """Statutory compliance over the last 12 months, plus annual reviews now overdue (two queries)."""
    from datetime import timedelta

    from django.utils import timezone

    from ehcp.queries import ComplianceRow, compliance_summary
    from reviews.queries import annual_review_counts

    today = timezone.localdate()
    summary = compliance_summary(schools, today - timedelta(days=365), today, suppress_small=suppress_small)
    overdue = annual_review_counts(schools, today=today)["overdue"]
    summary.rows.append(ComplianceRow("Annual reviews overdue today", agg.suppress(overdue)))
    return summary


def _compliance_by_school(schools: list[School]) -> list[dict[str, Any]]:
    """Each school's statutory deadlines due in the last 12 months, the share met on time, and annual
    reviews overdue today, side by side (two queries). Small numbers hidden as on the rest of the page."""
    from datetime import timedelta

    from django.db.models import Count, F, Q
    from django.utils import timezone

    from ehcp.models import Deadline

    today = timezone.localdate()
    due = {
        r["school"]: r
        for r in Deadline.objects.filter(school__in=schools, statutory_due__range=(today - timedelta(days=365), today))
        .exclude(status=Deadline.Status.WAIVED)
        .values("school")
        .annotate(
            due=Count("id"),
            on_time=Count("id", filter=Q(status=Deadline.Status.MET, met_on__lte=F("statutory_due"))),
        )
        .order_by()
    }
    from reviews.queries import annual_reviews_not_held

    overdue = dict(
        annual_reviews_not_held(schools)
        .filter(due__lt=today)
        .values("school")
        .annotate(n=Count("pupil", distinct=True))
        .order_by()
        .values_list("school", "n")
    )
    rows = []
    for school in schools:
        counts = due.get(school.pk, {"due": 0, "on_time": 0})
        rows.append(
            {
                "school": school,
                "due": agg.suppress(counts["due"]),
                "on_time": agg.suppressed_pct(counts["on_time"], counts["due"]),
                "reviews_overdue": agg.suppress(overdue.get(school.pk, 0)),
            }
        )
    return rows


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
