"""The parent portal: own children only, only what is shared with parents, read-only, audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from ehcp.models import Deadline
from graduated import services as graduated
from pupils.documents import upload_document
from register.services import change_status
from reviews import services as review_services
from tests.factories import link_parent, make_pupil, pupil_at
from tests.permission_cases.ehcp import make_plan
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def child(demo):
    pupil = pupil_at(demo, demo.acorn, legal_forename="Maisie", preferred_forename="Maisie")
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        change_status(
            pupil=pupil, to_status="K", actor=senco, reason="APDR", primary_need="SPLD", parents_told_on=TODAY
        )
        cycle = graduated.start_cycle(pupil=pupil, actor=senco)
        graduated.add_outcome(
            cycle=cycle,
            actor=senco,
            description="Read 40 high-frequency words",
            baseline="12 words",
            target="40 words",
            measured_by="Word list check",
        )
        graduated.add_outcome(
            cycle=cycle,
            actor=senco,
            description="STAFF-ONLY behaviour target",
            baseline="x",
            target="y",
            measured_by="z",
            share_with_parents=False,
        )
        graduated.confirm_plan(
            cycle=cycle,
            actor=senco,
            review_date=TODAY + dt.timedelta(days=40),
            expected_impact="Reading age up six months",
            notify_staff=False,
        )
        shared = upload_document(
            pupil=pupil,
            uploaded_file=SimpleUploadedFile("letter.pdf", PDF),
            category="parent_letter",
            visibility="parents",
            title="Letter about Maisie's support",
            actor=senco,
        )
        staff = upload_document(
            pupil=pupil,
            uploaded_file=SimpleUploadedFile("ep.pdf", PDF),
            category="ep_report",
            visibility="staff",
            title="EP report (staff only)",
            actor=senco,
        )
    return pupil, shared, staff


def test_parent_reads_their_childs_plan_in_plain_words(demo, child) -> None:
    pupil, shared, staff = child
    client = demo.client_for("parent.acorn@oak.test")
    home = client.get("/").content.decode()
    assert "Maisie" in home
    page = client.get(reverse("reports:portal_child", args=[pupil.pk])).content.decode()
    assert "Maisie gets SEN support" in page
    assert "Read 40 high-frequency words" in page
    assert "STAFF-ONLY" not in page
    assert "Letter about Maisie" in page and "EP report" not in page
    assert pupil.upn not in page  # parents do not need the school's identifiers
    download = client.get(reverse("reports:portal_document", args=[pupil.pk, shared.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("reports:portal_document", args=[pupil.pk, staff.pk])).status_code == 404
    with scope(trust=demo.oak.pk):
        actions = set(
            AuditEntry.objects.filter(pupil_id=pupil.pk, actor=demo.user("parent.acorn@oak.test")).values_list(
                "action", flat=True
            )
        )
    assert actions == {"view", "download"}


def test_parent_never_reaches_another_child(demo, child) -> None:
    pupil, shared, _ = child
    other = make_pupil(demo.acorn, legal_forename="Oscarina")
    client = demo.client_for("parent.acorn@oak.test")
    for url in (
        reverse("reports:portal_child", args=[other.pk]),
        reverse("reports:portal_child", args=[999999]),
        reverse("reports:portal_document", args=[other.pk, shared.pk]),
    ):
        assert client.get(url).status_code == 404
    for url in ("/", reverse("reports:portal")):
        assert "Oscarina" not in client.get(url).content.decode()
    # Another trust's parent, and staff, get nothing from the portal.
    for email in ("parent.willow@river.test", "teacher.acorn@oak.test", "governor.acorn@oak.test"):
        assert demo.client_for(email).get(reverse("reports:portal_child", args=[pupil.pk])).status_code == 404


def test_parent_with_children_at_two_schools_sees_both(demo, child) -> None:
    pupil, _, _ = child
    sibling = make_pupil(demo.beech, legal_forename="Theodora", preferred_forename="Theodora")
    link_parent(sibling, demo.user("parent.acorn@oak.test"))
    client = demo.client_for("parent.acorn@oak.test")
    home = client.get(reverse("reports:portal")).content.decode()
    assert "Maisie" in home and "Theodora" in home and "Beech Academy" in home
    page = client.get(reverse("reports:portal_child", args=[sibling.pk])).content.decode()
    assert "Theodora is not on the school" in page


def test_portal_is_read_only(demo, child) -> None:
    pupil, _, _ = child
    client = demo.client_for("parent.acorn@oak.test")
    assert client.post(reverse("reports:portal_child", args=[pupil.pk])).status_code == 405


def _ehc_child(demo, *, outcomes: int = 1):
    """A child of parent.acorn with an EHC plan: `outcomes` outcomes, each with one line of provision."""
    from ehcp import services as ehcp

    plan = make_plan(demo, demo.acorn, issued_on=TODAY - dt.timedelta(days=100), legal_forename="Jasper")
    link_parent(plan.pupil, demo.user("parent.acorn@oak.test"))
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        version = plan.versions.get()
        for n in range(2, outcomes + 1):
            ehcp.add_outcome(
                version=version,
                text=f"Outcome number {n}",
                provision=[ehcp.ProvisionInput(f"Provision number {n}", "weekly", "TA", None)],
                actor=senco,
            )
        ehcp.add_provision(
            version=version,
            outcome=None,
            line=ehcp.ProvisionInput("Speech and language therapy", "fortnightly", "NHS therapist", Decimal("1.5")),
            actor=senco,
        )
    return plan


def test_parent_reads_the_ehc_plan_outcomes_provision_and_when_it_is_reviewed(demo) -> None:
    plan = _ehc_child(demo)
    client = demo.client_for("parent.acorn@oak.test")
    page = client.get(reverse("reports:portal_child", args=[plan.pupil.pk])).content.decode()
    assert "Jasper has an Education, Health and Care plan" in page
    assert "Asks for help when stuck" in page
    assert "Social communication group (weekly, by SENCO)" in page
    assert "Speech and language therapy (1.5 hours fortnightly, by NHS therapist)" in page
    # R1: 12 months less a day from the issue date, counted by the engine.
    with scope(trust=demo.oak.pk):
        r1 = Deadline.objects.get(subject_type="ehc_plan", subject_id=plan.pk, rule_id="R1")
    assert f"The plan must be reviewed by <strong>{r1.statutory_due:%-d %B %Y}</strong>" in page
    # Section B (needs) is the LA's wording for staff; the portal shows aims and help, not the diagnosis notes.
    assert "predictable day" not in page

    with scope(trust=demo.oak.pk):
        review = review_services.start_review(plan=plan, actor=demo.user("senco.acorn@oak.test"))
        meeting = TODAY + dt.timedelta(days=30)
        review_services.schedule_meeting(review=review, meeting_date=meeting, actor=demo.user("senco.acorn@oak.test"))
    page = client.get(reverse("reports:portal_child", args=[plan.pupil.pk])).content.decode()
    assert f"The next review meeting of the plan is on <strong>{meeting:%-d %B %Y}</strong>" in page


def test_a_ceased_plan_is_no_longer_shown_as_current(demo) -> None:
    from ehcp import services as ehcp

    plan = _ehc_child(demo)
    with scope(trust=demo.oak.pk):
        ehcp.cease_plan(
            plan=plan,
            ceased_on=TODAY,
            reason="no_longer_needed",
            register_status="K",
            parents_told_on=None,
            actor=demo.user("senco.acorn@oak.test"),
        )
    page = demo.client_for("parent.acorn@oak.test").get(reverse("reports:portal_child", args=[plan.pupil.pk]))
    text = page.content.decode()
    assert "Jasper gets SEN support" in text
    assert "Asks for help when stuck" not in text and "must be reviewed by" not in text


def test_portal_child_queries_do_not_grow_with_the_plan(demo) -> None:
    client = demo.client_for("parent.acorn@oak.test")
    counts = []
    for outcomes in (1, 8):
        plan = _ehc_child(demo, outcomes=outcomes)
        url = reverse("reports:portal_child", args=[plan.pupil.pk])
        client.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_parent_reads_how_past_support_plans_went_without_staff_notes(demo, child) -> None:
    pupil, _, _ = child
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        cycle = pupil.support_cycles.get()
        results = {o.pk: ("achieved" if o.share_with_parents else "not", "Word check") for o in cycle.outcomes.all()}
        graduated.record_review(
            cycle=cycle,
            actor=senco,
            results=results,
            reviewed_on=TODAY,
            next_step="new_cycle",
            notes="STAFF-ONLY review note",
        )
    page = demo.client_for("parent.acorn@oak.test").get(reverse("reports:portal_child", args=[pupil.pk]))
    text = page.content.decode()
    assert f"Reviewed on {TODAY:%-d %B %Y}" in text
    assert "Read 40 high-frequency words: achieved" in text
    assert "We agreed a new plan" in text
    assert "STAFF-ONLY" not in text
