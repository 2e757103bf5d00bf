"""Starting an assess-plan-do-review cycle, carrying forward what the last one left, and its review date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pupils.models import Pupil
from register.models import SenStatus
from trusts import audit
from trusts.calendar_defaults import TermDates, academic_year_of, half_term_end_on_or_after
from trusts.models import School, User
from trusts.school_days import last_school_day_on_or_before
from trusts.services import ensure_calendar

from ..models import Allocation, Cycle, DeliveryLog, Outcome, Strategy
from ._common import _long, _record, _register_status, _require_planner, _today

SUPPORT_STATUSES = {SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN}
PROFILE_FIELDS = ("liked_admired", "important_to_me", "how_to_support")


def default_review_date(*, school: School, on: date) -> date:
    """The last day of the half-term containing `on`, or, if `on` is in a holiday, of the next half-term,
    from the school's own calendar (created from the English default if the school has none yet). Families
    are given this date, so a half-term entered as ending on a weekend or a bank holiday gives the last school
    day before it.

    Side effect: may create the school's calendar for this or the next academic year.
    """
    year = academic_year_of(on)
    for academic_year in (year, year + 1):
        calendar = ensure_calendar(school=school, academic_year=academic_year)
        terms = [TermDates(h.name, h.start, h.end) for h in calendar.half_terms.all()]
        try:
            return last_school_day_on_or_before(school=school, day=half_term_end_on_or_after(on, terms))
        except ValueError:
            continue  # after the year's last half-term (the summer holiday): the next year's first
    raise ValidationError(f"The school calendar has no half-term after {_long(on)}. Add the term dates.")


@transaction.atomic
def start_cycle(
    *,
    pupil: Pupil,
    actor: User | None,
    started_on: date | None = None,
    carry_forward_from: Cycle | None = None,
) -> Cycle:
    """Open a new assess-plan-do-review cycle for a pupil on SEN support (K) or with an EHC plan (E).

    The one-page profile and classroom strategies are copied from the pupil's last cycle. With
    `carry_forward_from` (a review's "new cycle"), outcomes not fully achieved and provision still running
    are carried forward too. Side effects: creates the cycle and its copied items; audited.
    """
    _require_planner(actor, pupil)
    started_on = started_on or _today()
    problems = []
    if _register_status(pupil) not in SUPPORT_STATUSES:
        problems.append(
            f"{pupil} is not on SEN support or an EHC plan. Put them on the register first (SEN support, K)."
        )
    if started_on > _today():
        problems.append("The cycle cannot start in the future.")
    last = Cycle.objects.filter(pupil=pupil).order_by("-number").first()
    if last is not None and last.is_open:
        problems.append(f"{pupil} already has an open cycle (cycle {last.number}). Review it before starting another.")
    if last is not None and started_on < (last.reviewed_on or last.started_on):
        problems.append(
            f"The cycle cannot start before the last one ended ({_long(last.reviewed_on or last.started_on)})."
        )
    if problems:
        raise ValidationError(problems)
    cycle = Cycle(
        trust_id=pupil.trust_id,
        school_id=pupil.school_id,
        pupil=pupil,
        number=(last.number + 1) if last else 1,
        previous=last,
        started_on=started_on,
        started_by=actor,
    )
    if last is not None:
        for name in PROFILE_FIELDS:
            setattr(cycle, name, getattr(last, name))
    try:
        with transaction.atomic():
            cycle.save()
    except IntegrityError as exc:
        raise ValidationError(f"{pupil} already has an open cycle. Review it before starting another.") from exc
    if last is not None:
        Strategy.objects.bulk_create(
            Strategy(
                trust_id=cycle.trust_id,
                cycle=cycle,
                position=s.position,
                text=s.text,
                share_with_parents=s.share_with_parents,
            )
            for s in last.strategies.all()
        )
    if carry_forward_from is not None:
        _carry_forward(carry_forward_from, cycle)
    _record(actor, audit.Action.CREATE, cycle, pupil, f"Support cycle {cycle.number} started")
    return cycle


def _carry_forward(source: Cycle, cycle: Cycle) -> None:
    """Outcomes not achieved start the new cycle where the last one left them: the last score logged
    becomes the baseline number, and the baseline words say so (the old starting point stays on the old
    cycle). An outcome never scored keeps its baseline as it was."""
    unmet = [o for o in source.outcomes.all() if o.result != Outcome.Result.ACHIEVED]
    last: dict[int, DeliveryLog] = {}
    for log in DeliveryLog.objects.filter(outcome__in=unmet, score__isnull=False).order_by("session_date", "pk"):
        last[log.outcome_id] = log  # type: ignore[index]

    def baseline(o: Outcome) -> tuple[str, Decimal | None]:
        log = last.get(o.pk)
        if log is None or log.score is None:
            return o.baseline, o.baseline_score
        words = f"{log.score.normalize():f} on {o.measured_by or 'the measure'} on {_long(log.session_date)}"
        return f"At the end of cycle {source.number}: {words}"[:300], log.score

    Outcome.objects.bulk_create(
        Outcome(
            trust_id=cycle.trust_id,
            cycle=cycle,
            position=i,
            description=o.description,
            baseline=baseline(o)[0],
            target=o.target,
            measured_by=o.measured_by,
            baseline_score=baseline(o)[1],
            target_score=o.target_score,
            share_with_parents=o.share_with_parents,
            carried_from=o,
        )
        for i, o in enumerate(unmet, start=1)
    )
    Allocation.objects.bulk_create(
        Allocation(
            trust_id=cycle.trust_id,
            school_id=cycle.school_id,
            cycle=cycle,
            provision=a.provision,
            notes=a.notes,
            share_with_parents=a.share_with_parents,
        )
        for a in source.allocations.select_related("provision")
        if a.provision.end_date is None or a.provision.end_date >= cycle.started_on
    )
