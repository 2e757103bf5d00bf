"""The periodic sweep: reminders at the trust's offsets, missed deadlines escalated, idempotent, catches up."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_scopes import scope, scopes_disabled

from ehcp import deadlines as engine
from ehcp.models import Deadline, DeadlineSetting
from ehcp.sweep import latest_reminder_due
from ehcp.tasks import sweep_deadlines
from tests.factories import pupil_at
from tests.permission_cases.ehcp import make_plan
from trusts.models import Membership, Notification, Role

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
T = date(2026, 6, 1)  # a Monday


def at(d: date, hour: int = 9):
    return time_machine.travel(datetime(d.year, d.month, d.day, hour, 0, tzinfo=LONDON), tick=False)


def deadline_due(demo, due: date, *, rule_id: str = "A2", school=None) -> Deadline:
    """An open deadline whose date is `due` (A2: 6 weeks after the trigger; A1 for an LA deadline)."""
    school = school or demo.acorn
    pupil = pupil_at(demo, school)
    with scope(trust=school.trust_id):
        return engine.open_deadline(
            rule_id=rule_id,
            trigger_date=due - timedelta(weeks=6),
            school=school,
            pupil=pupil,
            subject_type="needs_assessment",
            subject_id=pupil.pk,
            actor=None,
        )


def keys(deadline: Deadline) -> list[tuple[str, str]]:
    """(recipient email, stage) of every notification about this deadline."""
    with scopes_disabled():
        rows = Notification.objects.filter(dedupe_key__startswith=f"deadline:{deadline.pk}:").select_related(
            "recipient"
        )
        return sorted((n.recipient.email, n.dedupe_key.split(":")[2]) for n in rows)


def status(deadline: Deadline) -> str:
    with scopes_disabled():
        return Deadline.objects.get(pk=deadline.pk).status


SENCO = "senco.acorn@oak.test"
HEAD = "head.acorn@oak.test"


def test_running_the_sweep_twice_sends_one_reminder(demo):
    d = deadline_due(demo, T + timedelta(days=7))
    with at(T):
        first = sweep_deadlines()
        second = sweep_deadlines()
    assert keys(d) == [(SENCO, "remind-7-20260608")]
    assert first["reminders"] == 1 and second["reminders"] == 0 and second["notifications"] == 0


def test_reminders_follow_the_default_offsets_14_7_and_1(demo):
    d = deadline_due(demo, T + timedelta(days=14))
    for day in range(0, 15):
        with at(T + timedelta(days=day)):
            sweep_deadlines()
    assert keys(d) == [(SENCO, "remind-1-20260615"), (SENCO, "remind-14-20260615"), (SENCO, "remind-7-20260615")]
    assert status(d) == "open"


def test_only_the_latest_due_stage_is_sent_never_7_days_after_1_day(demo):
    d = deadline_due(demo, T + timedelta(days=1))
    with at(T):
        sweep_deadlines()
    with at(T + timedelta(hours=5)):
        sweep_deadlines()
    assert keys(d) == [(SENCO, "remind-1-20260602")]


def test_after_a_three_day_outage_every_due_reminder_is_sent_once(demo):
    far = deadline_due(demo, T + timedelta(days=8))  # 14-day stage before the outage, 7-day stage during it
    near = deadline_due(demo, T + timedelta(days=4))  # 7-day stage before, 1-day stage during
    lapsing = deadline_due(demo, T + timedelta(days=2))  # 7-day stage before, missed during
    done = deadline_due(demo, T + timedelta(days=3))  # met during the outage: nothing more
    with at(T):
        sweep_deadlines()
    assert keys(far) == [(SENCO, "remind-14-20260609")]
    assert keys(near) == [(SENCO, "remind-7-20260605")]
    with at(T + timedelta(days=1)), scope(trust=demo.oak.pk):
        engine.meet_deadline(deadline=done, met_on=T + timedelta(days=1), actor=None)
    # The worker is down for three days; then the sweep runs twice in a row.
    with at(T + timedelta(days=3)):
        sweep_deadlines()
        sweep_deadlines()
    assert keys(far) == [(SENCO, "remind-14-20260609"), (SENCO, "remind-7-20260609")]
    assert keys(near) == [(SENCO, "remind-1-20260605"), (SENCO, "remind-7-20260605")]
    assert keys(lapsing) == sorted(
        [(SENCO, "missed-20260603"), (HEAD, "missed-20260603"), (SENCO, "remind-7-20260603")]
    )
    assert keys(done) == [(SENCO, "remind-7-20260604")]
    assert status(lapsing) == "missed" and status(done) == "met"


def test_a_missed_deadline_notifies_the_senco_and_escalates_to_the_headteacher_once(demo):
    d = deadline_due(demo, T - timedelta(days=1))
    with at(T):
        first = sweep_deadlines()
    with at(T + timedelta(days=1)):
        sweep_deadlines()
    assert first["missed"] == 1
    assert keys(d) == [(HEAD, "missed-20260531"), (SENCO, "missed-20260531")]
    assert status(d) == "missed"


def test_the_deadline_is_not_missed_on_its_last_day(demo):
    d = deadline_due(demo, T)
    with at(T, hour=23):
        sweep_deadlines()
    assert status(d) == "open"
    assert keys(d) == [(SENCO, "remind-1-20260601")]


def test_a_missed_la_deadline_is_flagged_as_the_las(demo):
    d = deadline_due(demo, T - timedelta(days=1), rule_id="A1")
    with at(T):
        sweep_deadlines()
    with scopes_disabled():
        texts = set(
            Notification.objects.filter(dedupe_key__startswith=f"deadline:{d.pk}:").values_list("text", flat=True)
        )
    assert len(texts) == 1
    text = texts.pop()
    assert text.startswith("The local authority has missed: A1 for a Year 4 pupil at Acorn Primary.")
    assert d.pupil.legal_surname not in text and d.pupil.forename not in text
    assert "SEND Regulations 2014, reg 5" in text and "escalation" in text


def test_met_and_waived_deadlines_get_nothing(demo):
    met = deadline_due(demo, T + timedelta(days=7))
    waived = deadline_due(demo, T - timedelta(days=3))
    with at(T), scope(trust=demo.oak.pk):
        engine.meet_deadline(deadline=met, met_on=T, actor=None)
        engine.waive_deadline(deadline=waived, reason="Assessment withdrawn", actor=None)
    with at(T + timedelta(days=10)):
        sweep_deadlines()
    assert keys(met) == [] and keys(waived) == []


def test_the_trusts_reminder_offsets_are_used(demo):
    with scopes_disabled():
        DeadlineSetting.objects.create(trust=demo.oak, rule_id="A2", reminder_days=[42, 14, 7])
    d = deadline_due(demo, T + timedelta(days=42))
    for day in (0, 27, 28, 35, 41):
        with at(T + timedelta(days=day)):
            sweep_deadlines()
    assert [k[1] for k in keys(d)] == ["remind-14-20260713", "remind-42-20260713", "remind-7-20260713"]


def test_a_corrected_date_rearms_the_reminders(demo):
    d = deadline_due(demo, T + timedelta(days=1))
    with at(T):
        sweep_deadlines()
        with scope(trust=demo.oak.pk):
            engine.open_deadline(
                rule_id="A2",
                trigger_date=d.trigger_date + timedelta(weeks=1),
                school=demo.acorn,
                pupil=d.pupil,
                subject_type=d.subject_type,
                subject_id=d.subject_id,
                actor=None,
            )
        sweep_deadlines()
    assert keys(d) == [(SENCO, "remind-1-20260602"), (SENCO, "remind-14-20260609")]


def test_a_headteachers_deadline_reminds_the_head_and_the_senco(demo):
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        d = engine.open_deadline(
            rule_id="R5",
            trigger_date=T - timedelta(days=7),
            school=demo.acorn,
            pupil=pupil,
            subject_type="annual_review",
            subject_id=1,
            actor=None,
        )
    with at(T):
        sweep_deadlines()
    assert keys(d) == [(HEAD, "remind-7-20260608"), (SENCO, "remind-7-20260608")]


def test_a_school_without_a_senco_falls_back_to_the_inclusion_lead(demo):
    with scopes_disabled():
        Membership.objects.filter(school=demo.acorn, role=Role.SENCO).delete()
    d = deadline_due(demo, T + timedelta(days=7))
    with at(T):
        sweep_deadlines()
    assert keys(d) == [("lead@oak.test", "remind-7-20260608")]


def test_each_trust_hears_only_of_its_own_deadlines(demo):
    oak = deadline_due(demo, T + timedelta(days=7))
    river = deadline_due(demo, T + timedelta(days=7), school=demo.willow)
    with at(T):
        sweep_deadlines()
    assert keys(oak) == [(SENCO, "remind-7-20260608")]
    assert keys(river) == [("senco.willow@river.test", "remind-7-20260608")]


def test_reminder_and_escalation_emails_go_out_in_one_batch(demo, django_capture_on_commit_callbacks, mailoutbox):
    deadline_due(demo, T - timedelta(days=1))
    with at(T), django_capture_on_commit_callbacks() as callbacks:
        result = sweep_deadlines()
    assert result["notifications"] == 2  # the SENCO and the headteacher
    assert len(callbacks) == 1  # one batch email task, not one per notification
    from trusts.tasks import email_pending_notifications

    with at(T):
        assert email_pending_notifications()["sent"] == 2  # what the queued task does when the worker runs it
    assert sorted(m.to[0] for m in mailoutbox) == [HEAD, SENCO]
    assert all("does not include details" in m.body for m in mailoutbox)
    with at(T), django_capture_on_commit_callbacks() as again:
        sweep_deadlines()
    assert again == []  # nothing new, nothing queued


def test_the_sweep_opens_phase_transfers_for_year_6_pupils_with_plans(demo):
    with at(date(2025, 10, 1)):
        plan = make_plan(demo, demo.acorn, issued_on=date(2025, 9, 15), year_group="5")
    with scopes_disabled():
        plan.pupil.year_group = "6"
        plan.pupil.save()
    with at(date(2026, 9, 10)):
        result = sweep_deadlines()
        again = sweep_deadlines()
    assert result["phase_transfers"] == 1 and again["phase_transfers"] == 0
    with scopes_disabled():
        r9 = Deadline.objects.get(pupil=plan.pupil, rule_id="R9")
    assert r9.due == date(2027, 2, 14) and r9.subject_type == "phase_transfer"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (T - timedelta(days=15), None),
        (T - timedelta(days=14), 14),
        (T - timedelta(days=3), 7),
        (T, 1),
        (T + timedelta(days=1), None),
    ],
)
def test_latest_reminder_due(today, expected):
    d = Deadline(due=T)
    assert latest_reminder_due(d, (14, 7, 1), today) == expected


def test_a_catch_up_reminder_states_the_days_really_left(demo):
    """After downtime the 14-day reminder goes out 8 days before: it says 8, not 14."""
    d = deadline_due(demo, T + timedelta(days=8))
    with scope(trust=demo.oak.pk):
        DeadlineSetting.objects.create(trust=demo.oak, rule_id="A2", reminder_days=[14, 1])
    with at(T):
        sweep_deadlines()
    with scopes_disabled():
        text = Notification.objects.get(dedupe_key__startswith=f"deadline:{d.pk}:").text
    assert text.startswith("Due in 8 days:"), text


@pytest.mark.parametrize(("school", "year_group"), [("acorn", "6"), ("beech", "11")])
def test_phase_transfers_already_open_are_not_counted_again(demo, school, year_group):
    from ehcp.services import ensure_phase_transfers

    with at(date(2025, 10, 1)):
        plan = make_plan(demo, getattr(demo, school), issued_on=date(2025, 9, 15))
    with scopes_disabled():
        plan.pupil.year_group = year_group
        plan.pupil.save()
    with at(date(2026, 9, 10)), scope(trust=demo.oak.pk):
        opened = ensure_phase_transfers(today=date(2026, 9, 10))
        again = ensure_phase_transfers(today=date(2026, 9, 10))
    assert (opened, again) == (1, 0)


def test_two_sweeps_at_once_count_a_phase_transfer_once(demo, monkeypatch):
    """The second sweep read the plans before the first opened the transfer: it must not count it too."""
    from django.db.models import QuerySet

    from ehcp.services import ensure_phase_transfers, open_phase_transfer

    with at(date(2025, 10, 1)):
        plan = make_plan(demo, demo.beech, issued_on=date(2025, 9, 15))
    with scopes_disabled():
        plan.pupil.year_group = "11"
        plan.pupil.save()
    with at(date(2026, 9, 10)), scope(trust=demo.oak.pk):
        assert open_phase_transfer(plan=plan, actor=None, today=date(2026, 9, 10)) is not None  # the other sweep
        monkeypatch.setattr(QuerySet, "exclude", lambda self, *a, **k: self)  # this sweep's stale read
        assert ensure_phase_transfers(today=date(2026, 9, 10)) == 0


def test_a_broker_blip_after_the_sweep_committed_is_not_a_failure(demo, monkeypatch):
    """The sweep's work is done; if queueing the email task fails, beat's email task sends them instead."""
    from trusts import tasks as trust_tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(trust_tasks.email_pending_notifications, "delay_on_commit", broker_down)
    d = deadline_due(demo, T + timedelta(days=7))
    with at(T):
        result = sweep_deadlines()
    assert result["reminders"] == 1 and result["notifications"] == 1
    assert keys(d) == [(SENCO, "remind-7-20260608")]
    with scopes_disabled():
        assert Notification.objects.filter(email_status="pending").count() == 1  # waiting for beat's run
