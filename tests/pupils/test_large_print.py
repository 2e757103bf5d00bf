"""Large print: a parent's documents at a 17pt body instead of 10.5pt, chosen per contact (Contact.large_print)
by the pupil's casework staff on the record or by the parent in the portal, and remembered for every download."""

from __future__ import annotations

import io
import statistics
from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from pupils.models import Contact
from tests.factories import link_parent
from tests.permission_cases.graduated import active_cycle
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
PARENT = "parent.acorn@oak.test"


def body_size(pdf: bytes) -> float:
    """The median size in points of the text drawn (the body text: there is more of it than of headings)."""
    sizes: list[float] = []

    def seen(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if text.strip():
            sizes.append(round(size * tm[3] * cm[3], 1))

    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=seen)
    return statistics.median(sizes)


def completed_review(demo: Any) -> Any:
    """A completed annual review of a child of parent.acorn (its report is final, so parents may have it)."""
    from reviews.models import AnnualReview
    from tests.reviews.test_review_pdf import held_review

    review = held_review(demo)
    with scopes_disabled():
        AnnualReview.objects.filter(pk=review.pk).update(status=AnnualReview.Status.COMPLETED)
        review.refresh_from_db()
        if not Contact.objects.filter(pupil=review.pupil, user=demo.user(PARENT)).exists():
            link_parent(review.pupil, demo.user(PARENT))
    return review


def _contact(pupil: Any, user: Any) -> Contact:
    with scopes_disabled():
        return Contact.objects.get(pupil=pupil, user=user)


def test_senco_sets_large_print_on_the_record_and_staff_download_it(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    contact = _contact(cycle.pupil, demo.user(PARENT))
    senco = demo.client_for("senco.acorn@oak.test")
    url = reverse("pupils:contact_large_print", args=[cycle.pupil_id, contact.pk])

    response = senco.post(url, {"large_print": "sideways"}, follow=True)
    assert "Choose large print on or off." in response.content.decode()
    record = senco.post(url, {"large_print": "on"}, follow=True).content.decode()
    assert f"{contact.name} will get large-print documents." in record
    assert f"Send {contact.name} standard print" in record
    assert "Support plan for parents in large print (PDF)" in record
    contact.refresh_from_db()
    assert contact.large_print
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(
            pupil_id=cycle.pupil_id, summary__startswith="Large-print documents on"
        ).exists()

    # A teacher of the pupil's class may not change it; the other trust does not find it.
    assert demo.client_for("teacher.acorn@oak.test").post(url, {"large_print": "off"}).status_code == 404
    assert demo.client_for("senco.willow@river.test").post(url, {"large_print": "off"}).status_code == 404
    contact.refresh_from_db()
    assert contact.large_print

    standard = senco.get(reverse("graduated:plan_pdf", args=[cycle.pupil_id])).content
    large = senco.get(reverse("graduated:plan_pdf", args=[cycle.pupil_id]) + "?print=large").content
    assert body_size(standard) == 10.5 and body_size(large) >= 16


def test_parent_chooses_large_print_in_the_portal_and_gets_it(demo) -> None:
    review = completed_review(demo)
    parent = demo.client_for(PARENT)
    child = reverse("reports:portal_child", args=[review.pupil_id])
    pdf_url = reverse("reports:portal_review_pdf", args=[review.pupil_id, review.pk])
    page = parent.get(child).content.decode()
    assert pdf_url in page and "Use large print" in page
    assert body_size(parent.get(pdf_url).content) == 10.5

    assert (
        "Choose large print or standard print."
        in parent.post(reverse("reports:portal_large_print"), {"large_print": "maybe"}, follow=True).content.decode()
    )
    response = parent.post(reverse("reports:portal_large_print"), {"large_print": "on"}, follow=True)
    assert "Your documents will come in large print." in response.content.decode()
    assert _contact(review.pupil, demo.user(PARENT)).large_print  # remembered
    assert "Use standard print" in parent.get(child).content.decode()
    response = parent.get(pdf_url)
    assert response["Content-Type"] == "application/pdf" and body_size(response.content) >= 16

    # Another family's parent, and staff, do not reach the portal's copy.
    assert demo.client_for("parent.willow@river.test").get(pdf_url).status_code == 404
    assert demo.client_for("senco.acorn@oak.test").get(pdf_url).status_code == 404
    assert demo.client_for("senco.acorn@oak.test").post(reverse("reports:portal_large_print")).status_code == 404


def test_an_unfinished_review_has_no_report_for_parents(demo) -> None:
    from tests.reviews.test_review_pdf import held_review

    review = held_review(demo)
    with scopes_disabled():
        link_parent(review.pupil, demo.user(PARENT))
    url = reverse("reports:portal_review_pdf", args=[review.pupil_id, review.pk])
    assert demo.client_for(PARENT).get(url).status_code == 404


def test_the_portal_plan_pdf_follows_the_parents_choice(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    with scopes_disabled():
        Contact.objects.filter(pupil=cycle.pupil).update(large_print=True)
    response = demo.client_for(PARENT).get(reverse("reports:portal_plan_pdf", args=[cycle.pupil_id]))
    assert response.status_code == 200 and body_size(response.content) >= 16
