"""The school's list of annual reviews: overdue, due soon and under way, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from ehcp.models import Deadline, EhcPlan, SubjectType
from trusts.models import School, User

from ..models import SUBJECT_TYPE, AnnualReview
from ._common import Status
from .access import plans_for_review, reviews_visible_to

ACTIVE = [Deadline.Status.OPEN, Deadline.Status.MISSED]
# LAs ask for invitations 4-8 weeks ahead and the meeting is at least 2 weeks after them (R3):
# a review due in the next 12 weeks needs its meeting booked now.
DUE_SOON = timedelta(weeks=12)
UNHELD = [Status.PLANNING, Status.SCHEDULED]


def _overdue(rule_id: str, today: date) -> Exists:
    return Exists(
        Deadline.objects.filter(
            subject_type=SUBJECT_TYPE, subject_id=OuterRef("pk"), rule_id=rule_id, status__in=ACTIVE, due__lt=today
        )
    )


def _due(rule_id: str) -> Subquery:
    return Subquery(
        Deadline.objects.filter(subject_type=SUBJECT_TYPE, subject_id=OuterRef("pk"), rule_id=rule_id).values("due")[:1]
    )


@dataclass
class ReviewList:
    today: date
    invitations_overdue: list[AnnualReview] = field(default_factory=list)
    report_overdue: list[AnnualReview] = field(default_factory=list)
    report_to_send: list[AnnualReview] = field(default_factory=list)
    due_soon: list[AnnualReview] = field(default_factory=list)
    waiting_for_la: list[AnnualReview] = field(default_factory=list)
    later: list[AnnualReview] = field(default_factory=list)
    completed: list[AnnualReview] = field(default_factory=list)
    not_started: list[EhcPlan] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int, str]]:
        return [
            ("Invitations overdue", len(self.invitations_overdue), "invitations-overdue"),
            ("Report overdue", len(self.report_overdue), "report-overdue"),
            ("Due soon", len(self.due_soon), "due-soon"),
            ("Completed in the last year", len(self.completed), "completed"),
        ]


def review_list(user: User, *, school: School | None = None, today: date | None = None) -> ReviewList:
    """The reviews of the person's schools, sorted into what needs doing. Three queries, whatever the size.

    - invitations overdue: meeting booked, R3's date passed, not everyone invited;
    - report overdue: meeting held, R5's date passed, report not sent (report to send: not yet late);
    - due soon: meeting not yet held and due within 12 weeks (or already late);
    - waiting for the LA: report sent, the LA's decision or amended plan to come;
    - later: not yet held, due after 12 weeks; completed: in the last 12 months;
    - not started: active plans with no review on the list yet (their own R1 date).
    """
    today = today or timezone.localdate()
    result = ReviewList(today=today)
    qs = reviews_visible_to(user)
    plans = plans_for_review(user)
    if school is not None:
        qs, plans = qs.filter(pupil__school=school), plans.filter(pupil__school=school)
    open_reviews = (
        qs.exclude(status__in=[Status.COMPLETED, Status.CANCELLED])
        .annotate(
            r3_overdue=_overdue("R3", today),
            r5_overdue=_overdue("R5", today),
            r5_due=_due("R5"),
            r6_due=_due("R6"),
            r8_due=_due("R8"),
        )
        .order_by("due_date", "id")
    )
    for r in open_reviews:
        if r.status == Status.SCHEDULED and r.r3_overdue:
            result.invitations_overdue.append(r)
        elif r.status == Status.HELD:
            (result.report_overdue if r.r5_overdue else result.report_to_send).append(r)
        elif r.status in UNHELD and r.due_date <= today + DUE_SOON:
            result.due_soon.append(r)
        elif r.status in UNHELD:
            result.later.append(r)
        else:
            result.waiting_for_la.append(r)
    result.completed = list(
        qs.filter(status=Status.COMPLETED, completed_on__gte=today - timedelta(days=365)).order_by(
            "-completed_on", "-id"
        )
    )
    r1_due = Deadline.objects.filter(subject_type=SubjectType.EHC_PLAN, subject_id=OuterRef("pk"), rule_id="R1").values(
        "due"
    )[:1]
    result.not_started = list(
        plans.exclude(Exists(AnnualReview.objects.filter(plan=OuterRef("pk"))))
        .annotate(r1_due=Subquery(r1_due))
        .order_by("r1_due", "id")
    )
    return result
