"""Reads of annual reviews: who may see them, the school's list, one review's steps, parents' summaries.

Every function runs a fixed number of queries whatever the number of reviews.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from ehcp import rules
from ehcp.models import Deadline, EhcPlan, SubjectType
from pupils.models import Pupil
from trusts.models import School
from trusts.permissions import schools_where

from .models import SUBJECT_TYPE, TRANSFER_LEAD, AnnualReview, Invitee, Recommendation, ReviewAction

Status = AnnualReview.Status
ACTIVE = [Deadline.Status.OPEN, Deadline.Status.MISSED]
# LAs ask for invitations 4-8 weeks ahead and the meeting is at least 2 weeks after them (R3):
# a review due in the next 12 weeks needs its meeting booked now.
DUE_SOON = timedelta(weeks=12)
UNHELD = [Status.PLANNING, Status.SCHEDULED]


# Who sees what -----------------------------------------------------------------------------------


def review_schools(user: Any) -> list[School]:
    """Schools whose reviews the person runs: SENCO, headteacher, inclusion lead ("review.change").
    Never teachers, teaching assistants, governors, trustees or parents."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return []
    return schools_where(user, "review.change")


def reviews_visible_to(user: Any) -> QuerySet[AnnualReview]:
    schools = review_schools(user)
    if not schools:
        return AnnualReview.objects.none()
    # The pupil's current school, like `can(user, "review.change", pupil)`: the records follow the pupil.
    return AnnualReview.objects.filter(pupil__school__in=schools).select_related("pupil", "school", "plan")


def plans_for_review(user: Any) -> QuerySet[EhcPlan]:
    """Active EHC plans of pupils in the person's review schools (to start a review)."""
    schools = review_schools(user)
    if not schools:
        return EhcPlan.objects.none()
    return EhcPlan.objects.filter(pupil__school__in=schools, ceased_on=None).select_related("pupil", "school")


# The school's list ---------------------------------------------------------------------------------


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


def review_list(user: Any, *, school: School | None = None, today: date | None = None) -> ReviewList:
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


# One review -----------------------------------------------------------------------------------------


def review_deadlines(review: AnnualReview) -> dict[str, Deadline]:
    """The review's deadlines by rule id (its own, the plan's R1/R2 for a first review, the transfer's R9)."""
    where = Q(subject_type=SUBJECT_TYPE, subject_id=review.pk)
    for rule_id in ("R1", "R2"):
        subject_type, subject_id = review.deadline_subject(rule_id)
        if subject_type != SUBJECT_TYPE:
            where |= Q(subject_type=subject_type, subject_id=subject_id, rule_id=rule_id)
    if review.phase_transfer_id:
        where |= Q(subject_type=SubjectType.PHASE_TRANSFER, subject_id=review.phase_transfer_id, rule_id="R9")
    return {d.rule_id: d for d in Deadline.objects.filter(where)}


@dataclass
class Step:
    """One step of the review with the date it is due by, the rule that date comes from, and whether it is done."""

    title: str
    rule_id: str = ""
    due: date | None = None
    done_on: date | None = None
    # done, late (done late), overdue, todo, waived, later (cannot start yet), ended (a period that ran out)
    state: str = "todo"
    detail: str = ""
    deadline: Deadline | None = None

    @property
    def source(self) -> str:
        return rules.get_rule(self.rule_id).source if self.rule_id else ""

    @property
    def wording(self) -> str:
        return rules.get_rule(self.rule_id).wording if self.rule_id else ""

    @property
    def state_label(self) -> str:
        return {
            "done": "Done on time",
            "late": "Done late",
            "overdue": "Overdue",
            "todo": "To do",
            "waived": "Not needed",
            "later": "Not yet",
            "ended": "Period over",
        }[self.state]

    @property
    def tag_class(self) -> str:
        return {
            "done": "govuk-tag--green",
            "late": "govuk-tag--orange",
            "overdue": "govuk-tag--red",
            "todo": "govuk-tag--blue",
            "waived": "govuk-tag--grey",
            "later": "govuk-tag--grey",
            "ended": "govuk-tag--grey",
        }[self.state]


@dataclass
class NextAction:
    label: str
    url: str = ""
    due: date | None = None
    rule_id: str = ""


@dataclass
class ReviewPage:
    review: AnnualReview
    today: date
    steps: list[Step]
    next_action: NextAction | None
    deadlines: dict[str, Deadline]
    invitees: list[Invitee]
    actions: list[ReviewAction]
    next_review: AnnualReview | None
    transfer_meeting_due: date | None = None

    @property
    def uninvited(self) -> list[Invitee]:
        return [i for i in self.invitees if i.invited_on is None]

    @property
    def next_school_invited(self) -> bool:
        return any(i.role == Invitee.Role.NEXT_SCHOOL for i in self.invitees)


def _step(
    title: str,
    rule_id: str,
    d: Deadline | None,
    today: date,
    *,
    done_on: date | None,
    ready: bool,
    due: date | None = None,
    detail: str = "",
) -> Step:
    step = Step(title=title, rule_id=rule_id, deadline=d, done_on=done_on, detail=detail)
    step.due = due or (d.due if d is not None else None)
    if d is not None and d.status == Deadline.Status.WAIVED:
        step.state, step.detail = "waived", d.waived_reason
        return step
    if d is not None and d.status == Deadline.Status.MET and done_on is None:
        step.done_on = d.met_on
    if step.done_on is not None:
        step.state = "late" if step.due and step.done_on > step.due else "done"
    elif step.due and step.due < today:
        # R7 is the parent's period for representations, not a task: once over, it is over.
        step.state = "ended" if rule_id == "R7" else "overdue"
    elif not ready:
        step.state = "later"
    return step


def review_page(review: AnnualReview, *, today: date | None = None) -> ReviewPage:
    """Everything the review's page shows, in four queries: deadlines, invitees, actions, the next review."""
    today = today or timezone.localdate()
    deadlines = review_deadlines(review)
    invitees = list(Invitee.objects.filter(review=review).order_by("id"))
    actions = list(ReviewAction.objects.filter(review=review).order_by("position", "id"))
    next_review = AnnualReview.objects.filter(previous=review).exclude(status=Status.CANCELLED).order_by("-id").first()
    all_invited = bool(invitees) and all(i.invited_on for i in invitees)
    invited_on = max((i.invited_on for i in invitees if i.invited_on), default=None)
    booked = review.meeting_date is not None
    held = review.held_on is not None
    amend = review.la_decision == Recommendation.AMEND

    meeting_rule = "R2" if review.under_five and "R2" in deadlines else "R1"
    transfer_due = deadlines["R9"].due - TRANSFER_LEAD if "R9" in deadlines else None
    meeting_detail = (
        f"Counted from {review.anchor_date:%-d %B %Y}, when {review.get_anchor_kind_display()}."
        if review.due_rule != "R9"
        else "A phase transfer: 12 weeks before the date the amended plan must name the next school (R9), "
        "leaving the LA 4 weeks to decide (R6) and 8 weeks to issue the amended plan (R8)."
    )
    steps = [
        _step(
            "Hold the review meeting",
            review.due_rule if review.due_rule == "R9" else meeting_rule,
            deadlines.get(meeting_rule),
            today,
            done_on=review.held_on,
            ready=True,
            due=review.due_date,
            detail=meeting_detail,
        ),
        _step(
            "Send the invitations to everyone on the list",
            "R3",
            deadlines.get("R3"),
            today,
            done_on=invited_on if all_invited else None,
            ready=booked,
        ),
        _step(
            "Gather the advice and send it to everyone invited",
            "R4",
            deadlines.get("R4"),
            today,
            done_on=review.advice_circulated_on,
            ready=booked,
        ),
        _step(
            "Send the report to the LA and everyone invited",
            "R5",
            deadlines.get("R5"),
            today,
            done_on=review.report_sent_on,
            ready=held,
        ),
        _step(
            "The LA decides to keep, amend or cease the plan",
            "R6",
            deadlines.get("R6"),
            today,
            done_on=review.la_decision_on,
            ready=held,
        ),
    ]
    if amend or "R7" in deadlines:
        steps += [
            _step(
                "The parent's representations on the proposed amendments",
                "R7",
                deadlines.get("R7"),
                today,
                done_on=review.parent_representations_on,
                ready=amend,
            ),
            _step(
                "The LA issues the final amended plan",
                "R8",
                deadlines.get("R8"),
                today,
                done_on=review.amended_plan_on,
                ready=amend,
            ),
        ]
    if "R9" in deadlines:
        steps.append(
            _step(
                "Phase transfer: the amended plan names the next school",
                "R9",
                deadlines["R9"],
                today,
                done_on=None,
                ready=True,
            )
        )
    return ReviewPage(
        review=review,
        today=today,
        steps=steps,
        next_action=next_action(review, steps=steps, invitees=invitees, next_review=next_review),
        deadlines=deadlines,
        invitees=invitees,
        actions=actions,
        next_review=next_review,
        transfer_meeting_due=transfer_due,
    )


def _url(name: str, review: AnnualReview) -> str:
    return reverse(f"reviews:{name}", kwargs={"pk": review.pk})


def next_action(
    review: AnnualReview, *, steps: list[Step], invitees: list[Invitee], next_review: AnnualReview | None
) -> NextAction | None:
    """The one thing to do next on this review, with its date and rule."""
    due = {s.rule_id: s.due for s in steps}
    s = review.status
    if s == Status.CANCELLED:
        return None
    if s == Status.PLANNING:
        return NextAction("Book the review meeting", _url("schedule", review), review.due_date, review.due_rule)
    if s == Status.SCHEDULED:
        assert review.meeting_date is not None
        if not invitees:
            return NextAction("Add the people to invite", _url("invitee_add", review), due.get("R3"), "R3")
        if any(i.invited_on is None for i in invitees):
            return NextAction("Send the invitations", _url("invitations", review), due.get("R3"), "R3")
        if review.advice_circulated_on is None:
            return NextAction(
                "Send the advice gathered to everyone invited", _url("circulate", review), due.get("R4"), "R4"
            )
        if review.meeting_date > timezone.localdate():
            return NextAction(
                f"Hold the meeting on {review.meeting_date:%-d %B %Y}, then record it",
                _url("meeting_record", review),
                review.meeting_date,
                review.due_rule,
            )
        return NextAction("Record the meeting", _url("meeting_record", review), review.meeting_date, review.due_rule)
    if s == Status.HELD:
        return NextAction(
            "Send the report to the LA and everyone invited", _url("report_sent", review), due.get("R5"), "R5"
        )
    if s == Status.REPORT_SENT:
        return NextAction("Record the LA's decision", _url("la_decision", review), due.get("R6"), "R6")
    if s == Status.AMENDING:
        return NextAction("Record the final amended plan", _url("amendments", review), due.get("R8"), "R8")
    if next_review is not None and next_review.is_open:
        return NextAction(
            f"Nothing more to do on this review. The next review is due by {next_review.due_date:%-d %B %Y}",
            _url("detail", next_review),
            next_review.due_date,
            next_review.due_rule,
        )
    return NextAction("Nothing more to do on this review")


# For other apps --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewSummary:
    """What a parent reads about a completed review (the parent portal)."""

    date: datetime.date
    summary: str
    actions: list[tuple[str, str, datetime.date]]


PLAIN_DECISION = {
    Recommendation.KEEP: "keep the EHC plan as it is",
    Recommendation.AMEND: "change (amend) the EHC plan",
    Recommendation.CEASE: "stop (cease) the EHC plan",
}


def review_summaries_for_parent(pupil: Pupil) -> list[ReviewSummary]:
    """Completed reviews of the child, newest first, in plain words (two queries). Cancelled and unfinished
    reviews are left out: the report they would see is not final."""
    reviews = (
        AnnualReview.objects.filter(pupil=pupil, status=Status.COMPLETED)
        .exclude(held_on=None)
        .order_by("-held_on", "-id")
        .prefetch_related(Prefetch("actions", queryset=ReviewAction.objects.order_by("position", "id")))
    )
    out = []
    for r in reviews:
        assert r.held_on is not None
        parts = ["Annual review meeting of the EHC plan."]
        if r.recommendation:
            parts.append(f"The meeting recommended to {PLAIN_DECISION[Recommendation(r.recommendation)]}.")
        if r.la_decision:
            parts.append(f"The local authority decided to {PLAIN_DECISION[Recommendation(r.la_decision)]}.")
        if r.amended_plan_on:
            parts.append(f"The amended plan was issued on {r.amended_plan_on:%-d %B %Y}.")
        out.append(
            ReviewSummary(
                date=r.held_on,
                summary=" ".join(parts),
                actions=[(a.action, a.who, a.by_when) for a in r.actions.all()],  # type: ignore[attr-defined]
            )
        )
    return out


@dataclass(frozen=True)
class NextReview:
    """The child's next annual review as a parent reads it: the meeting date once booked, else the date by
    which it must be held."""

    date: datetime.date
    booked: bool


def next_review_for_parent(pupil: Pupil) -> NextReview | None:
    """The review waiting for its meeting, if one is started (one query)."""
    review = (
        AnnualReview.objects.filter(pupil=pupil, status__in=[Status.PLANNING, Status.SCHEDULED], plan__ceased_on=None)
        .only("meeting_date", "due_date")
        .order_by("due_date")
        .first()
    )
    if review is None:
        return None
    if review.meeting_date:
        return NextReview(review.meeting_date, True)
    return NextReview(review.due_date, False)


def annual_reviews_not_held(schools: list[School]) -> QuerySet[Deadline]:
    """The annual-review deadlines (R1, or R2 for a child under 5) of these schools whose meeting is not yet
    held (a held meeting meets them). The one definition of "annual reviews due or overdue": count distinct
    pupils, since a child under 5 can have both."""
    return Deadline.objects.filter(
        school__in=schools, rule_id__in=["R1", "R2"], status__in=[Deadline.Status.OPEN, Deadline.Status.MISSED]
    )


def annual_review_counts(schools: list[School], *, today: date | None = None) -> dict[str, int]:
    """Pupils whose annual review is overdue, or due within 8 weeks, in these schools: one query."""
    from django.db.models import Count

    today = today or timezone.localdate()
    counts = annual_reviews_not_held(schools).aggregate(
        overdue=Count("pupil", distinct=True, filter=Q(due__lt=today)),
        soon=Count("pupil", distinct=True, filter=Q(due__gte=today, due__lte=today + timedelta(weeks=8))),
    )
    return {"overdue": counts["overdue"] or 0, "soon": counts["soon"] or 0}


def review_link(deadline: Deadline) -> str:
    """Where a person acts on an annual-review deadline: the review's page (ehcp's SUBJECT_LINKS)."""
    return reverse("reviews:detail", kwargs={"pk": deadline.subject_id})


def connect() -> None:
    """Register the review pages with lower apps: deadline links and the navigation. Call from AppConfig.ready()."""
    from ehcp.deadlines import SUBJECT_LINKS
    from trusts.context_processors import NAV

    SUBJECT_LINKS[SUBJECT_TYPE] = review_link
    item = ("Annual reviews", "reviews:list", "review.change")
    if item not in NAV:
        NAV.append(item)
