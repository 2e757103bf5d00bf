"""An annual review through its services, with the statutory deadlines it opens, recomputes and meets.

Every date is worked by hand from domain.md: invitations and advice on or before meeting - 14 days (R3, R4),
report by meeting + 14 days (R5), LA decision by meeting + 28 days (R6), representations 15 days counting
the first (R7), amended plan 8 weeks (R8), the next review 12 months less a day from the meeting (R1).
"""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django_scopes import scope

from ehcp.models import Deadline
from reviews import services
from reviews.models import AnnualReview, Invitee, ReviewAction
from tests.permission_cases.reviews import casework_user, ehc_pupil, make_plan
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db

Status = AnnualReview.Status


def at(day: date):
    return time_machine.travel(day, tick=False)


def deadline(review: AnnualReview, rule_id: str) -> Deadline:
    return Deadline.objects.get(subject_type="annual_review", subject_id=review.pk, rule_id=rule_id)


def plan_deadline(review: AnnualReview, rule_id: str) -> Deadline:
    return Deadline.objects.get(subject_type="ehc_plan", subject_id=review.plan_id, rule_id=rule_id)


RECORD = services.MeetingRecord(
    progress_on_outcomes="Asks for help when stuck in most lessons.",
    appreciated_admired="Kind to younger pupils; a gifted drummer.",
    important_now="Knowing what happens next in the day.",
    important_future="Joining the school band.",
    how_to_support="Visual timetable; a quiet space at lunch.",
    questions_issues="Transport to the after-school club.",
    parent_views="Pleased with progress in reading.",
    pupil_views="I like the quiet room.",
    recommendation="amend",
    proposed_amendments="Section F: add weekly speech and language therapy.",
)


@pytest.fixture
def senco(demo):
    return demo.user("senco.acorn@oak.test")


@pytest.fixture
def plan(demo):
    with at(date(2026, 3, 2)):
        return make_plan(demo, demo.acorn, issued_on=date(2025, 6, 15))


def test_a_review_from_start_to_amended_plan_opens_and_meets_its_deadlines(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk):
        with at(date(2026, 3, 2)):  # Monday
            review = services.start_review(plan=plan, actor=senco)
            # R1: issued 15 June 2025 -> reviewed by 14 June 2026 (12 months less a day); the plan's own R1.
            assert (review.due_date, review.due_rule) == (date(2026, 6, 14), "R1")
            assert plan_deadline(review, "R1").due == date(2026, 6, 14)
            assert sorted(review.invitees.values_list("role", flat=True)) == ["parent", "pupil"]

            review = services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
            assert review.status == Status.SCHEDULED
            # Wednesday 20 May 2026: invitations and advice by Wednesday 6 May, report by 3 June, LA by 17 June.
            assert deadline(review, "R3").due == date(2026, 5, 6)
            assert deadline(review, "R4").due == date(2026, 5, 6)
            assert deadline(review, "R5").due == date(2026, 6, 3)
            assert deadline(review, "R6").due == date(2026, 6, 17)

            # Rescheduled to Wednesday 3 June: every date moves with the meeting.
            review = services.schedule_meeting(review=review, meeting_date=date(2026, 6, 3), actor=senco)
            assert deadline(review, "R3").due == date(2026, 5, 20)
            assert deadline(review, "R4").due == date(2026, 5, 20)
            assert deadline(review, "R5").due == date(2026, 6, 17)
            assert deadline(review, "R6").due == date(2026, 7, 1)
            la = services.add_invitee(
                review=review, role="la_officer", name="Sam Patel", email="Sam.Patel@la.example", actor=senco
            )
            assert la.email == "sam.patel@la.example"

        with at(date(2026, 5, 11)):
            parent = review.invitees.get(role="parent")
            services.record_invitations(review=review, invitees=[parent], sent_on=date(2026, 5, 11), actor=senco)
            assert deadline(review, "R3").status == "open"  # not everyone is invited yet

        with at(date(2026, 5, 12)):
            rest = list(review.invitees.filter(invited_on=None))
            services.record_invitations(review=review, invitees=rest, sent_on=date(2026, 5, 12), actor=senco)
            r3 = deadline(review, "R3")
            assert (r3.status, r3.met_on, r3.met_late) == ("met", date(2026, 5, 12), False)

        with at(date(2026, 5, 19)):
            services.circulate_advice(review=review, circulated_on=date(2026, 5, 19), actor=senco)
            assert (deadline(review, "R4").status, deadline(review, "R4").met_on) == ("met", date(2026, 5, 19))

        with at(date(2026, 6, 3)):
            review = services.record_meeting(
                review=review,
                held_on=date(2026, 6, 3),
                record=RECORD,
                actions=[services.ActionInput("Refer to speech and language therapy", "SENCO", date(2026, 7, 10))],
                actor=senco,
            )
            assert review.status == Status.HELD
            r1 = plan_deadline(review, "R1")
            assert (r1.status, r1.met_on) == ("met", date(2026, 6, 3))
            assert list(ReviewAction.objects.filter(review=review).values_list("who", flat=True)) == ["SENCO"]
            # The next review counts from this meeting: 3 June 2026 -> by 2 June 2027.
            nxt = AnnualReview.objects.get(previous=review)
            assert (nxt.anchor_date, nxt.due_date, nxt.status) == (date(2026, 6, 3), date(2027, 6, 2), "planning")
            assert deadline(nxt, "R1").due == date(2027, 6, 2)
            assert nxt.invitees.count() == 3  # the same people as this year

        with at(date(2026, 6, 10)):
            review = services.record_report_sent(review=review, sent_on=date(2026, 6, 10), actor=senco)
            assert review.status == Status.REPORT_SENT
            assert (deadline(review, "R5").status, deadline(review, "R5").met_late) == ("met", False)

        with at(date(2026, 6, 30)):  # Tuesday
            review = services.record_la_decision(
                review=review, decision="amend", decided_on=date(2026, 6, 30), actor=senco
            )
            assert review.status == Status.AMENDING
            assert (deadline(review, "R6").status, deadline(review, "R6").met_late) == ("met", False)
            # Proposed amendments sent 30 June: 15 days counting that day -> 14 July; 8 weeks -> 25 August.
            assert deadline(review, "R7").due == date(2026, 7, 14)
            assert deadline(review, "R8").due == date(2026, 8, 25)

        with at(date(2026, 8, 20)):
            review = services.record_amendments(review=review, amended_plan_on=date(2026, 8, 20), actor=senco)
            assert (review.status, review.completed_on) == (Status.COMPLETED, date(2026, 8, 20))
            assert deadline(review, "R8").status == "met"
            assert deadline(review, "R7").status == "waived"  # the period is over: no representations recorded

        assert not Deadline.objects.filter(subject_type="annual_review", subject_id=review.pk, status="open").exists()
        summaries = list(
            AuditEntry.objects.filter(object_type="reviews.AnnualReview").values_list("summary", flat=True)
        )
        assert "Meeting moved from 20 May 2026 to 3 June 2026" in summaries
        assert any(s.startswith("Meeting recorded") for s in summaries)


def test_rescheduling_recomputes_but_keeps_what_is_done(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 4, 1)):
        review = services.start_review(plan=plan, actor=senco)
        review = services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
        services.record_invitations(
            review=review, invitees=list(review.invitees.all()), sent_on=date(2026, 4, 1), actor=senco
        )
        assert deadline(review, "R3").status == "met"
        review = services.schedule_meeting(review=review, meeting_date=date(2026, 6, 10), actor=senco)
        r3, r5 = deadline(review, "R3"), deadline(review, "R5")
        assert (r3.due, r3.status, r3.met_on) == (date(2026, 5, 27), "met", date(2026, 4, 1))
        assert (r5.due, r5.status) == (date(2026, 6, 24), "open")
        assert Deadline.objects.filter(subject_type="annual_review", subject_id=review.pk).count() == 4


def test_a_meeting_held_on_another_day_moves_the_dates_counted_from_it(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk):
        with at(date(2026, 4, 1)):
            review = services.start_review(plan=plan, actor=senco)
            review = services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
        with at(date(2026, 5, 27)):
            review = services.record_meeting(
                review=review, held_on=date(2026, 5, 27), record=RECORD, actions=[], actor=senco
            )
        assert review.meeting_date == date(2026, 5, 27)
        assert deadline(review, "R5").due == date(2026, 6, 10)
        assert deadline(review, "R6").due == date(2026, 6, 24)
        assert AnnualReview.objects.get(previous=review).due_date == date(2027, 5, 26)


def test_a_late_report_is_met_late_and_the_headteacher_was_told_it_was_due(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk):
        with at(date(2026, 5, 20)):
            review = services.start_review(plan=plan, actor=senco)
            review = services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
            review = services.record_meeting(
                review=review, held_on=date(2026, 5, 20), record=RECORD, actions=[], actor=senco
            )
            note = Notification.objects.get(recipient=demo.user("head.acorn@oak.test"))
            assert "by 3 June 2026" in note.text and "Regs 21(7)" in note.text
        with at(date(2026, 6, 8)):
            services.record_report_sent(review=review, sent_on=date(2026, 6, 8), actor=senco)
        r5 = deadline(review, "R5")
        assert (r5.status, r5.met_late, r5.days_late) == ("met", True, 5)


def test_keep_decision_completes_the_review(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 6, 20)):
        review = services.start_review(plan=plan, actor=senco)
        services.schedule_meeting(review=review, meeting_date=date(2026, 6, 1), actor=senco)
        keep = services.MeetingRecord(progress_on_outcomes="On track", recommendation="keep")
        services.record_meeting(review=review, held_on=date(2026, 6, 1), record=keep, actions=[], actor=senco)
        services.record_report_sent(review=review, sent_on=date(2026, 6, 5), actor=senco)
        review = services.record_la_decision(review=review, decision="keep", decided_on=date(2026, 6, 19), actor=senco)
        assert (review.status, review.completed_on) == (Status.COMPLETED, date(2026, 6, 19))
        assert not Deadline.objects.filter(subject_type="annual_review", subject_id=review.pk, rule_id="R7").exists()


def test_a_child_under_five_is_reviewed_within_three_months(demo, senco) -> None:
    with at(date(2026, 3, 2)):
        pupil = ehc_pupil(demo, demo.acorn, date_of_birth=date(2022, 1, 10), year_group="N1")
        plan = make_plan(demo, demo.acorn, issued_on=date(2026, 1, 5), pupil=pupil)
        with scope(trust=demo.oak.pk):
            review = services.start_review(plan=plan, actor=senco)
            # CoP 9.178 "every 3 to 6 months", the earlier date: 5 January 2026 + 3 months less a day = 4 April
            # 2026, before R1's 4 January 2027.
            assert (review.under_five, review.due_date, review.due_rule) == (True, date(2026, 4, 4), "R2")
            services.schedule_meeting(review=review, meeting_date=date(2026, 3, 2), actor=senco)
            services.record_meeting(review=review, held_on=date(2026, 3, 2), record=RECORD, actions=[], actor=senco)
            assert plan_deadline(review, "R2").status == "met"
            nxt = AnnualReview.objects.get(previous=review)
            assert (nxt.under_five, nxt.due_date, nxt.due_rule) == (True, date(2026, 6, 1), "R2")


def test_a_year_six_review_is_due_early_enough_for_the_phase_transfer(demo, senco) -> None:
    with at(date(2026, 10, 1)):
        pupil = ehc_pupil(demo, demo.acorn, date_of_birth=date(2015, 11, 2), year_group="6")
        plan = make_plan(demo, demo.acorn, issued_on=date(2026, 1, 20), pupil=pupil)
        with scope(trust=demo.oak.pk):
            review = services.start_review(plan=plan, actor=senco)
            # R9: transfer in 2027, amended plan by 14 February 2027; less 12 weeks (R6 + R8) = 22 November 2026.
            assert review.phase_transfer is not None
            assert (review.due_date, review.due_rule) == (date(2026, 11, 22), "R9")
            services.schedule_meeting(review=review, meeting_date=date(2026, 10, 1), actor=senco)
            services.record_meeting(review=review, held_on=date(2026, 10, 1), record=RECORD, actions=[], actor=senco)
            services.record_report_sent(review=review, sent_on=date(2026, 10, 1), actor=senco)
            services.record_la_decision(review=review, decision="amend", decided_on=date(2026, 10, 1), actor=senco)
            services.record_amendments(
                review=review,
                parent_representations_on=date(2026, 10, 1),
                amended_plan_on=date(2026, 10, 1),
                names_next_school=True,
                actor=senco,
            )
            r9 = Deadline.objects.get(subject_type="phase_transfer", rule_id="R9", pupil=pupil)
            assert (r9.status, r9.met_on) == ("met", date(2026, 10, 1))
            assert deadline(review, "R7").status == "met"
            # The transfer was dealt with: the next review is an ordinary one.
            nxt = AnnualReview.objects.get(previous=review)
            assert (nxt.phase_transfer, nxt.due_rule) == (None, "R1")


def test_a_review_held_before_records_were_kept_meets_the_plans_r1(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 3, 2)):
        review = services.start_review(plan=plan, actor=senco, last_review_on=date(2026, 2, 10))
        assert (review.anchor_kind, review.due_date) == ("last_review", date(2027, 2, 9))
        assert (plan_deadline(review, "R1").status, plan_deadline(review, "R1").met_on) == ("met", date(2026, 2, 10))
        assert deadline(review, "R1").due == date(2027, 2, 9)


def test_one_review_waits_for_its_meeting_at_a_time_until_cancelled(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 3, 2)):
        review = services.start_review(plan=plan, actor=senco)
        services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
        with pytest.raises(ValidationError, match="already has a review waiting"):
            services.start_review(plan=plan, actor=senco)
        services.cancel_review(review=review, reason="The pupil moved away", actor=senco)
        assert deadline(review, "R3").status == "waived"
        assert plan_deadline(review, "R1").status == "open"  # the plan still needs its review
        again = services.start_review(plan=plan, actor=senco)
        assert again.due_date == date(2026, 6, 14)


def _count_all() -> tuple[int, int, int, int]:
    return (
        AnnualReview.objects.count(),
        Invitee.objects.count(),
        Deadline.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (lambda r, u: services.schedule_meeting(review=r, meeting_date=date(2025, 6, 1), actor=u), "cannot be before"),
        (
            lambda r, u: services.add_invitee(review=r, role="wizard", name=" ", email="", actor=u),
            "Choose the person's role",
        ),
        (
            lambda r, u: services.record_invitations(
                review=r, invitees=list(r.invitees.all()), sent_on=date(2026, 3, 1), actor=u
            ),
            "Book the meeting first",
        ),
        (
            lambda r, u: services.circulate_advice(review=r, circulated_on=date(2026, 3, 1), actor=u),
            "Book the meeting first",
        ),
        (
            lambda r, u: services.record_meeting(
                review=r, held_on=date(2026, 3, 1), record=RECORD, actions=[], actor=u
            ),
            "Book the meeting before recording it",
        ),
        (lambda r, u: services.record_report_sent(review=r, sent_on=date(2026, 3, 1), actor=u), "Record the meeting"),
        (
            lambda r, u: services.record_la_decision(review=r, decision="keep", decided_on=date(2026, 3, 1), actor=u),
            "report was sent",
        ),
        (
            lambda r, u: services.record_amendments(review=r, amended_plan_on=date(2026, 3, 1), actor=u),
            "record that decision first",
        ),
        (lambda r, u: services.cancel_review(review=r, reason="  ", actor=u), "Say why"),
    ],
)
def test_a_step_out_of_order_is_refused_with_a_reason_and_writes_nothing(demo, plan, senco, step, message) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 3, 2)):
        review = services.start_review(plan=plan, actor=senco)
        before = _count_all()
        with pytest.raises(ValidationError, match=message):
            step(review, senco)
        assert _count_all() == before
        review.refresh_from_db()
        assert (review.status, review.meeting_date) == (Status.PLANNING, None)


def test_meeting_record_needs_progress_a_recommendation_and_time_bound_actions(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 5, 20)):
        review = services.start_review(plan=plan, actor=senco)
        services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
        with pytest.raises(ValidationError) as exc:
            services.record_meeting(
                review=review,
                held_on=date(2026, 5, 21),
                record=services.MeetingRecord(recommendation="amend"),
                actions=[services.ActionInput("Call home", "", date(2026, 5, 1))],
                actor=senco,
            )
        messages = exc.value.messages
        assert "The date of the meeting cannot be in the future: record the meeting once it has happened." in messages
        assert "Record the progress made towards the plan's outcomes." in messages
        assert "Describe the amendments the meeting proposes." in messages
        assert "Action 1: say what will be done and who will do it." in messages
        assert "Action 1: the date it is due by cannot be before the meeting." in messages
        assert not AnnualReview.objects.filter(previous=review).exists()


def test_invitations_after_the_meeting_and_future_dates_are_refused(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 5, 1)):
        review = services.start_review(plan=plan, actor=senco)
        services.schedule_meeting(review=review, meeting_date=date(2026, 4, 20), actor=senco)
        with pytest.raises(ValidationError, match="not after it"):
            services.record_invitations(
                review=review, invitees=list(review.invitees.all()), sent_on=date(2026, 4, 30), actor=senco
            )
        with pytest.raises(ValidationError, match="cannot be in the future"):
            services.circulate_advice(review=review, circulated_on=date(2026, 5, 2), actor=senco)


def test_the_report_cannot_change_the_meeting_record_once_sent(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 5, 20)):
        review = services.start_review(plan=plan, actor=senco)
        services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
        services.record_meeting(review=review, held_on=date(2026, 5, 20), record=RECORD, actions=[], actor=senco)
        services.record_report_sent(review=review, sent_on=date(2026, 5, 20), actor=senco)
        with pytest.raises(ValidationError, match="report has been sent"):
            services.record_meeting(review=review, held_on=date(2026, 5, 20), record=RECORD, actions=[], actor=senco)


def test_a_ceased_plan_has_no_more_reviews(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 3, 2)):
        EhcPlanModel = type(plan)
        EhcPlanModel.objects.filter(pk=plan.pk).update(ceased_on=date(2026, 3, 1))
        with pytest.raises(ValidationError, match="has ceased"):
            services.start_review(plan=plan, actor=senco)


def test_the_builders_act_as_the_schools_senco(demo) -> None:
    assert casework_user(demo.beech).email == "senco.beech@oak.test"


def test_the_next_review_can_be_cancelled_and_started_again_from_the_same_meeting(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 5, 20)):
        review = services.start_review(plan=plan, actor=senco)
        services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
        services.record_meeting(review=review, held_on=date(2026, 5, 20), record=RECORD, actions=[], actor=senco)
        nxt = AnnualReview.objects.get(previous=review)
        services.cancel_review(review=nxt, reason="Started by mistake", actor=senco)
        assert deadline(nxt, "R1").status == "waived"
        again = services.start_review(plan=plan, actor=senco)
        assert (again.previous_id, again.anchor_date, again.due_date) == (
            review.pk,
            date(2026, 5, 20),
            date(2027, 5, 19),
        )
        assert deadline(again, "R1").status == "open"
        # Correcting the meeting record moves the new review's dates, not the cancelled one's.
        services.record_meeting(review=review, held_on=date(2026, 5, 19), record=RECORD, actions=[], actor=senco)
        again.refresh_from_db()
        assert again.due_date == date(2027, 5, 18)
        assert AnnualReview.objects.filter(plan=plan).count() == 3


def test_invitations_recorded_after_the_meeting_count_from_the_day_they_were_sent(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 5, 25)):
        review = services.start_review(plan=plan, actor=senco)
        services.schedule_meeting(review=review, meeting_date=date(2026, 5, 20), actor=senco)
        services.record_meeting(review=review, held_on=date(2026, 5, 20), record=RECORD, actions=[], actor=senco)
        services.record_invitations(
            review=review, invitees=list(review.invitees.all()), sent_on=date(2026, 5, 11), actor=senco
        )
        r3 = deadline(review, "R3")
        assert (r3.status, r3.met_on, r3.met_late) == ("met", date(2026, 5, 11), True)  # 9 days' notice, not 14
        with pytest.raises(ValidationError, match="can no longer change"):
            services.add_invitee(review=review, role="health", name="School nurse", email="", actor=senco)


def _to_report_sent(demo, plan, senco, *, sent_on: date):
    review = services.start_review(plan=plan, actor=senco)
    services.schedule_meeting(review=review, meeting_date=date(2026, 6, 1), actor=senco)
    services.record_meeting(review=review, held_on=date(2026, 6, 1), record=RECORD, actions=[], actor=senco)
    return services.record_report_sent(review=review, sent_on=sent_on, actor=senco)


def test_the_las_decision_cannot_come_before_the_report(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 6, 20)):
        review = _to_report_sent(demo, plan, senco, sent_on=date(2026, 6, 10))
        with pytest.raises(ValidationError, match=r"before the report was sent \(10 June 2026\)"):
            services.record_la_decision(review=review, decision="amend", decided_on=date(2026, 6, 5), actor=senco)


def test_an_amended_plan_inside_the_parents_15_days_is_the_las_breach(demo, plan, senco) -> None:
    """Regs 22(2)(c): the parent has at least 15 days; finalising inside them is not a waived R7."""
    with scope(trust=demo.oak.pk), at(date(2026, 7, 20)):
        review = _to_report_sent(demo, plan, senco, sent_on=date(2026, 6, 10))
        services.record_la_decision(review=review, decision="amend", decided_on=date(2026, 6, 15), actor=senco)
        services.record_amendments(review=review, amended_plan_on=date(2026, 6, 22), actor=senco)
        r7 = deadline(review, "R7")
        assert (r7.status, r7.la_breach) == ("waived", True)
        assert "before the parent's 15 days for representations ended (29 June 2026)" in r7.waived_reason


def test_an_amended_plan_after_the_15_days_simply_closes_r7(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(date(2026, 7, 20)):
        review = _to_report_sent(demo, plan, senco, sent_on=date(2026, 6, 10))
        services.record_la_decision(review=review, decision="amend", decided_on=date(2026, 6, 15), actor=senco)
        services.record_amendments(review=review, amended_plan_on=date(2026, 7, 10), actor=senco)
        r7 = deadline(review, "R7")
        assert (r7.status, r7.la_breach) == ("waived", False)
