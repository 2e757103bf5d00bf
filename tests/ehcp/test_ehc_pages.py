"""The assessment and plan pages: a SENCO's journey, clear errors, nothing half-written, stable query counts."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from ehcp.models import Deadline, EhcPlan, NeedsAssessment, PlanVersion
from register.models import RegisterEntry
from tests.permission_cases.ehcp import PDF_BYTES, k_pupil, make_plan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield


@pytest.fixture
def senco(demo):
    return demo.client_for("senco.acorn@oak.test")


def test_a_senco_records_a_request_and_the_las_steps(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    response = senco.post(
        reverse("ehcp:assessment_new", kwargs={"pupil_id": pupil.pk}),
        {"kind": "initial", "requested_by": "parent", "request_received_on": "2026-05-04", "local_authority": ""},
    )
    assert response.status_code == 302
    with scopes_disabled():
        a = NeedsAssessment.objects.get(pupil=pupil)
    assert a.local_authority == "Shropshire"
    html = senco.get(response["Location"]).content.decode()
    assert "15 Jun 2026" in html and "21 Sep 2026" in html  # A1 and A6
    url = reverse("ehcp:assessment_event", kwargs={"pk": a.pk, "event": "decision"})
    assert "Choose whether the LA will assess." in senco.post(url, {"on": "2026-05-20"}).content.decode()
    assert senco.post(url, {"on": "2026-05-20", "decision": "assess"}).status_code == 302
    url = reverse("ehcp:assessment_event", kwargs={"pk": a.pk, "event": "advice_requested"})
    assert senco.post(url, {"on": "2026-05-25"}).status_code == 302
    with scopes_disabled():
        a2 = Deadline.objects.get(subject_type="needs_assessment", subject_id=a.pk, rule_id="A2")
    assert str(a2.due) == "2026-07-06" and a2.status == "open"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "initial", "requested_by": "", "request_received_on": "2026-05-04"}, "Choose who asked"),
        ({"kind": "initial", "requested_by": "school", "request_received_on": "2026-02-31"}, "as a real date"),
        ({"kind": "initial", "requested_by": "school", "request_received_on": ""}, "Enter the date the LA received"),
        ({"kind": "initial", "requested_by": "school", "request_received_on": "2026-06-02"}, "cannot be in the future"),
        ({"kind": "reassessment", "requested_by": "school", "request_received_on": "2026-05-04"}, "has an EHC plan"),
    ],
)
def test_the_request_form_explains_what_is_wrong_and_writes_nothing(demo, senco, data, message):
    pupil = k_pupil(demo, demo.acorn)
    response = senco.post(reverse("ehcp:assessment_new", kwargs={"pupil_id": pupil.pk}), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    with scopes_disabled():
        assert not NeedsAssessment.objects.filter(pupil=pupil).exists()
        assert not Deadline.objects.filter(pupil=pupil).exists()


def test_recording_an_issued_plan_with_its_pdf_makes_the_pupil_e(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    data = {
        "issued_on": "2025-06-15",
        "local_authority": "Shropshire",
        "placement": "Acorn Primary",
        "section_a": "Loves trains",
        "section_f": "Small-group teaching",
        "first_outcome": "Reads simple sentences",
        "pdf": SimpleUploadedFile("Plan from LA.pdf", PDF_BYTES, content_type="application/pdf"),
    }
    response = senco.post(reverse("ehcp:plan_new", kwargs={"pupil_id": pupil.pk}), data)
    assert response.status_code == 302
    with scopes_disabled():
        plan = EhcPlan.objects.get(pupil=pupil)
        assert RegisterEntry.objects.get(pupil=pupil).status == "E"
        version = plan.versions.get()
    assert version.pdf_name == "Plan from LA.pdf" and version.section_a == "Loves trains"
    html = senco.get(reverse("ehcp:plan_detail", kwargs={"pk": plan.pk})).content.decode()
    assert "Loves trains" in html and "Reads simple sentences" in html
    assert "14 Jun 2026" in html  # R1: within 12 months
    assert reverse("ehcp:version_pdf", kwargs={"pk": version.pk}) in html


@pytest.mark.parametrize("junk", ["abc", "1.5", "-1", "²", "0", str(2**62), "\x00", "' OR 1=1"])
def test_a_plan_form_for_an_assessment_that_is_not_there_is_not_found(demo, senco, junk):
    """?assessment= names the needs assessment the plan follows: junk, or one that is not the pupil's, is 404."""
    senco.raise_request_exception = False
    pupil = k_pupil(demo, demo.acorn)
    url = reverse("ehcp:plan_new", kwargs={"pupil_id": pupil.pk})
    assert senco.get(url, {"assessment": junk}).status_code == 404
    assert senco.post(f"{url}?{urlencode({'assessment': junk})}", {}).status_code == 404


def test_a_plan_form_follows_the_pupils_assessment(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    response = senco.post(
        reverse("ehcp:assessment_new", kwargs={"pupil_id": pupil.pk}),
        {"kind": "initial", "requested_by": "parent", "request_received_on": "2026-05-04", "local_authority": ""},
    )
    with scopes_disabled():
        assessment = NeedsAssessment.objects.get(pupil=pupil)
    url = reverse("ehcp:plan_new", kwargs={"pupil_id": pupil.pk})
    assert senco.get(url, {"assessment": str(assessment.pk)}).status_code == 200
    other = k_pupil(demo, demo.acorn)
    assert (
        senco.get(reverse("ehcp:plan_new", kwargs={"pupil_id": other.pk}), {"assessment": assessment.pk}).status_code
        == 404
    )
    assert response.status_code == 302


def test_a_plan_form_with_a_fake_pdf_is_refused_and_nothing_is_written(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    data = {
        "issued_on": "2025-06-15",
        "local_authority": "Shropshire",
        "placement": "Acorn Primary",
        "pdf": SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
    }
    response = senco.post(reverse("ehcp:plan_new", kwargs={"pupil_id": pupil.pk}), data)
    assert response.status_code == 200
    assert "The file is not a PDF" in response.content.decode()
    with scopes_disabled():
        assert not EhcPlan.objects.filter(pupil=pupil).exists()
        assert RegisterEntry.objects.get(pupil=pupil).status == "K"


def test_amending_outcomes_and_provision_through_the_pages(demo, senco):
    plan = make_plan(demo, demo.acorn)
    with scopes_disabled():
        v1 = plan.versions.get()
        outcome = v1.outcomes.get()
    url = reverse("ehcp:version_outcome_add", kwargs={"pk": v1.pk})
    assert "Enter the outcome." in senco.post(url, {"text": ""}).content.decode()
    assert senco.post(url, {"text": "Joins in at playtime"}).status_code == 302
    url = reverse("ehcp:version_provision_add", kwargs={"pk": v1.pk})
    html = senco.post(
        url, {"outcome": outcome.pk, "description": "Lego therapy", "hours": "0", "frequency": ""}
    ).content.decode()
    assert "Hours must be at least 0.25." in html and "Say how often" in html
    response = senco.post(
        url,
        {
            "outcome": outcome.pk,
            "description": "Lego therapy",
            "hours": "1.5",
            "frequency": "weekly",
            "delivered_by": "TA",
        },
    )
    assert response.status_code == 302
    response = senco.post(
        reverse("ehcp:plan_amend", kwargs={"pk": plan.pk}),
        {"issued_on": "2026-05-20", "placement": "Beech Academy"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        v2 = PlanVersion.objects.get(plan=plan, number=2)
        assert v2.placement == "Beech Academy"
        assert sorted(o.text for o in v2.outcomes.all()) == ["Asks for help when stuck", "Joins in at playtime"]
    html = senco.get(reverse("ehcp:plan_detail", kwargs={"pk": plan.pk}) + "?version=2").content.decode()
    assert "Lego therapy – 1.50 hours, weekly, by TA" in html
    assert senco.get(reverse("ehcp:plan_detail", kwargs={"pk": plan.pk}) + "?version=9").status_code == 404


def test_an_outcome_of_another_version_cannot_be_linked(demo, senco):
    plan = make_plan(demo, demo.acorn)
    other = make_plan(demo, demo.acorn)
    with scopes_disabled():
        v1 = plan.versions.get()
        foreign = other.versions.get().outcomes.get()
    url = reverse("ehcp:version_provision_add", kwargs={"pk": v1.pk})
    response = senco.post(url, {"outcome": foreign.pk, "description": "x", "frequency": "weekly", "delivered_by": "TA"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("name", ["ehcp:plans", "ehcp:assessments"])
def test_lists_keep_a_constant_number_of_queries(demo, name):
    from tests.permission_cases.ehcp import make_assessment

    client = demo.client_for("lead@oak.test")
    make_plan(demo, demo.acorn)
    make_assessment(demo, demo.acorn)
    client.get(reverse(name))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(name)).status_code == 200
    for school in (demo.acorn, demo.beech, demo.beech):
        make_plan(demo, school)
        make_assessment(demo, school)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse(name)).status_code == 200
    assert len(large) == len(small)


def test_plan_page_queries_do_not_grow_with_outcomes(demo, senco):
    plan = make_plan(demo, demo.acorn)
    url = reverse("ehcp:plan_detail", kwargs={"pk": plan.pk})
    senco.get(url)
    with CaptureQueriesContext(connection) as small:
        senco.get(url)
    with scopes_disabled():
        version = plan.versions.get()
    for i in range(4):
        senco.post(reverse("ehcp:version_outcome_add", kwargs={"pk": version.pk}), {"text": f"Outcome {i}"})
    with CaptureQueriesContext(connection) as large:
        senco.get(url)
    assert len(large) == len(small)
