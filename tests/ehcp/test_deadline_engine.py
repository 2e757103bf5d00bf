"""The deadline engine: every rule's date through `open_deadline`, exceptions, corrections, met and waived."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from ehcp import deadlines as engine
from ehcp.models import Deadline, DeadlineSetting
from ehcp.rules import FAMILY_AWAY, HOLIDAY, MISSED_APPOINTMENT, PERSONAL_CIRCUMSTANCES, RULES
from tests.factories import pupil_at
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db

_subject = iter(range(1000, 10**6))


@pytest.fixture(autouse=True)
def _in_oak(oak_scope):
    # A fixed clock for every test (tests that need another day travel again inside it).
    with time_machine.travel(date(2026, 11, 2), tick=False):
        yield oak_scope


@pytest.fixture
def pupil(oak_scope):
    return pupil_at(oak_scope, oak_scope.acorn)


@pytest.fixture
def senco(demo):
    return demo.user("senco.acorn@oak.test")


def open_(demo, pupil, senco, rule_id, trigger, **kwargs):
    kwargs.setdefault("subject_type", "needs_assessment")
    kwargs.setdefault("subject_id", next(_subject))
    return engine.open_deadline(
        rule_id=rule_id, trigger_date=trigger, school=demo.acorn, pupil=pupil, actor=senco, **kwargs
    )


# Hand-worked dates, one per rule ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule_id", "trigger", "due", "who"),
    [
        ("A1", date(2026, 5, 4), date(2026, 6, 15), "la"),  # 6 weeks: Monday 4 May -> Monday 15 June
        ("A2", date(2026, 5, 4), date(2026, 6, 15), "school"),
        ("A3", date(2026, 5, 4), date(2026, 8, 24), "la"),  # 16 weeks
        ("A6", date(2026, 5, 4), date(2026, 9, 21), "la"),  # 20 weeks
        ("A4", date(2026, 3, 10), date(2026, 3, 24), "parent"),  # 15 days counting the day served
        ("A5", date(2026, 3, 10), date(2026, 3, 24), "school"),
        ("R7", date(2026, 3, 10), date(2026, 3, 24), "parent"),
        ("R1", date(2025, 6, 15), date(2026, 6, 14), "la"),  # 12 months less a day
        ("R1", date(2025, 1, 31), date(2026, 1, 30), "la"),
        ("R1", date(2024, 2, 29), date(2025, 2, 27), "la"),  # no 29 Feb 2025: the earlier, safer date
        ("R1", date(2023, 3, 1), date(2024, 2, 29), "la"),  # into a leap February
        ("R1", date(2026, 1, 1), date(2026, 12, 31), "la"),  # year end
        ("R1", date(2025, 12, 31), date(2026, 12, 30), "la"),
        ("R2", date(2026, 1, 10), date(2026, 4, 9), "la"),
        ("R5", date(2026, 6, 10), date(2026, 6, 24), "headteacher"),
        ("R6", date(2026, 6, 10), date(2026, 7, 8), "la"),
        ("R8", date(2026, 3, 10), date(2026, 5, 5), "la"),
        ("X1", date(2025, 10, 12), date(2026, 4, 12), "la"),  # earliest re-assessment: same day number
        ("X2", date(2026, 5, 4), date(2026, 8, 10), "la"),  # 14 weeks
    ],
)
def test_each_rule_gives_the_hand_worked_date(demo, pupil, senco, rule_id, trigger, due, who):
    d = open_(demo, pupil, senco, rule_id, trigger)
    assert (d.statutory_due, d.due, d.internal_due) == (due, due, None)
    assert d.responsible == who
    assert d.status == Deadline.Status.OPEN
    assert d.wording == RULES[rule_id].wording and d.source == RULES[rule_id].source


def test_invitations_and_advice_are_due_two_weeks_before_the_meeting(demo, pupil, senco):
    for rule_id in ("R3", "R4"):
        d = open_(
            demo,
            pupil,
            senco,
            rule_id,
            date(2026, 4, 1),
            meeting_date=date(2026, 6, 10),
            subject_type="annual_review",
        )
        assert d.due == date(2026, 5, 27)
        assert d.meeting_date == date(2026, 6, 10)


def test_a_rule_counted_back_from_a_meeting_needs_the_meeting_date(demo, pupil, senco):
    with pytest.raises(ValidationError, match="give the meeting date"):
        open_(demo, pupil, senco, "R3", date(2026, 4, 1))


def test_phase_transfer_before_15_february_or_31_march(demo, pupil, senco):
    year7 = open_(demo, pupil, senco, "R9", date(2027, 9, 1), subject_type="phase_transfer")
    post16 = open_(demo, pupil, senco, "R9", date(2027, 9, 1), subject_type="phase_transfer", post16=True)
    assert year7.due == date(2027, 2, 14)
    assert "before 15 February" in year7.wording
    assert post16.due == date(2027, 3, 30)
    assert "before 31 March" in post16.wording


def test_common_transfer_file_counts_school_days_of_the_schools_calendar(demo, pupil, senco):
    # Leaves Friday 13 Feb 2026; the default calendar's half-term is 16-20 Feb.
    d = open_(demo, pupil, senco, "C1", date(2026, 2, 13), subject_type="pupil")
    assert d.due == date(2026, 3, 12)


def test_unknown_rule_and_rules_not_yet_in_force_are_refused(demo, pupil, senco):
    with pytest.raises(ValidationError, match="no deadline rule"):
        open_(demo, pupil, senco, "Z9", date(2026, 1, 1))
    with pytest.raises(ValidationError, match="applies from 1 September 2014"):
        open_(demo, pupil, senco, "A1", date(2013, 1, 1))


def test_opening_is_audited(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A1", date(2026, 5, 4))
    entry = AuditEntry.objects.filter(object_type="ehcp.Deadline", object_id=str(d.pk)).get()
    assert entry.pupil_id == pupil.pk and "A1 opened" in entry.summary


# Recomputing a corrected trigger ------------------------------------------------------------------


@time_machine.travel(date(2026, 6, 1), tick=False)
def test_correcting_the_trigger_date_recomputes_the_same_deadline(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A2", date(2026, 5, 4), subject_id=77)
    again = open_(demo, pupil, senco, "A2", date(2026, 5, 11), subject_id=77)
    assert again.pk == d.pk
    assert again.trigger_date == date(2026, 5, 11) and again.due == date(2026, 6, 22)
    assert Deadline.objects.filter(subject_id=77).count() == 1
    assert AuditEntry.objects.filter(object_id=str(d.pk), summary__contains="recomputed").count() == 1


@time_machine.travel(date(2026, 6, 20), tick=False)
def test_a_missed_deadline_whose_corrected_date_is_still_ahead_opens_again(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A2", date(2026, 5, 4), subject_id=78)
    Deadline.objects.filter(pk=d.pk).update(status="missed", reminder_offset_sent=1)
    again = open_(demo, pupil, senco, "A2", date(2026, 5, 11), subject_id=78)
    assert again.status == "open" and again.reminder_offset_sent is None


@time_machine.travel(date(2026, 7, 1), tick=False)
def test_a_met_deadline_keeps_its_status_when_recomputed_and_lateness_follows(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A2", date(2026, 5, 4), subject_id=79)
    engine.meet_deadline(deadline=d, met_on=date(2026, 6, 18), actor=senco)
    d.refresh_from_db()
    assert d.met_late and d.days_late == 3
    again = open_(demo, pupil, senco, "A2", date(2026, 5, 11), subject_id=79)
    assert again.status == "met" and not again.met_late


# Met and waived -----------------------------------------------------------------------------------


@time_machine.travel(date(2026, 7, 1), tick=False)
def test_meeting_on_time_and_late(demo, pupil, senco):
    on_time = engine.meet_deadline(
        deadline=open_(demo, pupil, senco, "A1", date(2026, 5, 4)), met_on=date(2026, 6, 15), actor=senco
    )
    late = engine.meet_deadline(
        deadline=open_(demo, pupil, senco, "A1", date(2026, 5, 4)), met_on=date(2026, 6, 16), actor=senco
    )
    assert on_time.status == late.status == "met"
    assert not on_time.met_late and on_time.met_within_statute
    assert late.met_late and late.days_late == 1 and not late.met_within_statute


@time_machine.travel(date(2026, 7, 1), tick=False)
def test_a_missed_deadline_can_still_be_met_late(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A1", date(2026, 5, 4))
    Deadline.objects.filter(pk=d.pk).update(status="missed")
    met = engine.meet_deadline(deadline=d, met_on=date(2026, 6, 30), actor=senco)
    assert met.status == "met" and met.met_late


@time_machine.travel(date(2026, 6, 1), tick=False)
def test_meeting_refuses_future_dates_and_dates_before_the_trigger(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A1", date(2026, 5, 4))
    with pytest.raises(ValidationError, match="cannot be in the future"):
        engine.meet_deadline(deadline=d, met_on=date(2026, 6, 2), actor=senco)
    with pytest.raises(ValidationError, match="before the trigger"):
        engine.meet_deadline(deadline=d, met_on=date(2026, 5, 3), actor=senco)
    d.refresh_from_db()
    assert d.status == "open"


def test_waiving_needs_a_reason_and_a_waived_deadline_cannot_be_met(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A6", date(2026, 5, 4))
    with pytest.raises(ValidationError, match="Say why"):
        engine.waive_deadline(deadline=d, reason="  ", actor=senco)
    waived = engine.waive_deadline(deadline=d, reason="The LA decided not to assess", actor=senco)
    assert waived.status == "waived" and waived.waived_reason == "The LA decided not to assess"
    with pytest.raises(ValidationError, match="was waived"):
        engine.meet_deadline(deadline=waived, met_on=date(2026, 5, 20), actor=senco)


@time_machine.travel(date(2026, 7, 1), tick=False)
def test_a_met_deadline_cannot_be_waived(demo, pupil, senco):
    d = engine.meet_deadline(
        deadline=open_(demo, pupil, senco, "A1", date(2026, 5, 4)), met_on=date(2026, 6, 1), actor=senco
    )
    with pytest.raises(ValidationError, match="has been met"):
        engine.waive_deadline(deadline=d, reason="no longer needed", actor=senco)


@time_machine.travel(date(2026, 7, 1), tick=False)
def test_cancelling_a_subject_waives_only_its_open_deadlines(demo, pupil, senco):
    a1 = open_(demo, pupil, senco, "A1", date(2026, 5, 4), subject_id=500)
    a3 = open_(demo, pupil, senco, "A3", date(2026, 5, 4), subject_id=500)
    a6 = open_(demo, pupil, senco, "A6", date(2026, 5, 4), subject_id=500)
    other = open_(demo, pupil, senco, "A6", date(2026, 5, 4), subject_id=501)
    engine.meet_deadline(deadline=a1, met_on=date(2026, 6, 1), actor=senco)
    count = engine.cancel_for_subject(
        subject_type="needs_assessment", subject_id=500, actor=senco, reason="Request withdrawn"
    )
    assert count == 2
    statuses = dict(Deadline.objects.filter(pk__in=[a1.pk, a3.pk, a6.pk, other.pk]).values_list("rule_id", "status"))
    assert [Deadline.objects.get(pk=pk).status for pk in (a1.pk, a3.pk, a6.pk, other.pk)] == [
        "met",
        "waived",
        "waived",
        "open",
    ]
    assert statuses
    assert Deadline.objects.get(pk=a3.pk).waived_reason == "Request withdrawn"


# Exceptions only where the rule allows ------------------------------------------------------------


@pytest.mark.parametrize("rule_id", ["A1", "A3", "A6", "X2"])
@pytest.mark.parametrize("kind", [HOLIDAY, PERSONAL_CIRCUMSTANCES, FAMILY_AWAY])
def test_la_assessment_limits_allow_the_regs_10_4_exceptions(demo, pupil, senco, rule_id, kind):
    d = open_(demo, pupil, senco, rule_id, date(2026, 5, 4))
    d = engine.record_exception(deadline=d, kind=kind, evidence="Letter from the LA dated 1 June", actor=senco)
    assert d.exception_kind == kind and d.due == d.statutory_due


@pytest.mark.parametrize("rule_id", ["A1", "A3", "A6", "X2"])
def test_la_assessment_limits_have_no_missed_appointment_exception(demo, pupil, senco, rule_id):
    d = open_(demo, pupil, senco, rule_id, date(2026, 5, 4))
    with pytest.raises(ValidationError, match="not an exception to"):
        engine.record_exception(deadline=d, kind=MISSED_APPOINTMENT, evidence="x", actor=senco)


def test_advice_has_no_holiday_exception(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A2", date(2026, 7, 10))
    with pytest.raises(ValidationError, match=r"not an exception to A2 \(SEND Regulations 2014, reg 8"):
        engine.record_exception(deadline=d, kind=HOLIDAY, evidence="Summer holiday", actor=senco)
    for kind in (PERSONAL_CIRCUMSTANCES, FAMILY_AWAY, MISSED_APPOINTMENT):
        assert engine.record_exception(deadline=d, kind=kind, evidence="Evidence", actor=senco).exception_kind == kind


@pytest.mark.parametrize("rule_id", ["A4", "A5", "R1", "R2", "R5", "R6", "R7", "R8", "R9", "X1", "C1"])
def test_rules_without_exceptions_refuse_every_kind(demo, pupil, senco, rule_id):
    d = open_(demo, pupil, senco, rule_id, date(2026, 5, 4))
    with pytest.raises(ValidationError, match="has no exceptions"):
        engine.record_exception(deadline=d, kind=PERSONAL_CIRCUMSTANCES, evidence="x", actor=senco)


def test_annual_review_meeting_rules_have_no_exceptions(demo, pupil, senco):
    for rule_id in ("R3", "R4"):
        d = open_(demo, pupil, senco, rule_id, date(2026, 5, 4), meeting_date=date(2026, 6, 10))
        with pytest.raises(ValidationError, match="has no exceptions"):
            engine.record_exception(deadline=d, kind=HOLIDAY, evidence="x", actor=senco)


def test_an_exception_needs_evidence(demo, pupil, senco):
    d = open_(demo, pupil, senco, "A6", date(2026, 5, 4))
    with pytest.raises(ValidationError, match="evidence"):
        engine.record_exception(deadline=d, kind=FAMILY_AWAY, evidence=" ", actor=senco)
    d.refresh_from_db()
    assert d.exception_kind == ""


# The trust's internal target: stricter, never looser ----------------------------------------------


def setting(demo, rule_id, amount=None, unit="weeks", reminders=()):
    return DeadlineSetting.objects.create(
        trust=demo.oak, rule_id=rule_id, target_amount=amount, target_unit=unit, reminder_days=list(reminders)
    )


def test_a_stricter_internal_target_is_the_date_shown(demo, pupil, senco):
    setting(demo, "A2", 5)
    d = open_(demo, pupil, senco, "A2", date(2026, 5, 4))
    assert d.statutory_due == date(2026, 6, 15)
    assert d.internal_due == date(2026, 6, 8)
    assert d.due == date(2026, 6, 8) and d.has_internal_target


def test_an_internal_target_in_days_counts_like_the_law(demo, pupil, senco):
    setting(demo, "A5", 10, unit="days")
    d = open_(demo, pupil, senco, "A5", date(2026, 3, 10))
    assert (d.statutory_due, d.due) == (date(2026, 3, 24), date(2026, 3, 19))


def test_an_internal_target_before_the_meeting_is_earlier(demo, pupil, senco):
    setting(demo, "R3", 4)
    d = open_(demo, pupil, senco, "R3", date(2026, 4, 1), meeting_date=date(2026, 6, 10))
    assert (d.statutory_due, d.due) == (date(2026, 5, 27), date(2026, 5, 13))


def test_a_looser_target_never_moves_the_date_later(demo, pupil, senco):
    # Bypasses validation on purpose: even a bad row in the database cannot loosen the law.
    setting(demo, "A2", 8)
    setting(demo, "R3", 1)
    a2 = open_(demo, pupil, senco, "A2", date(2026, 5, 4))
    r3 = open_(demo, pupil, senco, "R3", date(2026, 4, 1), meeting_date=date(2026, 6, 10))
    assert (a2.due, a2.internal_due) == (date(2026, 6, 15), None)
    assert (r3.due, r3.internal_due) == (date(2026, 5, 27), None)


@pytest.mark.parametrize(
    ("rule_id", "amount", "unit", "message"),
    [
        ("A2", 7, "weeks", "later than the law allows"),
        ("A4", 16, "days", "later than the law allows"),
        ("R1", 53, "weeks", "later than the law allows"),
        ("R2", 13, "weeks", "later than the law allows"),  # 31 Aug + 3 months - 1 day is only 90 days
        ("R3", 10, "days", "Choose at least 2 weeks"),
        ("R9", 2, "weeks", "fixed by law"),
        ("X1", 2, "weeks", "fixed by law"),
    ],
)
def test_settings_that_would_loosen_the_law_are_refused(demo, rule_id, amount, unit, message):
    row = DeadlineSetting(trust=demo.oak, rule_id=rule_id, target_amount=amount, target_unit=unit)
    with pytest.raises(ValidationError, match=message):
        row.full_clean()


@pytest.mark.parametrize(
    ("rule_id", "amount", "unit"),
    [("A2", 6, "weeks"), ("A2", 5, "weeks"), ("A4", 15, "days"), ("R1", 52, "weeks"), ("R3", 3, "weeks")],
)
def test_settings_as_strict_or_stricter_are_accepted(demo, rule_id, amount, unit):
    DeadlineSetting(trust=demo.oak, rule_id=rule_id, target_amount=amount, target_unit=unit).full_clean()


def test_reminder_offsets_are_checked(demo):
    with pytest.raises(ValidationError, match="listed twice"):
        DeadlineSetting(trust=demo.oak, rule_id="R3", reminder_days=[42, 14, 14]).full_clean()
    with pytest.raises(ValidationError, match="from 0 to 365"):
        DeadlineSetting(trust=demo.oak, rule_id="R3", reminder_days=[400]).full_clean()
    ok = DeadlineSetting(trust=demo.oak, rule_id="R3", reminder_days=[7, 42, 14])
    ok.full_clean()
    assert ok.reminders == (42, 14, 7)
    assert engine.reminder_days_for(None) == (14, 7, 1)
