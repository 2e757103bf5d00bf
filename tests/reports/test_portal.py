"""The parent portal: own children only, only what is shared with parents, read-only, audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from graduated import services as graduated
from pupils.documents import upload_document
from register.services import change_status
from tests.factories import link_parent, make_pupil, pupil_at
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
