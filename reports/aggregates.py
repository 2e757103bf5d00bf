"""Aggregate counts for governors, trustees and the inclusion lead: raw totals, never text.

Every function takes a list of schools and runs a fixed number of queries whatever their size. The counts
are exact: `reports.disclosure` decides what of them a page may show (`reports.dashboards` calls it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from pupils.models import YEAR_ORDER, Pupil
from register.models import CauseForConcern, NeedType, RegisterChange, RegisterEntry, SenStatus
from trusts.calendar_defaults import academic_year_of, default_terms
from trusts.models import School

STATUSES = [s.value for s in SenStatus]


@dataclass
class SchoolRow:
    school: School
    roll: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))


def _on_roll(schools: list[School]) -> Any:
    return Pupil.objects.filter(school__in=schools, leaving_date=None)


def _entries(schools: list[School]) -> Any:
    """Register entries of pupils on roll: far fewer rows than pupils, so counts start here."""
    return RegisterEntry.objects.filter(pupil__school__in=schools, pupil__leaving_date=None)


@dataclass
class RegisterCounts:
    """Pupils on roll by (school, year group) and register entries by (school, year group, need, status): the
    two queries that the register table, the needs profile and the year-group table all read from, so a page
    showing the three pays for two queries, not five."""

    roll: list[tuple[int, str, int]]
    entries: list[tuple[int, str, str, str, int]]


def register_counts(schools: list[School]) -> RegisterCounts:
    roll = _on_roll(schools).values("school_id", "year_group").annotate(n=Count("pk")).order_by()
    entries = (
        _entries(schools)
        .values("pupil__school_id", "pupil__year_group", "primary_need", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return RegisterCounts(
        roll=list(roll.values_list("school_id", "year_group", "n")),
        entries=list(entries.values_list("pupil__school_id", "pupil__year_group", "primary_need", "status", "n")),
    )


def register_by_school(schools: list[School], counts: RegisterCounts | None = None) -> list[SchoolRow]:
    counts = counts or register_counts(schools)
    rows = {s.pk: SchoolRow(school=s) for s in schools}
    for school_id, _year, n in counts.roll:
        rows[school_id].roll += n
    for school_id, _year, _need, status, n in counts.entries:
        rows[school_id].counts[status] += n
    for row in rows.values():
        row.counts["N"] = row.roll - sum(row.counts[s] for s in STATUSES if s != "N")
    return [rows[s.pk] for s in schools]


def needs_profile(schools: list[School], counts: RegisterCounts | None = None) -> list[dict[str, Any]]:
    """Primary need of pupils on SEN support and with EHC plans, across the schools given."""
    counts = counts or register_counts(schools)
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"K": 0, "E": 0})
    for _school, _year, need, status, n in counts.entries:
        if status in ("K", "E"):
            table[need or "OTH"][status] += n
    return [
        {"code": code, "label": NeedType(code).label, "K": table[code]["K"], "E": table[code]["E"]}
        for code in NeedType.values
        if code in table
    ]


def by_year_group(schools: list[School], counts: RegisterCounts | None = None) -> list[dict[str, Any]]:
    counts = counts or register_counts(schools)
    rolls: dict[str, int] = defaultdict(int)
    for _school, year, n in counts.roll:
        rolls[year] += n
    on_register: dict[str, dict[str, int]] = defaultdict(lambda: {"K": 0, "E": 0})
    for _school, year, _need, status, n in counts.entries:
        if status in ("K", "E"):
            on_register[year][status] += n
    years = sorted(rolls, key=lambda y: YEAR_ORDER.get(y, 99))
    return [{"year": y, "roll": rolls[y], "K": on_register[y]["K"], "E": on_register[y]["E"]} for y in years]


def term_ends(today: date, count: int = 6) -> list[tuple[str, date]]:
    """The last `count` term ends (autumn, spring, summer) up to today, oldest first."""
    ends: list[tuple[str, date]] = []
    year = academic_year_of(today)
    while len(ends) < count:
        terms = default_terms(year)
        for label, half in (("Summer", 5), ("Spring", 3), ("Autumn", 1)):
            end = terms[half].end
            if end <= today:
                ends.append((f"{label} {end.year}", end))
        year -= 1
    ends.sort(key=lambda item: item[1])
    return ends[-count:]


def register_trend(schools: list[School], today: date | None = None) -> list[dict[str, Any]]:
    """Pupils on SEN support and with EHC plans at the end of each of the last six terms,
    rebuilt from register history (one query)."""
    today = today or timezone.localdate()
    points = term_ends(today)
    changes = (
        RegisterChange.objects.filter(school__in=schools, effective_date__lte=points[-1][1])
        .order_by("pupil_id", "effective_date", "id")
        .values_list("pupil_id", "effective_date", "to_status")
    )
    history: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for pupil_id, when, to in changes:
        history[pupil_id].append((when, to))
    result = []
    for label, end in points:
        k = e = 0
        for steps in history.values():
            status: str | None = None
            for when, to_status in steps:
                if when > end:
                    break
                status = to_status
            if status == "K":
                k += 1
            elif status == "E":
                e += 1
        result.append({"label": label, "date": end, "K": k, "E": e})
    return result


def concern_stats(schools: list[School], since: date) -> dict[str, Any]:
    """Concerns raised since a date, how many are still waiting, how many were decided (triaged) and the
    median days to that decision."""
    rows = list(
        CauseForConcern.objects.filter(school__in=schools, created_at__date__gte=since).values_list(
            "created_at", "triaged_at", "status"
        )
    )
    waits = sorted((t - c).total_seconds() / 86400 for c, t, _ in rows if t)
    median = waits[len(waits) // 2] if waits else None
    return {
        "raised": len(rows),
        "waiting": sum(1 for _, t, status in rows if t is None and status != "closed"),
        "decided": len(waits),
        "median_days_to_triage": round(median, 1) if median is not None else None,
    }


def start_of_academic_year(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return date(academic_year_of(today), 9, 1)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


def parent_meeting_coverage(schools: list[School], today: date | None = None) -> dict[int, dict[str, int]]:
    """Per school: pupils on SEN support, and how many of them had at least three parent meetings this school
    year (CoP 6.65). One query (a row per pupil on SEN support)."""
    from django.db.models import Q

    today = today or timezone.localdate()
    start = start_of_academic_year(today)
    rows = (
        # The entry's trust too: without it PostgreSQL reads every trust's SEN support entries (a seq scan of
        # 300,000 rows at national scale); with it, one trust's, on (trust, school, status).
        Pupil.objects.filter(
            school__in=schools,
            leaving_date=None,
            register_entry__trust_id=schools[0].trust_id if schools else 0,
            register_entry__status="K",
        )
        .annotate(
            m=Count(
                "parent_meetings", filter=Q(parent_meetings__held_on__gte=start, parent_meetings__held_on__lte=today)
            )
        )
        .values_list("school_id", "m")
    )
    coverage = {s.pk: {"support": 0, "three_or_more": 0} for s in schools}
    for school_id, meetings in rows:
        coverage[school_id]["support"] += 1
        coverage[school_id]["three_or_more"] += meetings >= 3
    return coverage


def provision_cost_by_school(schools: list[School]) -> dict[int, dict[str, Any]]:
    """Per school: pupils with provision that counts (`graduated.queries.counted_allocations`, as on the
    provision map) and its average yearly cost per pupil, with each school's own staff rates and the
    provision map's formula (two queries)."""
    from decimal import Decimal

    from graduated import costs
    from graduated.models import StaffRate
    from graduated.queries import counted_allocations

    rates = {
        (sid, role): rate
        for sid, role, rate in StaffRate.objects.filter(school__in=schools).values_list(
            "school_id", "role", "hourly_rate"
        )
    }
    per_pupil: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    # Summed, not listed: no ORDER BY (the provision map's order sorts 20,000 rows for nothing here).
    allocations = (
        counted_allocations(schools)
        .order_by()
        .values_list(
            "school_id",
            "cycle__pupil_id",
            "provision__sessions_per_week",
            "provision__minutes_per_session",
            "provision__group_size",
            "provision__staff_role",
        )
    )
    for school_id, pupil_id, sessions, minutes, group, role in allocations:
        rate = rates.get((school_id, role), Decimal(0))
        per_pupil[(school_id, pupil_id)] += costs.cost_per_pupil(sessions, minutes, rate, group)
    result: dict[int, dict[str, Any]] = {s.pk: {"pupils": 0, "total": Decimal(0)} for s in schools}
    for (school_id, _), cost in per_pupil.items():
        result[school_id]["pupils"] += 1
        result[school_id]["total"] += cost
    for row in result.values():
        row["average"] = (row["total"] / row["pupils"]).quantize(Decimal("1")) if row["pupils"] else None
    return result
