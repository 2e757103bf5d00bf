"""EHC plans: issuing makes the pupil E and opens R1; versions, outcomes and provision; the PDF; phase transfers."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from ehcp import services
from ehcp.models import Deadline, EhcPlan, PhaseTransfer, PlanVersion
from register.models import RegisterChange, RegisterEntry
from register.services import change_status
from tests.factories import pupil_at
from tests.permission_cases.ehcp import PDF_BYTES, k_pupil, make_plan
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/London"))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def senco(demo):
    return demo.user("senco.acorn@oak.test")


def issue(pupil, senco, **kw):
    kw.setdefault("issued_on", date(2025, 6, 15))
    kw.setdefault("local_authority", "Shropshire")
    kw.setdefault("placement", "Acorn Primary")
    return services.issue_plan(pupil=pupil, actor=senco, **kw)


def test_issuing_a_plan_makes_the_pupil_e_and_opens_the_annual_review(demo, senco):
    pupil = k_pupil(demo, demo.acorn, need="SLCN")
    with scope(trust=demo.oak.pk):
        plan = issue(pupil, senco)
        entry = RegisterEntry.objects.get(pupil=pupil)
        assert (entry.status, entry.primary_need, entry.since) == ("E", "SLCN", date(2025, 6, 15))
        change = RegisterChange.objects.filter(pupil=pupil).first()
        assert change.to_status == "E" and "EHC plan issued by Shropshire" in change.reason
        r1 = Deadline.objects.get(subject_type="ehc_plan", subject_id=plan.pk, rule_id="R1")
        assert r1.due == date(2026, 6, 14) and r1.responsible == "la"
        assert AuditEntry.objects.filter(object_type="ehcp.EhcPlan", object_id=str(plan.pk)).exists()


def test_register_refuses_e_without_a_plan_and_accepts_it_with_one(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="only once the plan is recorded"):
            change_status(pupil=pupil, to_status="E", actor=senco, reason="Plan", primary_need="ASD")
        issue(pupil, senco)
        assert RegisterEntry.objects.get(pupil=pupil).status == "E"


def test_a_pupil_without_a_recorded_need_cannot_be_given_a_plan_and_nothing_is_written(demo, senco):
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="primary type of need"):
            issue(pupil, senco)
        assert not EhcPlan.objects.filter(pupil=pupil).exists()
        assert not Deadline.objects.filter(pupil=pupil).exists()


def test_issuing_is_refused_when_the_pupil_already_has_a_plan_or_the_date_is_wrong(demo, senco):
    plan = make_plan(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="already has an EHC plan"):
            issue(plan.pupil, senco)
        pupil = k_pupil(demo, demo.acorn)
        with pytest.raises(ValidationError) as exc:
            issue(pupil, senco, issued_on=date(2026, 3, 3), placement=" ")
        assert "cannot be in the future" in str(exc.value) and "section I" in str(exc.value)


def test_a_child_under_five_also_gets_the_three_to_six_monthly_review(demo, senco):
    pupil = k_pupil(demo, demo.acorn, date_of_birth=date(2022, 1, 10), year_group="N2")
    with scope(trust=demo.oak.pk):
        plan = issue(pupil, senco, issued_on=date(2025, 11, 3))
        assert Deadline.objects.get(subject_id=plan.pk, subject_type="ehc_plan", rule_id="R2").due == date(2026, 2, 2)


def test_versions_keep_history_and_carry_outcomes_and_provision(demo, senco):
    plan = make_plan(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        v1 = plan.versions.get()
        services.add_provision(
            version=v1,
            outcome=v1.outcomes.get(),
            line=services.ProvisionInput("Speech therapy", "fortnightly", "NHS speech therapist", None),
            actor=senco,
        )
        v2 = services.amend_plan(
            plan=plan, issued_on=date(2026, 3, 1), placement="Beech Academy", actor=senco, sections={"section_b": "New"}
        )
        assert [v.number for v in PlanVersion.objects.filter(plan=plan).order_by("number")] == [1, 2]
        assert v1.placement == "Acorn Primary" and v2.placement == "Beech Academy"
        assert v2.kind == "amended" and v2.section_b == "New"
        outcome = v2.outcomes.get()
        assert outcome.text == "Asks for help when stuck"
        assert sorted(p.description for p in outcome.provision.all()) == [
            "Social communication group",
            "Speech therapy",
        ]
        with pytest.raises(ValidationError, match="cannot be dated before version 2"):
            services.amend_plan(plan=plan, issued_on=date(2026, 2, 1), placement="X", actor=senco)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (services.ProvisionInput("", "weekly", "TA"), "Describe the provision"),
        (services.ProvisionInput("Group", "", "TA"), "how often"),
        (services.ProvisionInput("Group", "weekly", " "), "who delivers"),
    ],
)
def test_provision_needs_what_how_often_and_who(demo, senco, line, message):
    plan = make_plan(demo, demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError, match=message):
        services.add_provision(version=plan.versions.get(), outcome=None, line=line, actor=senco)


# The PDF ---------------------------------------------------------------------------------------


def test_a_pdf_is_checked_by_its_content_not_its_name(demo, senco):
    pupil = k_pupil(demo, demo.acorn)
    fake = SimpleUploadedFile("plan.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 40, content_type="application/pdf")
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="not a PDF"):
            issue(pupil, senco, pdf=fake)
        assert not EhcPlan.objects.filter(pupil=pupil).exists()
        with pytest.raises(ValidationError, match="empty"):
            issue(pupil, senco, pdf=SimpleUploadedFile("plan.pdf", b"", content_type="application/pdf"))


def test_the_pdf_downloads_only_through_the_checked_view_and_the_download_is_audited(demo):
    plan = make_plan(demo, demo.acorn, pdf=True)
    with scopes_disabled():
        version = plan.versions.get()
    url = reverse("ehcp:version_pdf", kwargs={"pk": version.pk})
    response = demo.client_for("senco.acorn@oak.test").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="download", object_id=str(version.pk)).count() == 1
    for email in ("parent.acorn@oak.test", "governor.acorn@oak.test", "teacher.acorn@oak.test", "lead@river.test"):
        assert demo.client_for(email).get(url).status_code == 404
    assert version.pdf.name.startswith(f"ehc_plans/{demo.oak.pk}/") and not version.pdf.name.endswith("plan.pdf")


def test_uploading_a_non_pdf_through_the_page_shows_a_clear_error(demo):
    plan = make_plan(demo, demo.acorn)
    with scopes_disabled():
        version = plan.versions.get()
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("ehcp:version_pdf_upload", kwargs={"pk": version.pk})
    response = client.post(url, {"pdf": SimpleUploadedFile("x.pdf", b"<html>", content_type="application/pdf")})
    assert response.status_code == 200
    assert "The file is not a PDF" in response.content.decode()
    response = client.post(url, {"pdf": SimpleUploadedFile("x.pdf", PDF_BYTES, content_type="application/pdf")})
    assert response.status_code == 302
    with scopes_disabled():
        version.refresh_from_db()
    assert version.pdf_name == "x.pdf" and version.pdf_size == len(PDF_BYTES)


# Phase transfer (R9) -------------------------------------------------------------------------------


def test_a_year_6_pupil_gets_the_15_february_transfer_deadline(demo, senco):
    pupil = k_pupil(demo, demo.acorn, year_group="6")
    with time_machine.travel(datetime(2025, 10, 1, 10, tzinfo=ZoneInfo("Europe/London")), tick=False):
        with scope(trust=demo.oak.pk):
            plan = issue(pupil, senco, issued_on=date(2025, 9, 20))
            transfer = PhaseTransfer.objects.get(plan=plan)
            r9 = Deadline.objects.get(subject_type="phase_transfer", subject_id=transfer.pk)
    assert (transfer.transfer_year, transfer.post16) == (2026, False)
    assert r9.due == date(2026, 2, 14)
    assert "before 15 February" in r9.wording and r9.responsible == "la"


def test_a_year_11_pupil_moves_into_post_16_by_31_march(demo, senco):
    pupil = k_pupil(demo, demo.beech, year_group="11")
    with time_machine.travel(datetime(2025, 10, 1, 10, tzinfo=ZoneInfo("Europe/London")), tick=False):
        with scope(trust=demo.oak.pk):
            plan = issue(pupil, demo.user("senco.beech@oak.test"), issued_on=date(2025, 9, 20))
            r9 = Deadline.objects.get(pupil=pupil, rule_id="R9")
            assert plan.phase_transfers.count() == 1
    assert r9.due == date(2026, 3, 30) and r9.post16
    assert "before 31 March" in r9.wording


def test_no_transfer_deadline_for_other_years_or_for_a_plan_issued_after_the_date(demo, senco):
    year4 = k_pupil(demo, demo.acorn, year_group="4")
    late = k_pupil(demo, demo.acorn, year_group="6")
    with scope(trust=demo.oak.pk):
        issue(year4, senco)
        issue(late, senco, issued_on=date(2026, 2, 20))  # after 14 Feb 2026: it already names the placement
        assert not Deadline.objects.filter(rule_id="R9").exists()


def test_an_amendment_naming_the_new_school_meets_the_transfer_deadline(demo, senco):
    pupil = k_pupil(demo, demo.acorn, year_group="6")
    with scope(trust=demo.oak.pk):
        plan = issue(pupil, senco, issued_on=date(2025, 9, 20))
        services.amend_plan(
            plan=plan,
            issued_on=date(2026, 2, 10),
            placement="Beech Academy",
            names_new_school_for_transfer=True,
            actor=senco,
        )
        r9 = Deadline.objects.get(pupil=pupil, rule_id="R9")
        assert r9.status == "met" and not r9.met_late
        assert PhaseTransfer.objects.get(plan=plan).new_school == "Beech Academy"


def test_a_refused_plan_leaves_no_pdf_on_disk(demo, senco, settings):
    """The register refuses E without a primary need after the plan rows were written: they roll back, and
    the LA's PDF (a child's plan) must not stay behind in storage either."""
    from pathlib import Path

    pupil = pupil_at(demo, demo.acorn)  # no register entry, so no primary need
    pdf = SimpleUploadedFile("plan.pdf", PDF_BYTES, content_type="application/pdf")
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError, match="primary type of need"):
        issue(pupil, senco, pdf=pdf)
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == []
    with scope(trust=demo.oak.pk):
        plan = make_plan(demo, demo.acorn)
        version = services.amend_plan(
            plan=plan,
            issued_on=date(2026, 3, 1),
            placement="Acorn Primary",
            pdf=SimpleUploadedFile("v2.pdf", PDF_BYTES, content_type="application/pdf"),
            actor=senco,
        )
    assert version.pdf_name == "v2.pdf" and Path(version.pdf.path).read_bytes() == PDF_BYTES
