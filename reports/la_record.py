"""The local authority's record (issue #18): how each LA the trust works with meets its statutory deadlines.

Reads only. Every LA deadline (A1, A3, A6, R1, R6, R8, R9, X2; `ehcp.rules`) due by law in an academic year
falls in exactly one of:

- **on time**: done on or before the date the law gives (`ehcp.queries.MET_ON_TIME`: the statutory date, never
  a trust's earlier target);
- **late**: done after it, by so many days;
- **overdue**: not done, and the date has passed;
- **not yet due**: not done, and the date is today or later;
- **exception**: not done on time, with an exception the law allows recorded (SEND Regs 2014 reg 10(4): a
  school closure, exceptional personal circumstances, the family away). Left out of "late" and "overdue" as
  the DfE leaves them out of its "excluding exceptions" figure, and never listed in an escalation letter.

Waived deadlines (the step no longer applies) are not counted. "Days late" is counted from the statutory date
to the day the step was done, or, for a deadline still overdue, to today (it will be at least that late); the
median and the worst are over both.

Which LA a deadline belongs to: the one named on its subject (the needs assessment, the EHC plan, the plan of
the annual review or the phase transfer), which is the school's own LA for nearly every case. So the counts
group by the school's LA, and only subjects whose LA differs (a child living across the border) are looked up
one by one: one query for the whole trust, whatever the number of deadlines.

The counts are exact. `reports.la_tables` decides what of them a reader sees (trustees: through
`reports.disclosure`).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from ehcp.models import Consultation, Deadline, EhcPlan, NeedsAssessment, PhaseTransfer, SubjectType
from ehcp.rules import RULES, Rule
from reviews.models import SUBJECT_TYPE as ANNUAL_REVIEW
from reviews.models import AnnualReview
from trusts.dates import academic_year_bounds, academic_year_of
from trusts.models import School

# The LA's own time limits (`who == "la"` in ehcp.rules) that a trust can hold it to. R2 (reviews of the
# under-fives, "every 3 to 6 months") and X1 (the earliest day a re-assessment may happen) are not promises
# to the trust of a date.
LA_CODES: tuple[str, ...] = ("A1", "A3", "A6", "R1", "R6", "R8", "R9", "X2")
YEARS_SHOWN = 4  # this academic year and the three before it

ON_TIME, LATE, OVERDUE, NOT_YET_DUE, EXCEPTION = "on_time", "late", "overdue", "not_yet_due", "exception"
CATEGORIES = (ON_TIME, LATE, OVERDUE, NOT_YET_DUE, EXCEPTION)
Status = Deadline.Status


@dataclass
class Counts:
    """One LA's deadlines of one code (or of all codes) in one academic year."""

    on_time: int = 0
    late: int = 0
    overdue: int = 0
    not_yet_due: int = 0
    exception: int = 0
    # Days late (done late, or overdue so far) -> how many deadlines were that late.
    days: Counter[int] = field(default_factory=Counter)

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.overdue + self.not_yet_due + self.exception

    @property
    def missed(self) -> int:
        """Late or overdue: the deadlines the median and the worst are taken over."""
        return self.late + self.overdue

    @property
    def median_days(self) -> float | None:
        """The middle of the days late (the mean of the two middle ones for an even number)."""
        if not self.days:
            return None
        return statistics.median(sorted(self.days.elements()))

    @property
    def worst_days(self) -> int | None:
        return max(self.days) if self.days else None

    def add(self, other: Counts) -> None:
        for name in CATEGORIES:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days.update(other.days)

    def cells(self) -> list[int]:
        """The counts that add up to `due`, in the order the tables print them."""
        return [getattr(self, name) for name in CATEGORIES]


@dataclass
class LaRecord:
    """One local authority: its counts by academic year and code."""

    name: str
    years: dict[int, dict[str, Counts]] = field(default_factory=dict)

    def year(self, academic_year: int) -> dict[str, Counts]:
        codes = self.years.get(academic_year, {})
        return {code: codes.get(code, Counts()) for code in LA_CODES}

    def total(self, academic_year: int) -> Counts:
        total = Counts()
        for counts in self.year(academic_year).values():
            total.add(counts)
        return total


def shown_years(today: date) -> list[int]:
    """The academic years the record covers, newest first: this one and the three before it."""
    current = academic_year_of(today)
    return [current - n for n in range(YEARS_SHOWN)]


def year_label(academic_year: int) -> str:
    """2026 -> "2026/27"."""
    return f"{academic_year}/{(academic_year + 1) % 100:02d}"


# Which LA a deadline belongs to ---------------------------------------------------------------------------


def _named_elsewhere() -> list[tuple[str, QuerySet[Any], str]]:
    """(subject type, the subjects whose LA is not their school's, the field naming it): few rows, so they
    are looked up one by one while every other deadline takes its school's LA."""
    return [
        (
            SubjectType.NEEDS_ASSESSMENT,
            NeedsAssessment.objects.exclude(local_authority=F("school__local_authority")),
            "local_authority",
        ),
        (
            SubjectType.EHC_PLAN,
            EhcPlan.objects.exclude(local_authority=F("school__local_authority")),
            "local_authority",
        ),
        (
            ANNUAL_REVIEW,
            AnnualReview.objects.exclude(plan__local_authority=F("school__local_authority")),
            "plan__local_authority",
        ),
        (
            SubjectType.PHASE_TRANSFER,
            PhaseTransfer.objects.exclude(plan__local_authority=F("school__local_authority")),
            "plan__local_authority",
        ),
        # A5 on a consultation about a child not yet on roll: only ever an LA's breach (below).
        (
            SubjectType.CONSULTATION,
            Consultation.objects.exclude(local_authority=F("school__local_authority")),
            "local_authority",
        ),
    ]


def deadline_la() -> Case:
    """An expression giving each deadline's local authority (see the module's docstring)."""
    whens = [
        When(
            Q(subject_type=subject_type, subject_id__in=elsewhere.values("pk")),
            then=Subquery(elsewhere.filter(pk=OuterRef("subject_id")).values(la_field)[:1]),
        )
        for subject_type, elsewhere, la_field in _named_elsewhere()
    ]
    return Case(*whens, default=F("school__local_authority"), output_field=CharField())


def _category(today: date) -> Case:
    met = Q(status=Status.MET)
    return Case(
        When(met & Q(met_on__lte=F("statutory_due")), then=Value(ON_TIME)),
        When(~Q(exception_kind=""), then=Value(EXCEPTION)),
        When(met, then=Value(LATE)),
        When(statutory_due__lt=today, then=Value(OVERDUE)),
        default=Value(NOT_YET_DUE),
        output_field=CharField(),
    )


def _days_late(today: date) -> Case:
    late = Q(status=Status.MET, met_on__gt=F("statutory_due"), exception_kind="")
    overdue = ~Q(status=Status.MET) & Q(statutory_due__lt=today, exception_kind="")
    return Case(
        When(late, then=ExpressionWrapper(F("met_on") - F("statutory_due"), output_field=DurationField())),
        When(
            overdue,
            then=ExpressionWrapper(
                Value(today, output_field=DateField()) - F("statutory_due"), output_field=DurationField()
            ),
        ),
        default=None,
        output_field=DurationField(),
    )


def la_deadlines(schools: list[School], start: date, end: date) -> QuerySet[Deadline]:
    """The LA deadlines of these schools due by law from `start` to `end`, waived ones left out (annotate
    them with `deadline_la()` to group or filter by LA)."""
    return Deadline.objects.filter(school__in=schools, rule_id__in=LA_CODES, statutory_due__range=(start, end)).exclude(
        status=Status.WAIVED
    )


# The record ---------------------------------------------------------------------------------------------


def la_records(schools: list[School], *, today: date, years: list[int] | None = None) -> list[LaRecord]:
    """Every LA with deadlines at these schools in the years given (`shown_years` by default), by name, with
    its counts by year and code. One query, whatever the number of deadlines: the database counts, Python
    only adds up the few rows that come back (one per LA, year, code, kind and number of days late)."""
    years = years or shown_years(today)
    if not schools:
        return []
    first, last = academic_year_bounds(min(years))[0], academic_year_bounds(max(years))[1]
    year = Case(
        *(When(statutory_due__range=academic_year_bounds(y), then=Value(y)) for y in years),
        default=None,
    )
    rows = (
        la_deadlines(schools, first, last)
        .annotate(la=deadline_la(), category=_category(today), late_by=_days_late(today), year=year)
        .values("la", "year", "rule_id", "category", "late_by")
        .annotate(n=Count("id"))
        .order_by()
    )
    records: dict[str, LaRecord] = {}
    for row in rows:
        if row["year"] is None:
            continue
        record = records.setdefault(row["la"], LaRecord(name=row["la"]))
        counts = record.years.setdefault(row["year"], {}).setdefault(row["rule_id"], Counts())
        setattr(counts, row["category"], getattr(counts, row["category"]) + row["n"])
        if row["late_by"] is not None:
            counts.days[row["late_by"].days] += row["n"]
    return [records[name] for name in sorted(records, key=str.casefold)]


def _fingerprint(schools: list[School]) -> str:
    """Changes whenever the record could, in one query: per trust, the newest change to deadlines (and how many
    there are: the retention schedule deletes some), to the subjects that name an LA and to the schools."""
    from django.db.models import Max

    from trusts.models import Trust

    trust_id = schools[0].trust_id

    def newest(model: Any) -> Subquery:
        qs: QuerySet[Any] = model.objects.filter(trust_id=trust_id).order_by("-updated_at")
        return Subquery(qs.values("updated_at")[:1])

    parts: dict[str, Any] = {
        "fp_deadlines": newest(Deadline),
        "fp_deadline_rows": Subquery(
            Deadline.objects.filter(trust_id=trust_id)
            .order_by()
            .values("trust")
            .annotate(v=Count("id"))
            .values("v")[:1]
        ),
        "fp_schools": Max("schools__updated_at"),
    }
    for model in (NeedsAssessment, EhcPlan, AnnualReview, PhaseTransfer, Consultation):
        parts[f"fp_{model.__name__}"] = newest(model)
    row = Trust.objects.filter(pk=trust_id).annotate(**parts).values(*parts).first() or {}
    return "|".join(str(row.get(name)) for name in parts)


def cached_la_records(schools: list[School], *, today: date) -> list[LaRecord]:
    """`la_records`, kept in the cache under a one-query fingerprint of what would change it (and today's date,
    which moves deadlines from "not yet due" to "overdue"), so it is never stale: for a 50-school trust the
    count runs over some 100,000 deadlines, and the record changes far less often than it is read."""
    import hashlib

    from django.core.cache import cache

    if not schools:
        return []
    raw = f"{today.isoformat()}:" + ",".join(str(s.pk) for s in schools) + ":" + _fingerprint(schools)
    key = "la-record:" + hashlib.sha256(raw.encode()).hexdigest()
    records: list[LaRecord] | None = cache.get(key)
    if records is None:
        records = la_records(schools, today=today)
        cache.set(key, records, timeout=3600)
    return records


def local_authorities(schools: list[School], *, today: date) -> list[str]:
    """The LAs with deadlines at these schools in the years the record covers, by name (one query)."""
    years = shown_years(today)
    first, last = academic_year_bounds(min(years))[0], academic_year_bounds(max(years))[1]
    names = (
        la_deadlines(schools, first, last).annotate(la=deadline_la()).values_list("la", flat=True).distinct().order_by()
    )
    return sorted(set(names), key=str.casefold)


# The escalation letter ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissedDeadline:
    """One deadline the LA missed, as the escalation letter lists it: the child by initials only."""

    initials: str
    school: str
    rule: Rule
    statutory_due: date
    done_on: date | None
    days_late: int


@dataclass
class LetterContent:
    local_authority: str
    start: date
    end: date
    today: date
    missed: list[MissedDeadline]
    on_time: int
    not_yet_due: int
    exceptions: int
    pupil_ids: list[int]

    @property
    def due(self) -> int:
        return self.on_time + len(self.missed) + self.not_yet_due + self.exceptions

    @property
    def still_open(self) -> int:
        return sum(1 for m in self.missed if m.done_on is None)

    @property
    def rules(self) -> list[Rule]:
        """Each time limit the letter cites, once, in the order of ehcp.rules."""
        cited = {m.rule.id for m in self.missed}
        return [RULES[code] for code in LA_CODES if code in cited]


def initials(deadline: Deadline) -> str:
    """The child's initials (ehcp.calendar's rule for anything that leaves the casework pages)."""
    from ehcp.calendar import initials as deadline_initials

    return deadline_initials(deadline)


def letter_content(
    *, schools: list[School], local_authority: str, start: date, end: date, today: date
) -> LetterContent:
    """The deadlines of one LA due by law from `start` to `end` at these schools: those it missed (late or
    still overdue, without an exception the law allows), oldest first, and how many others were on time, not
    yet due or excused. One query (deadlines with their pupil and school)."""
    deadlines = list(
        la_deadlines(schools, start, end)
        .annotate(la=deadline_la())
        .filter(la=local_authority)
        .select_related("pupil", "school")
        .order_by("statutory_due", "rule_id", "pk")
    )
    missed: list[MissedDeadline] = []
    counts = Counter[str]()
    pupils: dict[int, None] = {}
    for d in deadlines:
        done_on = d.met_on if d.status == Status.MET else None
        if done_on is not None and done_on <= d.statutory_due:
            counts[ON_TIME] += 1
        elif d.exception_kind:
            counts[EXCEPTION] += 1
        elif done_on is None and d.statutory_due >= today:
            counts[NOT_YET_DUE] += 1
        else:
            missed.append(
                MissedDeadline(
                    initials=initials(d),
                    school=d.school.name,
                    rule=d.rule,
                    statutory_due=d.statutory_due,
                    done_on=done_on,
                    days_late=((done_on or today) - d.statutory_due).days,
                )
            )
            if d.pupil_id is not None:
                pupils[d.pupil_id] = None
    return LetterContent(
        local_authority=local_authority,
        start=start,
        end=end,
        today=today,
        missed=missed,
        on_time=counts[ON_TIME],
        not_yet_due=counts[NOT_YET_DUE],
        exceptions=counts[EXCEPTION],
        pupil_ids=list(pupils),
    )
