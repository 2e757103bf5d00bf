"""Retention: the nightly list (DOB + 31 years, left the trust, no hold), sign-off destroying every app's rows
and files in one transaction, the tombstone, legal holds, and deleting a document uploaded by mistake."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from ehcp.models import Deadline, DraftWording, EhcPlan, PlanVersion
from pupils import retention
from pupils.models import DataProtectionLead, Destruction, Document, LegalHold, Pupil
from pupils.tasks import list_records_due_for_destruction
from register.models import RegisterEntry
from reviews.models import AnnualReview
from tests.factories import make_pupil
from tests.permission_cases.documents import make_document
from tests.permission_cases.reviews import make_review
from trusts.models import AuditEntry
from trusts.permissions import DATA_PROTECTION, can

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 20)
BORN_DUE_TODAY = date(1995, 7, 20)  # 31 today


def _leaver(demo, *, born=BORN_DUE_TODAY, left=date(2013, 7, 20), **fields):
    return make_pupil(demo.acorn, date_of_birth=born, leaving_date=left, **fields)


def test_the_nightly_list_picks_exactly_the_pupils_due(demo):
    due = _leaver(demo)
    _leaver(demo, born=date(1995, 7, 21))  # 31 tomorrow
    make_pupil(demo.acorn, date_of_birth=date(1990, 1, 1))  # old, but on roll
    _leaver(demo, left=date(2026, 8, 1))  # leaving in the future: still on roll
    held = _leaver(demo)
    with scope(trust=demo.oak.pk):
        LegalHold.objects.create(
            trust=demo.oak, pupil=held, kind="tribunal", reason="Appeal", placed_by=demo.user("lead@oak.test")
        )
    river_due = make_pupil(demo.willow, date_of_birth=BORN_DUE_TODAY, leaving_date=date(2013, 7, 20))
    with scope(trust=demo.oak.pk):
        assert [p.pk for p in retention.due_pupils(today=TODAY)] == [due.pk]
        assert retention.list_due(today=TODAY) == (1, 0)
        assert retention.list_due(today=TODAY) == (0, 0)  # idempotent
    with scopes_disabled():
        assert set(Destruction.objects.values_list("pupil_id", flat=True)) <= {due.pk, river_due.pk}


def test_29_february_births_are_due_on_28_february():
    assert retention.retention_ends(date(2000, 2, 29)) == date(2031, 2, 28)


def test_the_task_lists_every_trust(demo, settings):
    _leaver(demo, born=date(1990, 1, 1))
    make_pupil(demo.willow, date_of_birth=date(1990, 1, 1), leaving_date=date(2010, 1, 1))
    assert list_records_due_for_destruction() == 2
    assert list_records_due_for_destruction() == 0


@pytest.fixture
def listed(demo):
    review = make_review(demo, demo.acorn, date_of_birth=BORN_DUE_TODAY)
    pupil = review.pupil
    with scopes_disabled():
        Pupil.objects.filter(pk=pupil.pk).update(leaving_date=date(2013, 7, 20))
        version = PlanVersion.objects.filter(plan__pupil=pupil).first()
        version.pdf.save("plan.pdf", ContentFile(b"%PDF-1.7 plan"), save=True)
        DraftWording.objects.create(  # proposed amendments the SENCO checked (ehcp.wording)
            trust_id=pupil.trust_id,
            school_id=pupil.school_id,
            pupil=pupil,
            kind="amendments",
            plan=version.plan,
            received_on=date(2013, 3, 1),
            section_f="Regular speech and language therapy.",
            recorded_by=demo.user("senco.acorn@oak.test"),
        )
    document = make_document(pupil)
    with scope(trust=demo.oak.pk):
        retention.list_due(today=TODAY)
        destruction = Destruction.objects.get(pupil=pupil)
    return destruction, pupil, [version.pdf.name, document.file.name]


def test_sign_off_destroys_every_app_s_rows_and_files_and_keeps_a_tombstone(
    demo, listed, django_capture_on_commit_callbacks
):
    destruction, pupil, files = listed
    lead = demo.user("lead@oak.test")
    assert all(default_storage.exists(name) for name in files)
    with scope(trust=demo.oak.pk), django_capture_on_commit_callbacks(execute=True):
        retention.destroy_record(destruction=destruction, actor=lead, today=TODAY)
        assert not Pupil.objects.filter(pk=pupil.pk).exists()
        for model in (RegisterEntry, EhcPlan, AnnualReview, Deadline, Document, DraftWording):
            assert not model.objects.filter(pupil_id=pupil.pk).exists(), model
        tomb = Destruction.objects.get(pk=destruction.pk)
        entries = AuditEntry.objects.filter(pupil_id=pupil.pk)
        assert entries.exists()  # the audit trail is kept, by number
    assert not any(default_storage.exists(name) for name in files)
    assert tomb.status == "destroyed" and tomb.pupil_id is None and tomb.destroyed_by == lead
    assert tomb.counts["draft wordings"] == 1
    assert tomb.counts["pupils"] == 1 and tomb.counts["ehc plans"] == 1 and tomb.counts["annual reviews"] == 1, (
        tomb.counts
    )
    assert tomb.files_deleted == 2
    stored = str(tomb.counts) + tomb.rule + str(tomb)
    assert pupil.legal_surname not in stored and pupil.upn not in stored
    assert all(pupil.legal_surname not in e.summary for e in entries)


def test_a_failure_part_way_leaves_every_row_and_file(demo, listed):
    destruction, pupil, files = listed

    def broken(p):
        raise RuntimeError("storage down")

    retention.PUPIL_DESTROYED_HOOKS.append(broken)
    try:
        with scope(trust=demo.oak.pk), pytest.raises(RuntimeError):
            retention.destroy_record(destruction=destruction, actor=demo.user("lead@oak.test"), today=TODAY)
    finally:
        retention.PUPIL_DESTROYED_HOOKS.remove(broken)
    with scope(trust=demo.oak.pk):
        assert EhcPlan.objects.filter(pupil=pupil).exists() and RegisterEntry.objects.filter(pupil=pupil).exists()
        assert Destruction.objects.get(pk=destruction.pk).status == "due"
    assert all(default_storage.exists(name) for name in files)


def test_a_hold_stops_destruction_until_lifted(demo, listed):
    destruction, pupil, _ = listed
    lead = demo.user("lead@oak.test")
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="Say why"):
            retention.place_hold(pupil=pupil, kind="court_order", reason=" ", actor=lead)
        hold = retention.place_hold(pupil=pupil, kind="court_order", reason="Order 123", actor=lead)
        assert not Destruction.objects.filter(pk=destruction.pk).exists()  # off the list
        assert retention.list_due(today=TODAY) == (0, 0)
        retention.lift_hold(hold=hold, reason="Case closed", actor=lead)
        assert retention.list_due(today=TODAY) == (1, 0)
        assert AuditEntry.objects.filter(pupil_id=pupil.pk, summary__startswith="Legal hold").count() == 2


def test_only_the_data_protection_lead_signs_off(demo, listed):
    destruction, pupil, _ = listed
    senco, head = demo.user("senco.acorn@oak.test"), demo.user("head.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="data protection lead"):
            retention.destroy_record(destruction=destruction, actor=senco, today=TODAY)
        DataProtectionLead.objects.create(trust=demo.oak, user=head)
    for user in (senco, head, demo.user("lead@oak.test")):
        user.__dict__.pop("_dp_lead_cache", None)
    assert can(head, DATA_PROTECTION) and not can(demo.user("lead@oak.test"), DATA_PROTECTION)
    assert not can(head, DATA_PROTECTION, demo.river)


def test_the_sign_off_page_destroys_and_other_trusts_get_404(demo, listed):
    destruction, pupil, _ = listed
    url = reverse("reports:destruction_sign_off", args=[destruction.pk])
    assert demo.client_for("lead@river.test").get(url).status_code == 404
    assert demo.client_for("senco.acorn@oak.test").get(url).status_code == 404
    lead = demo.client_for("lead@oak.test")
    assert "Tick the box" in lead.post(url, {}).content.decode()
    response = lead.post(url, {"confirm": "on"})
    assert response.status_code == 302
    with scopes_disabled():
        assert not Pupil.objects.filter(pk=pupil.pk).exists()


def test_deleting_a_document_uploaded_by_mistake(demo, django_capture_on_commit_callbacks):
    pupil = make_pupil(demo.acorn)
    document = make_document(pupil)
    name = document.file.name
    url = reverse("reports:document_delete", args=[pupil.pk, document.pk])
    assert demo.client_for("teacher.acorn@oak.test").get(url).status_code == 404
    assert demo.client_for("senco.beech@oak.test").get(url).status_code == 404
    senco = demo.client_for("senco.acorn@oak.test")
    assert "Give a reason" in senco.post(url, {"reason": ""}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert senco.post(url, {"reason": "Uploaded to the wrong child"}).status_code == 302
    with scopes_disabled():
        assert not Document.objects.filter(pk=document.pk).exists()
        assert AuditEntry.objects.filter(
            pupil_id=pupil.pk, summary="Document deleted: Uploaded to the wrong child"
        ).exists()
    assert not default_storage.exists(name)
