"""One review: its deadlines, its steps and the next thing to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ehcp import rules
from ehcp.models import Deadline, SubjectType

from ..models import SUBJECT_TYPE, TRANSFER_LEAD, AnnualReview, Invitee, Recommendation, ReviewAction
from ..permitted import Permitted, permitted
from ._common import Status


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

    @cached_property
    def may(self) -> Permitted:
        """The steps this page offers: the services' own preconditions (reviews.permitted)."""
        return permitted(self.review, anyone_uninvited=bool(self.uninvited))

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
