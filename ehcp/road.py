"""The road of an EHC needs assessment: its statutory steps in order, where the family is on it, and which
steps can be recorded next.

`steps_of(assessment, deadlines, today)` lays out the steps of the Regulations (request → the LA's decision
→ advice → draft → comments and the school's reply → final plan or notice of no plan), each with who acts,
its statutory date (from the assessment's deadlines, so the dates are the deadline engine's, never worked
out twice) and its state: done, due, late, not yet (waiting on an earlier step) or not needed.
`next_events(assessment)` is what the "Record what happened" list offers; the service refuses the rest
with `event_refusal`, which names the step that must come first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from . import rules
from .models import NeedsAssessment

State = Literal["done", "due", "late", "waiting", "not_needed"]
STATE_LABELS: dict[str, str] = {
    "done": "Done",
    "due": "Due",
    "late": "Late",
    "waiting": "Not yet",
    "not_needed": "Not needed",
}
Decision, Outcome = NeedsAssessment.Decision, NeedsAssessment.Outcome
FINAL_PLAN = "final_plan"  # not an event of this page: the plan is recorded on the EHC plan form


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    who: str
    state: State
    on: date | None = None  # the day it happened
    due: date | None = None  # its statutory date, if it has one
    rule_id: str = ""
    note: str = ""
    days_late: int = 0  # how late it is (still open) or was (done after its date)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


def _step(
    key: str,
    label: str,
    who: str,
    *,
    on: date | None,
    due: date | None,
    today: date,
    possible: bool = True,
    needed: bool = True,
    rule_id: str = "",
    note: str = "",
) -> Step:
    if on is not None:
        state: State = "done"
    elif not needed:
        state = "not_needed"
    elif not possible:
        state = "waiting"
    elif due is not None and due < today:
        state = "late"
    else:
        state = "due"
    end = on if on is not None else (today if state == "late" else None)
    days_late = max(0, (end - due).days) if end is not None and due is not None else 0
    return Step(key, label, who, state, on=on, due=due, rule_id=rule_id, note=note, days_late=days_late)


def steps_of(assessment: NeedsAssessment, deadlines: Iterable[Any], today: date) -> list[Step]:
    """The statutory road of one assessment, in order. `deadlines` are the assessment's Deadline rows."""
    a = assessment
    by_rule = {d.rule_id: d for d in deadlines}

    def due(rule_id: str) -> date | None:
        d = by_rule.get(rule_id)
        return d.statutory_due if d is not None else None

    initial = a.kind == NeedsAssessment.Kind.INITIAL
    decided = a.decision != Decision.PENDING and a.decision_on is not None
    assessing = a.decision != Decision.NOT_ASSESS and a.outcome not in {Outcome.WITHDRAWN, Outcome.NOT_ASSESSED}
    no_plan = a.outcome == Outcome.NO_PLAN
    draft_needed = assessing and not no_plan
    drafted = a.draft_served_on is not None
    issued_on = a.outcome_on if a.outcome == Outcome.PLAN_ISSUED else None
    final_rule = "A6" if initial else "X2"
    steps = [
        _step(
            "request", "The LA received the request", "Whoever asked", on=a.request_received_on, due=None, today=today
        )
    ]
    # A re-assessment has its decision too, with no tracked limit of its own (its road ends at X2).
    steps.append(
        _step(
            "decision",
            "The LA decides whether to assess" if initial else "The LA decides whether to re-assess",
            "Local authority",
            on=a.decision_on,
            due=due("A1") if initial else None,
            today=today,
            rule_id="A1" if initial else "",
            note=a.get_decision_display() if a.decision != Decision.PENDING else "",
        )
    )
    steps += [
        _step(
            "advice_requested",
            "The LA asks the school for advice",
            "Local authority",
            on=a.advice_requested_on,
            due=None,
            today=today,
            possible=decided,
            needed=assessing,
        ),
        _step(
            "advice_sent",
            "The school sends its advice",
            "School",
            on=a.advice_sent_on,
            due=due("A2"),
            today=today,
            possible=a.advice_requested_on is not None,
            needed=assessing,
            rule_id="A2",
        ),
    ]
    if initial:
        steps.append(
            _step(
                "no_plan",
                "Or: the LA gives notice that no plan will be issued",
                "Local authority",
                on=a.outcome_on if no_plan else None,
                due=due("A3"),
                today=today,
                possible=decided,
                needed=assessing and not drafted and a.outcome == Outcome.IN_PROGRESS,
                rule_id="A3",
            )
        )
    steps += [
        _step(
            "draft_served",
            "The LA serves the draft plan",
            "Local authority",
            on=a.draft_served_on,
            due=None,
            today=today,
            possible=decided,
            needed=draft_needed,
        ),
        _step(
            "parent_comments",
            "The parent comments on the draft",
            "Parent or young person",
            on=a.parent_comments_on,
            due=due("A4"),
            today=today,
            possible=drafted,
            needed=draft_needed,
            rule_id="A4",
        ),
        _step(
            "consultation_sent",
            "The school replies to the consultation",
            "School",
            on=a.consultation_sent_on,
            due=due("A5"),
            today=today,
            possible=drafted,
            needed=draft_needed,
            rule_id="A5",
        ),
        _step(
            FINAL_PLAN,
            "The LA issues the final plan",
            "Local authority",
            on=issued_on,
            due=due(final_rule),
            today=today,
            possible=drafted,
            needed=draft_needed,
            rule_id=final_rule,
        ),
    ]
    return steps


def event_refusal(assessment: NeedsAssessment, event: str) -> str:
    """Why `event` cannot be recorded now ("" when it can), naming the step that must come first.
    Recording a step already recorded again corrects its date, so that is always allowed while it is open."""
    a = assessment
    decided = a.decision != Decision.PENDING and a.decision_on is not None
    in_progress = a.outcome == Outcome.IN_PROGRESS
    if not in_progress:
        # A closed assessment takes late completions and corrections of the step that closed it.
        late_completion = {
            "advice_sent": a.advice_requested_on is not None,
            "parent_comments": a.draft_served_on is not None,
            "consultation_sent": a.draft_served_on is not None,
            "decision": a.outcome == Outcome.NOT_ASSESSED,
            "no_plan": a.outcome == Outcome.NO_PLAN,
        }
        if not late_completion.get(event, False):
            return f"This assessment is closed ({a.get_outcome_display().lower()})."
        return ""
    if event in {"advice_requested", "draft_served", "no_plan"} and not decided:
        return "Record the LA's decision to assess first: it comes before this step."
    if event == "advice_sent" and a.advice_requested_on is None:
        return "Record when the LA asked for the school's advice first: the advice comes after the request."
    if event in {"school_consulted", "parent_comments", "consultation_sent"} and a.draft_served_on is None:
        return "Record when the draft plan was served first: this step comes after the draft."
    if event == "no_plan" and a.draft_served_on is not None:
        return "A draft plan was served, so the LA is issuing a plan: record the final plan, or withdraw the request."
    return ""


def next_events(assessment: NeedsAssessment, events: Iterable[str]) -> list[str]:
    """The events of `events` (in their order) that can be recorded now and have not been recorded yet."""
    a = assessment
    recorded = {
        "decision": a.decision_on is not None,
        "advice_requested": a.advice_requested_on is not None,
        "advice_sent": a.advice_sent_on is not None,
        "draft_served": a.draft_served_on is not None,
        "school_consulted": a.school_consulted_on is not None,
        "parent_comments": a.parent_comments_on is not None,
        "consultation_sent": a.consultation_sent_on is not None,
        "no_plan": a.outcome == Outcome.NO_PLAN,
        "withdrawn": a.outcome == Outcome.WITHDRAWN,
    }
    return [e for e in events if not recorded.get(e, False) and not event_refusal(a, e)]


def may_issue_final_plan(assessment: NeedsAssessment) -> bool:
    return assessment.outcome == Outcome.IN_PROGRESS and assessment.draft_served_on is not None


def weeks_on_the_road(assessment: NeedsAssessment, today: date) -> tuple[int, int]:
    """(whole weeks since the LA received the request, the weeks the final plan may take): 20 for an
    assessment (A6, Regs 13(2)), 14 for a re-assessment (X2, Regs 27(4))."""
    limit = rules.get_rule("A6" if assessment.kind == NeedsAssessment.Kind.INITIAL else "X2").limit
    return max(0, (today - assessment.request_received_on).days // 7), limit
