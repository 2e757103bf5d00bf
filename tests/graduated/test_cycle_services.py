"""The assess-plan-do-review cycle through its services: every rule, every next step and its register effect."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope

from graduated import services
from graduated.models import Cycle, DeliveryLog, Outcome
from register.models import RegisterChange, RegisterEntry
from tests.permission_cases.graduated import active_cycle, assessing_cycle, provision, support_pupil
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def senco(demo):
    return demo.user("senco.acorn@oak.test")


def messages_of(exc_info) -> str:
    return " ".join(exc_info.value.messages)


def test_a_cycle_starts_only_for_a_pupil_on_sen_support_or_with_an_ehc_plan(demo, senco) -> None:
    not_on_register = support_pupil(demo, demo.acorn, status="M")
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError) as exc:
            services.start_cycle(pupil=not_on_register, actor=senco)
        assert "is not on SEN support" in messages_of(exc)
        for status in ("K", "E"):
            cycle = services.start_cycle(pupil=support_pupil(demo, demo.acorn, status=status), actor=senco)
            assert cycle.number == 1 and cycle.status == Cycle.Status.ASSESSING


def test_only_one_cycle_is_open_at_a_time(demo, senco) -> None:
    cycle = assessing_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError) as exc:
        services.start_cycle(pupil=cycle.pupil, actor=senco)
    assert "already has an open cycle" in messages_of(exc)


@pytest.mark.parametrize("email", ["teacher.acorn@oak.test", "ta.acorn@oak.test", "senco.beech@oak.test"])
def test_only_casework_staff_of_the_school_change_plans(demo, email) -> None:
    pupil = support_pupil(demo, demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError) as exc:
        services.start_cycle(pupil=pupil, actor=demo.user(email))
    assert "Only the SENCO" in messages_of(exc)


def test_the_plan_needs_an_outcome_an_impact_and_a_later_review_date(demo, senco) -> None:
    cycle = assessing_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError) as exc:
            services.confirm_plan(cycle=cycle, actor=senco, review_date=TODAY, expected_impact=" ")
        text = messages_of(exc)
        assert "Add at least one outcome" in text
        assert "Say what impact" in text
        assert "review date must be after" in text
        cycle.refresh_from_db()
        assert cycle.status == Cycle.Status.ASSESSING
        with pytest.raises(ValidationError) as exc:
            services.add_outcome(cycle=cycle, actor=senco, description="x", baseline="", target="", measured_by="")
        assert "baseline" in messages_of(exc) and "target" in messages_of(exc)


def test_agreeing_the_plan_tells_the_pupils_teacher_and_ta_once(demo, senco) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        told = set(Notification.objects.filter(kind="support_plan").values_list("recipient__email", flat=True))
        assert told == {"teacher.acorn@oak.test", "ta.acorn@oak.test"}
        services.confirm_plan(
            cycle=cycle, actor=senco, review_date=cycle.review_date + timedelta(days=7), expected_impact="More"
        )
        assert Notification.objects.filter(kind="support_plan").count() == 2


def test_a_teaching_assistant_logs_sessions_for_own_pupils_only(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    ta = demo.user("ta.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
        log = services.log_delivery(
            allocation=allocation, actor=ta, session_date=TODAY, attended=True, note="Good focus", score=Decimal(52)
        )
        assert log.outcome == cycle.outcomes.get()  # one outcome: the score measures it
        other = active_cycle(demo, demo.acorn)
        other_pupil_allocation = other.allocations.get()
        from pupils.models import GroupMember

        GroupMember.objects.filter(pupil=other.pupil).delete()  # not in the TA's group any more
        with pytest.raises(ValidationError) as exc:
            services.log_delivery(allocation=other_pupil_allocation, actor=ta, session_date=TODAY, attended=True)
        assert "pupils you teach or support" in messages_of(exc)


def test_delivery_rules_are_explained(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    ta = demo.user("ta.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
        with pytest.raises(ValidationError) as exc:
            services.log_delivery(
                allocation=allocation,
                actor=ta,
                session_date=TODAY + timedelta(days=1),
                attended=False,
                score=Decimal(3),
            )
        text = messages_of(exc)
        assert "cannot be in the future" in text
        assert "only be recorded for a session the pupil attended" in text
        assert DeliveryLog.objects.count() == 0


def _results(cycle, result="not", evidence="Checked weekly"):
    return {o.pk: (result, evidence) for o in cycle.outcomes.all()}


def test_review_needs_every_outcome_judged_with_evidence(demo, senco) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError) as exc:
            services.record_review(
                cycle=cycle, actor=senco, results={}, reviewed_on=TODAY, next_step=Cycle.NextStep.NEW_CYCLE
            )
        assert "Say whether outcome 1" in messages_of(exc)
        assert "Give the evidence for outcome 1" in messages_of(exc)
        cycle.refresh_from_db()
        assert cycle.status == Cycle.Status.ACTIVE


def test_review_with_a_new_cycle_carries_forward_outcomes_not_achieved(demo, senco) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        services.add_outcome(
            cycle=cycle, actor=senco, description="Count to 20", baseline="10", target="20", measured_by="Check"
        )
        first, second = cycle.outcomes.order_by("position")
        services.record_review(
            cycle=cycle,
            actor=senco,
            results={first.pk: ("partly", "Reads 65 of 100"), second.pk: ("achieved", "Counts to 20")},
            reviewed_on=TODAY,
            next_step=Cycle.NextStep.NEW_CYCLE,
            pupil_views="I like reading now",
        )
        cycle.refresh_from_db()
        new = Cycle.objects.get(pupil=cycle.pupil, number=2)
        assert cycle.status == Cycle.Status.REVIEWED and cycle.next_step == "new_cycle"
        assert new.status == Cycle.Status.ASSESSING and new.previous == cycle and new.started_on == TODAY
        carried = list(new.outcomes.all())
        assert [o.description for o in carried] == ["Read the first 100 high-frequency words"]
        assert carried[0].carried_from == first and carried[0].result == ""
        assert [s.text for s in new.strategies.all()] == ["Give instructions one step at a time"]
        assert [a.provision.name for a in new.allocations.all()] == ["Phonics catch-up group"]
        assert RegisterEntry.objects.get(pupil=cycle.pupil).status == "K"  # still on SEN support
        assert not RegisterChange.objects.filter(pupil=cycle.pupil).exists()


@pytest.mark.parametrize(("step", "status"), [("monitoring", "M"), ("leave", "N")])
def test_review_ending_support_changes_the_register_and_records_parents_told(demo, senco, step, status) -> None:
    cycle = active_cycle(demo, demo.acorn)
    told = TODAY - timedelta(days=1)
    with scope(trust=demo.oak.pk):
        services.record_review(
            cycle=cycle,
            actor=senco,
            results=_results(cycle, "achieved"),
            reviewed_on=TODAY,
            next_step=step,
            parents_told_on=told,
        )
        cycle.refresh_from_db()
        assert cycle.parents_told_on == told
        assert RegisterEntry.objects.get(pupil=cycle.pupil).status == status
        change = RegisterChange.objects.get(pupil=cycle.pupil)
        assert (change.from_status, change.to_status, change.parents_told_on) == ("K", status, told)
        assert "Review of support cycle 1" in change.reason
        assert not Cycle.objects.filter(pupil=cycle.pupil, number=2).exists()
        # The pupil's teacher and TA (their class's staff) hear that support has ended; the SENCO did it.
        told_staff = Notification.objects.filter(kind="support_plan", text__contains="no longer needs SEN support")
        assert sorted(told_staff.values_list("recipient__email", flat=True)) == [
            "ta.acorn@oak.test",
            "teacher.acorn@oak.test",
        ]
        where = "moves to monitoring" if step == "monitoring" else "leaves the SEN register"
        assert where in told_staff.first().text


@pytest.mark.parametrize("step", ["monitoring", "leave"])
def test_ending_support_without_the_date_parents_were_told_saves_nothing(demo, senco, step) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError) as exc:
            services.record_review(
                cycle=cycle, actor=senco, results=_results(cycle, "achieved"), reviewed_on=TODAY, next_step=step
            )
        assert "date parents were told" in messages_of(exc)
        cycle.refresh_from_db()
        assert cycle.status == Cycle.Status.ACTIVE
        assert Outcome.objects.get(cycle=cycle).result == ""
        assert RegisterEntry.objects.get(pupil=cycle.pupil).status == "K"


def test_a_register_refusal_undoes_the_whole_review(demo, senco) -> None:
    cycle = active_cycle(demo, demo.acorn, admission_date=TODAY)
    with scope(trust=demo.oak.pk):
        cycle.planned_on = TODAY - timedelta(days=3)
        cycle.save()
        # The register refuses a change dated before the pupil joined; the review must not half-save.
        with pytest.raises(ValidationError) as exc:
            services.record_review(
                cycle=cycle,
                actor=senco,
                results=_results(cycle, "achieved"),
                reviewed_on=TODAY - timedelta(days=1),
                next_step="leave",
                parents_told_on=TODAY,
            )
        assert "before the pupil joined" in messages_of(exc)
        cycle.refresh_from_db()
        assert cycle.status == Cycle.Status.ACTIVE and cycle.reviewed_on is None
        assert Outcome.objects.get(cycle=cycle).result == ""


def test_review_requesting_an_ehc_needs_assessment_records_the_decision_only(demo, senco) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        services.record_review(
            cycle=cycle, actor=senco, results=_results(cycle), reviewed_on=TODAY, next_step="ehc_request"
        )
        cycle.refresh_from_db()
        assert cycle.next_step == Cycle.NextStep.EHC_REQUEST and cycle.status == Cycle.Status.REVIEWED
        assert RegisterEntry.objects.get(pupil=cycle.pupil).status == "K"
        assert AuditEntry.objects.filter(pupil_id=cycle.pupil_id, summary__contains="EHC needs assessment").exists()


def test_a_pupil_with_an_ehc_plan_cannot_leave_support_at_a_review(demo, senco) -> None:
    cycle = active_cycle(demo, demo.acorn, status="E")
    with scope(trust=demo.oak.pk):
        for step in ("monitoring", "leave", "ehc_request"):
            with pytest.raises(ValidationError) as exc:
                services.record_review(
                    cycle=cycle,
                    actor=senco,
                    results=_results(cycle, "achieved"),
                    reviewed_on=TODAY,
                    next_step=step,
                    parents_told_on=TODAY,
                )
            assert "EHC plan" in messages_of(exc)


def test_a_reviewed_cycle_cannot_be_changed(demo, senco) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        services.record_review(
            cycle=cycle, actor=senco, results=_results(cycle), reviewed_on=TODAY, next_step="ehc_request"
        )
        with pytest.raises(ValidationError) as exc:
            services.add_strategy(cycle=cycle, actor=senco, text="Late idea")
        assert "has been reviewed" in messages_of(exc)
        with pytest.raises(ValidationError):
            services.record_review(
                cycle=cycle, actor=senco, results=_results(cycle), reviewed_on=TODAY, next_step="new_cycle"
            )


def test_provision_with_logged_sessions_stays_on_the_plan(demo, senco) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        allocation = cycle.allocations.get()
        services.log_delivery(allocation=allocation, actor=senco, session_date=TODAY, attended=True)
        with pytest.raises(ValidationError) as exc:
            services.remove_item(cycle=cycle, actor=senco, item=allocation)
        assert "have been logged" in messages_of(exc)
        strategy = cycle.strategies.get()
        services.remove_item(cycle=cycle, actor=senco, item=strategy)
        assert not cycle.strategies.exists()


def test_provision_from_another_school_cannot_be_planned(demo, senco) -> None:
    cycle = assessing_cycle(demo, demo.acorn)
    beech_item = provision(demo.beech, "Beech reading club")
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError) as exc:
        services.allocate_provision(cycle=cycle, actor=senco, provision=beech_item)
    assert "this school's catalogue" in messages_of(exc)


def test_parent_meetings_are_recorded_with_who_came(demo, senco) -> None:
    pupil = support_pupil(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError) as exc:
            services.record_parent_meeting(
                pupil=pupil, actor=senco, held_on=TODAY + timedelta(days=2), attendees="", notes=""
            )
        text = messages_of(exc)
        assert "cannot be in the future" in text and "who attended" in text and "notes" in text
        meeting = services.record_parent_meeting(
            pupil=pupil, actor=senco, held_on=TODAY, attendees="Mum, SENCO", agreed_actions="Read nightly"
        )
        assert meeting.recorded_by == senco and meeting.school == demo.acorn


def test_every_change_is_audited_against_the_pupil(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        summaries = list(AuditEntry.objects.filter(pupil_id=cycle.pupil_id).values_list("summary", flat=True))
    assert any("Support cycle 1 started" in s for s in summaries)
    assert any("outcome added" in s for s in summaries)
    assert any("plan agreed" in s for s in summaries)
