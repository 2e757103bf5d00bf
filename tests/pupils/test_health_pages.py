"""The health pages, and the emergency summary on the record, the passport, the EHC plan and the portal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from pupils.models import AccessGrant, HealthCarePlan, PlanMedication
from tests.factories import pupil_at
from tests.permission_cases.documents import make_external_user, make_grant
from tests.permission_cases.health import make_condition, make_health_plan
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db

SUMMARY = "Two puffs of the blue inhaler; call 999 if no better."
SEE = ["senco.acorn@oak.test", "head.acorn@oak.test", "lead@oak.test", "teacher.acorn@oak.test", "ta.acorn@oak.test"]


def _health_reads(pupil_id: int) -> int:
    with scopes_disabled():
        return AuditEntry.objects.filter(pupil_id=pupil_id, action="view", summary="Emergency health summary").count()


def test_the_staff_who_work_with_the_pupil_see_the_emergency_summary_and_governors_never(demo) -> None:
    plan = make_health_plan(pupil_at(demo, demo.acorn))
    urls = [reverse("pupils:record", args=[plan.pupil_id]), reverse("graduated:passport", args=[plan.pupil_id])]
    for email in SEE:
        for url in urls:
            page = demo.client_for(email).get(url)
            assert page.status_code == 200, (email, url)
            assert SUMMARY in page.content.decode() and "Medical emergency" in page.content.decode(), (email, url)
    assert _health_reads(plan.pupil_id) == len(SEE) * 2  # every read of the summary is in the audit trail
    health_urls = [
        reverse("pupils:health", args=[plan.pupil_id]),
        reverse("pupils:health_plan", args=[plan.pupil_id, plan.pk]),
    ]
    for email in ("governor.acorn@oak.test", "trustee@oak.test"):
        client = demo.client_for(email)
        for url in [*urls, *health_urls]:
            response = client.get(url)
            assert response.status_code == 404 and SUMMARY not in response.content.decode(), (email, url)
        for url in ("/", reverse("trusts:notifications")):
            assert SUMMARY not in client.get(url, follow=True).content.decode()


def test_a_cover_teacher_sees_the_summary_and_an_external_professional_does_not(demo) -> None:
    plan = make_health_plan(pupil_at(demo, demo.acorn))
    cover, professional = make_external_user(demo.oak), make_external_user(demo.oak)
    make_grant(plan.pupil, cover, kind=AccessGrant.Kind.COVER_TEACHER)
    make_grant(plan.pupil, professional)
    record = reverse("pupils:record", args=[plan.pupil_id])
    for user, sees in ((cover, True), (professional, False)):
        client = _signed_in(user)
        page = client.get(record)
        assert page.status_code == 200 and (SUMMARY in page.content.decode()) is sees
        assert ("Individual health care plan, version 1." in page.content.decode()) is sees  # the timeline
        assert client.get(reverse("pupils:health_plan", args=[plan.pupil_id, plan.pk])).status_code == (
            200 if sees else 404
        )


def _signed_in(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_senco_writes_a_plan_bad_input_is_told_clearly_and_a_review_keeps_the_old_version(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    condition = make_condition(pupil)
    senco = demo.client_for("senco.acorn@oak.test")
    url = reverse("pupils:health_plan_edit", args=[pupil.pk])
    today = timezone.localdate()
    bad = senco.post(
        url,
        {
            "conditions": [str(condition.pk)],
            "emergency_summary": "Inhaler.",
            "emergency_steps": "",
            "review_due": str(today - timedelta(days=3)),
            "med1_name": "Salbutamol",
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and "There is a problem" in page
    assert "Enter what to do in an emergency, step by step." in page
    assert "Enter dose for medicine 1." in page
    assert "The review date must be in the future." in page  # every problem at once, not one at a time
    with scopes_disabled():
        assert not HealthCarePlan.objects.exists()
    past = senco.post(
        url,
        {
            "conditions": [str(condition.pk)],
            "emergency_summary": "Inhaler.",
            "emergency_steps": "Sit up; inhaler; 999.",
            "review_due": str(today - timedelta(days=3)),
            "triggers": "x" * 4001,
        },
    ).content.decode()
    assert "The review date must be in the future." in past and "4000 characters or fewer" in past
    good = {
        "conditions": [str(condition.pk)],
        "emergency_summary": "Inhaler, then 999.",
        "emergency_steps": "Sit up; inhaler; 999.",
        "review_due": str(today + timedelta(days=300)),
        **{f"med1_{k}": v for k, v in {"name": "Salbutamol", "dose": "2 puffs", "when": "When wheezy"}.items()},
        "med1_given_by": "Pupil",
        "med1_kept_where": "Class box",
        "staff1_staff_name": "Tom Brennan",
        "staff1_training": "Inhaler use",
        "staff1_trained_on": str(today),
    }
    assert senco.post(url, good).status_code == 302
    with scope(trust=demo.oak.pk):
        first = HealthCarePlan.objects.get()
        assert first.medications.get().name == "Salbutamol" and first.training.get().staff_name == "Tom Brennan"
    again = senco.get(url).content.decode()
    assert "Salbutamol" in again and "Save version 2" in again
    assert senco.post(url, good | {"emergency_summary": "Reviewed."}).status_code == 302
    old = senco.get(reverse("pupils:health_plan", args=[pupil.pk, first.pk])).content.decode()
    assert "This is version 1. It was replaced" in old and "Inhaler, then 999." in old
    overview = senco.get(reverse("pupils:health", args=[pupil.pk])).content.decode()
    assert "Reviewed." in overview and "Version 2" in overview and "All versions" in overview


def test_the_parent_reads_the_plan_in_the_portal_and_agrees(demo) -> None:
    plan = make_health_plan(pupil_at(demo, demo.acorn))
    parent = demo.client_for("parent.acorn@oak.test")
    child = reverse("reports:portal_child", args=[plan.pupil_id])
    page = parent.get(child).content.decode()
    assert SUMMARY in page and "I agree with this plan" in page and "Salbutamol" in page
    other_parent = demo.client_for("parent.willow@river.test")
    agree = reverse("pupils:health_plan_agree", args=[plan.pupil_id, plan.pk])
    assert other_parent.post(agree, {"next": child}).status_code == 404
    response = parent.post(agree, {"next": child})
    assert response.status_code == 302 and response["Location"] == child
    assert "agreed this plan on" in parent.get(child).content.decode()
    with scopes_disabled():
        plan.refresh_from_db()
        assert plan.parent_agreed_user == demo.user("parent.acorn@oak.test")
        assert AuditEntry.objects.filter(pupil_id=plan.pupil_id, summary="Parent agreed the plan").count() == 1
        assert AuditEntry.objects.filter(pupil_id=plan.pupil_id, summary__contains="(parent portal)").count() == 2
    for elsewhere in ("https://example.com/", "abc", "//example.com/"):
        assert parent.post(agree, {"next": elsewhere})["Location"] == "/"


def test_the_ehc_plan_page_shows_the_health_plan_beside_section_c(demo) -> None:
    from tests.permission_cases.ehcp import make_plan

    ehc = make_plan(demo, demo.acorn)
    health_plan = make_health_plan(ehc.pupil)
    page = demo.client_for("senco.acorn@oak.test").get(reverse("ehcp:plan_detail", args=[ehc.pk])).content.decode()
    assert "Health needs at school (beside section C)" in page and SUMMARY in page
    assert reverse("pupils:health_plan", args=[ehc.pupil_id, health_plan.pk]) in page


@pytest.mark.parametrize("url_name", ["pupils:record", "graduated:passport"])
def test_the_record_and_passport_keep_their_query_count(demo, django_assert_max_num_queries, url_name) -> None:
    teacher = demo.client_for("teacher.acorn@oak.test")
    counts = []
    for size in (1, 6):
        plan = make_health_plan(pupil_at(demo, demo.acorn))
        with scopes_disabled():
            for n in range(size):
                plan.conditions.add(make_condition(plan.pupil, f"Condition {n}"))
                PlanMedication.objects.create(
                    trust_id=plan.trust_id, plan=plan, name=f"M{n}", dose="1", when="a", given_by="b", kept_where="c"
                )
        url = reverse(url_name, args=[plan.pupil_id])
        teacher.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            page = teacher.get(url)
        assert SUMMARY in page.content.decode()
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1]):
        teacher.get(url)
