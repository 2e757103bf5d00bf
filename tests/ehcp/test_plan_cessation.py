"""Ceasing an EHC plan (CFA 2014 s.45): deadlines close, reviews under way are cancelled, the register
follows with its history, and a refused cessation writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from ehcp import services
from ehcp.models import Deadline, EhcPlan, PhaseTransfer
from register.models import RegisterChange, RegisterEntry
from register.services import change_status
from reviews import services as review_services
from reviews.models import AnnualReview
from tests.permission_cases.reviews import make_plan
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 20)


def at(day: date):
    return time_machine.travel(day, tick=False)


@pytest.fixture
def senco(demo):
    return demo.user("senco.acorn@oak.test")


@pytest.fixture
def plan(demo):
    with at(date(2026, 3, 2)):
        return make_plan(demo, demo.acorn, issued_on=date(2025, 6, 15))


def _review_to_cease_decision(plan: EhcPlan, senco) -> AnnualReview:
    with at(date(2026, 6, 20)):
        review = review_services.start_review(plan=plan, actor=senco)
        review_services.schedule_meeting(review=review, meeting_date=date(2026, 6, 1), actor=senco)
        record = review_services.MeetingRecord(progress_on_outcomes="Every outcome met", recommendation="cease")
        review_services.record_meeting(review=review, held_on=date(2026, 6, 1), record=record, actions=[], actor=senco)
        review_services.record_report_sent(review=review, sent_on=date(2026, 6, 5), actor=senco)
        return review_services.record_la_decision(
            review=review, decision="cease", decided_on=date(2026, 6, 19), actor=senco
        )


def test_the_la_decides_to_cease_then_the_plan_ceases_and_everything_follows(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk):
        review = _review_to_cease_decision(plan, senco)
        assert review.status == AnnualReview.Status.COMPLETED
        # The meeting opened the next review: the plan is maintained until it actually ceases.
        nxt = AnnualReview.objects.get(previous=review)
        assert nxt.status == AnnualReview.Status.PLANNING
        r1 = Deadline.objects.get(subject_type="annual_review", subject_id=nxt.pk, rule_id="R1")
        assert (r1.status, r1.due) == ("open", date(2027, 5, 31))

        with at(TODAY):
            services.cease_plan(
                plan=plan,
                ceased_on=date(2026, 7, 17),
                reason="after_review",
                notes="No appeal within the two months.",
                register_status="K",
                parents_told_on=None,
                actor=senco,
            )
        plan.refresh_from_db()
        assert (plan.ceased_on, plan.cease_reason) == (date(2026, 7, 17), "after_review")
        nxt.refresh_from_db()
        assert nxt.status == AnnualReview.Status.CANCELLED
        assert nxt.cancelled_reason == "The EHC plan ceased on 17 July 2026."
        r1.refresh_from_db()
        assert (r1.status, r1.waived_reason) == ("waived", "The EHC plan ceased on 17 July 2026.")
        # Invitations and advice of the completed review were due on 18 May and never recorded: missed before
        # the plan ceased, they stay for the sweep to mark as missed. Nothing still to come stays open.
        still_open = Deadline.objects.filter(pupil=plan.pupil, status="open")
        assert sorted(still_open.values_list("rule_id", "due")) == [
            ("R3", date(2026, 5, 18)),
            ("R4", date(2026, 5, 18)),
        ]
        # The completed review keeps its record.
        review.refresh_from_db()
        assert review.status == AnnualReview.Status.COMPLETED
        entry = RegisterEntry.objects.get(pupil=plan.pupil)
        assert (entry.status, entry.primary_need, entry.since) == ("K", "ASD", date(2026, 7, 17))
        change = RegisterChange.objects.filter(pupil=plan.pupil).order_by("-id").first()
        assert (change.from_status, change.to_status) == ("E", "K")
        assert change.reason.startswith("EHC plan ceased on 17 July 2026")
        assert AuditEntry.objects.filter(
            object_type="ehcp.EhcPlan", object_id=str(plan.pk), summary__startswith="EHC plan ceased"
        ).exists()
        with at(TODAY), pytest.raises(ValidationError, match="has ceased"):
            review_services.start_review(plan=plan, actor=senco)


def test_leaving_the_register_altogether_needs_the_date_parents_were_told(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(TODAY):
        with pytest.raises(ValidationError, match="date parents were told"):
            services.cease_plan(
                plan=plan,
                ceased_on=date(2026, 7, 1),
                reason="no_longer_needed",
                register_status="N",
                parents_told_on=None,
                actor=senco,
            )
        # Refused: nothing written, not even the plan's own fields or its deadlines.
        plan.refresh_from_db()
        assert plan.ceased_on is None and plan.cease_reason == ""
        assert Deadline.objects.get(subject_type="ehc_plan", subject_id=plan.pk, rule_id="R1").status == "open"
        assert RegisterEntry.objects.get(pupil=plan.pupil).status == "E"

        services.cease_plan(
            plan=plan,
            ceased_on=date(2026, 7, 1),
            reason="no_longer_needed",
            register_status="N",
            parents_told_on=date(2026, 7, 2),
            actor=senco,
        )
        entry = RegisterEntry.objects.get(pupil=plan.pupil)
        assert (entry.status, entry.primary_need) == ("N", "")
        change = RegisterChange.objects.filter(pupil=plan.pupil).order_by("-id").first()
        assert change.parents_told_on == date(2026, 7, 2)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ceased_on": date(2026, 7, 21)}, "cannot be in the future"),
        ({"ceased_on": date(2025, 6, 1)}, "cannot cease before it was issued"),
        ({"reason": "bored"}, "Choose why the plan ceased"),
        ({"reason": "other", "notes": "  "}, "Say why the plan ceased"),
        ({"register_status": "E"}, "SEN support, monitoring or no SEN"),
    ],
)
def test_a_cessation_that_breaks_a_rule_is_refused_and_writes_nothing(demo, plan, senco, fields, message) -> None:
    values = {
        "ceased_on": date(2026, 7, 1),
        "reason": "no_longer_needed",
        "register_status": "K",
        "parents_told_on": None,
        "notes": "",
    } | fields
    with scope(trust=demo.oak.pk), at(TODAY):
        with pytest.raises(ValidationError, match=message):
            services.cease_plan(plan=plan, actor=senco, **values)
        plan.refresh_from_db()
        assert plan.ceased_on is None
        assert not Deadline.objects.filter(pupil=plan.pupil, status="waived").exists()


def test_a_plan_ceases_once(demo, plan, senco) -> None:
    args = {"reason": "left_education", "register_status": "K", "parents_told_on": None, "actor": senco}
    with scope(trust=demo.oak.pk), at(TODAY):
        services.cease_plan(plan=plan, ceased_on=date(2026, 7, 1), **args)
        with pytest.raises(ValidationError, match="already ceased on 1 July 2026"):
            services.cease_plan(plan=plan, ceased_on=date(2026, 7, 10), **args)


def test_the_register_keeps_e_while_the_plan_is_maintained(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(TODAY):
        with pytest.raises(ValidationError, match="stay E on the register until the local authority ceases it"):
            change_status(pupil=plan.pupil, to_status="K", actor=senco, reason="Doing well", primary_need="ASD")
        # Changing the needs of a pupil with a plan is still allowed.
        change_status(pupil=plan.pupil, to_status="E", actor=senco, reason="New assessment", primary_need="SLCN")
        assert RegisterEntry.objects.get(pupil=plan.pupil).primary_need == "SLCN"


def test_a_ceased_plan_cannot_be_amended_or_added_to(demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk), at(TODAY):
        services.cease_plan(
            plan=plan, ceased_on=date(2026, 7, 1), reason="left_education", register_status="K",
            parents_told_on=None, actor=senco,
        )  # fmt: skip
        version = plan.versions.get()
        with pytest.raises(ValidationError, match="ceased"):
            services.amend_plan(plan=plan, issued_on=TODAY, placement="Acorn Primary", actor=senco)
        with pytest.raises(ValidationError, match="ceased on 1 July 2026"):
            services.add_outcome(version=version, text="Reads aloud", actor=senco)
        with pytest.raises(ValidationError, match="ceased on 1 July 2026"):
            services.add_provision(
                version=version, outcome=None, line=services.ProvisionInput("Reading", "daily", "TA", None), actor=senco
            )


def test_a_phase_transfer_deadline_closes_with_the_plan(demo, senco) -> None:
    with at(date(2025, 10, 1)):
        plan = make_plan(demo, demo.acorn, issued_on=date(2025, 6, 15), year_group="6")
    with scope(trust=demo.oak.pk):
        transfer = PhaseTransfer.objects.get(plan=plan)
        r9 = Deadline.objects.get(subject_type="phase_transfer", subject_id=transfer.pk, rule_id="R9")
        assert r9.status == "open"
        with at(date(2025, 11, 3)):
            services.cease_plan(
                plan=plan, ceased_on=date(2025, 11, 3), reason="other", notes="Family moved abroad",
                register_status="K", parents_told_on=None, actor=senco,
            )  # fmt: skip
        r9.refresh_from_db()
        assert r9.status == "waived"


# The page ----------------------------------------------------------------------------------------------


def test_the_senco_records_a_cessation_from_the_plan_page(client, demo, plan, senco) -> None:
    client.force_login(senco)
    url = reverse("ehcp:plan_cease", kwargs={"pk": plan.pk})
    with at(TODAY):
        detail = client.get(reverse("ehcp:plan_detail", kwargs={"pk": plan.pk}))
        assert url in detail.content.decode()
        page = client.get(url)
        assert page.status_code == 200 and "keeps maintaining it while the parents" in page.content.decode()

        bad = client.post(url, {"ceased_on": "2026-07-01", "reason": "no_longer_needed", "register_status": "M"})
        assert bad.status_code == 200
        assert "Enter the date parents were told" in bad.content.decode()
        assert "govuk-error-summary" in bad.content.decode()

        ok = client.post(
            url,
            {
                "ceased_on": "2026-07-01",
                "reason": "no_longer_needed",
                "register_status": "M",
                "parents_told_on": "2026-07-01",
            },
        )
        assert ok.status_code == 302 and ok["Location"] == reverse("ehcp:plan_detail", kwargs={"pk": plan.pk})
        detail = client.get(ok["Location"]).content.decode()
        assert "This plan ceased on 1 July 2026" in detail
        assert url not in detail and reverse("ehcp:plan_amend", kwargs={"pk": plan.pk}) not in detail
        # A second visit to the form says it has ceased instead of offering it again.
        assert client.get(url)["Location"] == reverse("ehcp:plan_detail", kwargs={"pk": plan.pk})
        current = client.get(reverse("ehcp:plans")).content.decode()
        ceased = client.get(reverse("ehcp:plans") + "?show=ceased").content.decode()
    assert plan.pupil.display_name not in current
    assert plan.pupil.display_name in ceased and "1 Jul 2026" in ceased
    with scope(trust=demo.oak.pk):
        assert RegisterEntry.objects.get(pupil=plan.pupil).status == "M"


def test_a_bad_date_on_the_page_is_explained(client, demo, plan, senco) -> None:
    client.force_login(senco)
    url = reverse("ehcp:plan_cease", kwargs={"pk": plan.pk})
    with at(TODAY):
        response = client.post(url, {"ceased_on": "2026-02-30", "reason": "after_review", "register_status": "K"})
    assert response.status_code == 200
    assert "Enter the date the plan ceased as a real date" in response.content.decode()
    plan.refresh_from_db()
    assert plan.ceased_on is None


def test_the_review_page_prompts_to_record_the_cessation(client, demo, plan, senco) -> None:
    with scope(trust=demo.oak.pk):
        review = _review_to_cease_decision(plan, senco)
    client.force_login(senco)
    with at(TODAY):
        page = client.get(reverse("reviews:detail", kwargs={"pk": review.pk})).content.decode()
    assert "The LA decided to cease the plan" in page
    assert reverse("ehcp:plan_cease", kwargs={"pk": plan.pk}) in page


@pytest.mark.parametrize("email", ["teacher.acorn@oak.test", "governor.acorn@oak.test", "senco.beech@oak.test"])
def test_only_casework_staff_of_the_school_can_cease_a_plan(client, demo, plan, email) -> None:
    client.force_login(demo.user(email))
    url = reverse("ehcp:plan_cease", kwargs={"pk": plan.pk})
    with at(TODAY):
        assert client.get(url).status_code == 404
        response = client.post(url, {"ceased_on": "2026-07-01", "reason": "after_review", "register_status": "K"})
    assert response.status_code == 404
    plan.refresh_from_db()
    assert plan.ceased_on is None
