"""The home page as a work list: what to do next, most consequential first, each line a link to the action.

Casework (SENCO, headteacher, inclusion lead): statutory deadlines overdue, then due this week, concerns
waiting for triage, annual reviews to prepare (due in the next five weeks), EHC plan provision delivered
below the trust's threshold this term (and plans not yet mapped to the provision that delivers them), and
support plans to review (overdue or due in two weeks). Teachers and teaching assistants: sessions to log
today, their pupils and their open concerns. Each group shows at most LINES lines and says how many more
there are, with a link to the full list; every group costs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from ehcp.models import Deadline, Responsible
from ehcp.queries import DeadlineBuckets
from graduated.queries import provisions_to_log, reviews_due_or_overdue
from graduated.queries.lists import DUE_WITHIN_DAYS
from register.concern_queries import concerns_raised_by, concerns_visible_to
from register.models import CauseForConcern
from trusts.models import School, User

LINES = 8
ANNUAL_REVIEW_RULES = ("R1", "R2")


@dataclass(frozen=True)
class WorkLine:
    when: str  # "Overdue by 3 days", "Due Thu 10 Dec", "Waiting 4 days"
    urgency: str  # "late", "soon" or "" (the tag's colour)
    what: str  # the action, the line's link text
    url: str
    who: str = ""  # the pupil (and school, when the person works in several), who must act


@dataclass
class WorkGroup:
    title: str
    lines: list[WorkLine] = field(default_factory=list)
    total: int = 0
    more_url: str = ""
    more_label: str = ""
    empty: str = ""

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.lines))


@dataclass(frozen=True)
class WorkList:
    """The groups with something to do (in their order of consequence) and those with nothing waiting."""

    waiting: list[WorkGroup]
    clear: list[WorkGroup]

    @classmethod
    def of(cls, groups: list[WorkGroup]) -> WorkList:
        return cls([g for g in groups if g.lines], [g for g in groups if not g.lines])


def _day(day: date, today: date) -> str:
    if day == today:
        return "today"
    if day == today + timedelta(days=1):
        return "tomorrow"
    return f"{day:%a} {day.day} {day:%b}"


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def _who(pupil_label: str, school: School | None, several_schools: bool) -> str:
    return f"{pupil_label}, {school.name}" if several_schools and school is not None else pupil_label


def _deadline_line(d: Deadline, today: date, several_schools: bool) -> WorkLine:
    if d.due < today:
        when, urgency = f"Overdue by {_days((today - d.due).days)}", "late"
    else:
        when, urgency = f"Due {_day(d.due, today)}", "soon"
    who = _who(d.child_label, d.school, several_schools)
    if d.responsible == Responsible.LA:
        who += " · the local authority acts: chase them" if urgency == "late" else " · the local authority acts"
    elif d.responsible == Responsible.PARENT:
        who += " · the family acts"
    return WorkLine(when, urgency, f"{d.rule_id} {d.rule.action}", d.act_url, who)


def _deadline_group(title: str, deadlines: list[Deadline], today: date, several: bool, empty: str) -> WorkGroup:
    return WorkGroup(
        title,
        [_deadline_line(d, today, several) for d in deadlines[:LINES]],
        len(deadlines),
        reverse("ehcp:deadlines"),
        "See every deadline",
        empty,
    )


def _concern_group(user: User, today: date, several: bool, waiting: int) -> WorkGroup:
    concerns = (
        concerns_visible_to(user)
        .filter(status=CauseForConcern.Status.NEW)
        .select_related("pupil", "school")
        .order_by("created_at", "pk")[:LINES]
    )
    lines = []
    for concern in concerns:
        age = (today - timezone.localdate(concern.created_at)).days
        lines.append(
            WorkLine(
                "Raised today" if age == 0 else f"Waiting {_days(age)}",
                "late" if age > 7 else "",
                "Triage the concern",
                reverse("register:concern_detail", args=[concern.pk]),
                _who(concern.pupil.display_name, concern.school, several),
            )
        )
    return WorkGroup(
        "Concerns waiting for triage",
        lines,
        waiting,
        reverse("register:concern_queue"),
        "See every concern",
        "No concern is waiting.",
    )


def _review_group(buckets: DeadlineBuckets, today: date, several: bool) -> WorkGroup:
    """Annual reviews whose date falls after this week but within the next four weeks: time to invite people
    and ask for advice (the meeting needs 2 weeks' notice). Those due sooner are already above."""
    coming = [d for d in buckets.next_four_weeks if d.rule_id in ANNUAL_REVIEW_RULES]
    lines = [
        WorkLine(
            f"Due {_day(d.due, today)}",
            "",
            "Prepare the annual review",
            d.act_url,
            _who(d.child_label, d.school, several),
        )
        for d in coming[:LINES]
    ]
    return WorkGroup(
        "Annual reviews to prepare",
        lines,
        len(coming),
        reverse("reviews:list"),
        "See every annual review",
        "No annual review falls in the next 5 weeks.",
    )


def _support_group(schools: list[School], today: date, several: bool, total: int | None) -> WorkGroup:
    due = reviews_due_or_overdue(schools, today=today)
    total = due.count() if total is None else total
    lines = []
    for cycle in due[:LINES]:
        if cycle.review_date is None:  # a plan in place always has one; the field allows none before
            continue
        late = cycle.review_date < today
        when = (
            f"Overdue by {_days((today - cycle.review_date).days)}" if late else f"Due {_day(cycle.review_date, today)}"
        )
        lines.append(
            WorkLine(
                when,
                "late" if late else "",
                "Review the support plan",
                reverse("graduated:review", args=[cycle.pk]),
                _who(cycle.pupil.display_name, cycle.school, several),
            )
        )
    return WorkGroup(
        "Support plans to review",
        lines,
        total,
        reverse("graduated:overview"),
        "See every pupil on SEN support",
        f"No support plan is due for review in the next {DUE_WITHIN_DAYS // 7} weeks.",
    )


def _delivery_group(schools: list[School], today: date, several: bool) -> WorkGroup:
    """Pupils whose EHC plan provision is delivered below the trust's threshold this term, most short first;
    and, first, plans that promise hours but are not yet mapped to the provision that delivers them."""
    from .delivery import short_of_plan

    short = short_of_plan(schools, today=today)
    by_id = {school.pk: school for school in schools}
    lines = []
    if short.unmapped:
        plans = f"{short.unmapped} EHC plan{'s' if short.unmapped != 1 else ''}"
        lines.append(
            WorkLine(
                "Not mapped yet",
                "",
                f"Map {plans} to the provision that delivers {'them' if short.unmapped != 1 else 'it'}",
                reverse("reports:delivery_school"),
                "Until then their delivery is not counted",
            )
        )
    for row in short.below[: LINES - len(lines)]:
        lines.append(
            WorkLine(
                f"{row.percent}% delivered this term",
                "late",
                f"See the {row.gap:f} hours of plan provision not delivered",
                reverse("reports:delivery_pupil", args=[row.pupil.pk]),
                _who(row.pupil.display_name, by_id.get(row.pupil.school_id), several)
                + f" · below the trust's {short.threshold}%",
            )
        )
    return WorkGroup(
        "EHC plan provision not delivered in full",
        lines,
        len(short.below) + (1 if short.unmapped else 0),
        reverse("reports:delivery_school"),
        "See promised and delivered for every plan",
        "Every mapped EHC plan is delivered in full or near it this term.",
    )


def casework_worklist(
    user: User,
    schools: list[School],
    buckets: DeadlineBuckets,
    concerns_waiting: int,
    support_reviews: int | None = None,
) -> WorkList:
    """The SENCO's, headteacher's and inclusion lead's work, most consequential first (see the module).
    `support_reviews`: the number of support plans overdue or due for review, when the caller has counted them."""
    today = buckets.today
    several = len(schools) > 1
    return WorkList.of(
        [
            _deadline_group(
                "Statutory deadlines overdue", buckets.overdue, today, several, "No statutory deadline is overdue."
            ),
            _deadline_group(
                "Statutory deadlines this week", buckets.this_week, today, several, "Nothing is due in the next 7 days."
            ),
            _concern_group(user, today, several, concerns_waiting),
            _review_group(buckets, today, several),
            _delivery_group(schools, today, several),
            _support_group(schools, today, several, support_reviews),
        ]
    )


# Teachers and teaching assistants ------------------------------------------------------------------------


def sessions_to_log(user: User, *, today: date | None = None) -> WorkGroup:
    """Provisions for the person's pupils (in a plan in place) that have no session logged today and fewer
    sessions logged this week (Monday on) than the provision plans: one query. A provision with two or more of
    the pupils opens the group form; one with a single pupil opens that pupil's form."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    rows = provisions_to_log(user, monday=monday)
    lines = []
    for row in rows:
        planned = row["provision__sessions_per_week"]
        if row["last"] == today or row["week"] >= planned:
            continue
        group = row["pupils"] > 1
        url = (
            reverse("graduated:log_group_session", args=[row["provision_id"]])
            if group
            else reverse("graduated:log_session", args=[row["a_pupil"]])
        )
        lines.append(
            WorkLine(
                f"{row['week']} of {planned.normalize():f} this week",
                "",
                f"Log {row['provision__name']}",
                url,
                f"A group of {row['pupils']} pupils" if group else "One pupil",
            )
        )
    return WorkGroup(
        "Sessions to log today",
        lines[:LINES],
        len(lines),
        reverse("graduated:sessions"),
        "Log any other session",
        "Every session planned for this week is logged.",
    )


def open_concerns_of(user: User) -> WorkGroup:
    """The concerns the person raised that are still open, newest first: two queries."""
    concerns = concerns_raised_by(user).filter(
        status__in=[CauseForConcern.Status.NEW, CauseForConcern.Status.IN_PROGRESS]
    )
    total = concerns.count()
    lines = [
        WorkLine(
            f"Raised {timezone.localdate(c.created_at):%-d %b}",
            "",
            "Waiting for the SENCO" if c.status == CauseForConcern.Status.NEW else "The SENCO is looking into it",
            reverse("register:concern_detail", args=[c.pk]),
            c.pupil.display_name,
        )
        for c in concerns[:LINES]
    ]
    return WorkGroup(
        "My concerns still open",
        lines,
        total,
        reverse("register:my_concerns"),
        "See every concern I raised",
        "None of your concerns is still open.",
    )
