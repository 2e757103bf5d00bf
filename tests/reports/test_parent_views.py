"""Parents give their views before a support-plan review or an annual review, and add their own reports;
staff see them, attributed and dated, beside their own fields on the review pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from pupils.contributions import ANSWER_LIMIT
from pupils.models import Document, ParentContribution
from reviews import services as review_services
from tests.permission_cases.documents import PDF_BYTES
from tests.permission_cases.graduated import active_cycle, casework_user
from tests.permission_cases.parent_views import views_of
from tests.permission_cases.reviews import make_review
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db
PARENT = "parent.acorn@oak.test"
SENCO = "senco.acorn@oak.test"
MB = 1024 * 1024
ANSWERS = {"going_well": "", "difficult": "", "changes": "", "hopes": "", "questions": ""}


def form_url(cycle_or_review, kind: str = "support_review") -> str:
    return reverse("reports:portal_views", args=[cycle_or_review.pupil_id, kind, cycle_or_review.pk])


def test_a_parent_is_asked_for_their_views_before_a_support_plan_review(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    page = demo.client_for(PARENT).get(reverse("reports:portal_child", args=[cycle.pupil_id]))
    assert "Tell us your views before the review" in page.content.decode()
    assert form_url(cycle) in page.content.decode()


def test_views_given_in_the_portal_reach_the_review_form_attributed_dated_and_as_text(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    parent = demo.client_for(PARENT)
    form = parent.get(form_url(cycle))
    assert form.status_code == 200 and f"Up to {ANSWER_LIMIT} characters" in form.content.decode()
    answers = ANSWERS | {"going_well": "<script>alert('x')</script> Loves the reading group", "hopes": "More phonics"}
    report = SimpleUploadedFile("Speech therapy.pdf", PDF_BYTES, content_type="application/pdf")
    sent = parent.post(form_url(cycle), answers | {"report": report})
    assert sent.status_code == 302 and sent["Location"] == reverse("reports:portal_child", args=[cycle.pupil_id])
    child = parent.get(sent["Location"]).content.decode()
    assert "You sent us your views on" in child and "Speech therapy" in child

    senco = demo.client_for(SENCO)
    page = senco.get(reverse("graduated:review", args=[cycle.pk])).content.decode()
    assert "From Emma Clarke (mother)" in page and "Written by Emma Clarke on" in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Loves the reading group" in page
    assert "<script>alert" not in page
    assert "Speech therapy" in page and "from a parent or carer" in page
    # Beside the staff's own field (not inside its form: each copy button is a form of its own), which stays
    # empty until the SENCO copies the words in.
    assert page.index('id="parent-views-heading"') < page.index('<form method="post" novalidate>')
    assert '<textarea class="govuk-textarea" name="parent_views"' in page
    with scope(trust=demo.oak.pk):
        views = ParentContribution.objects.get()
    copied = senco.post(reverse("graduated:copy_parent_views", args=[cycle.pk, views.pk]))
    assert copied.status_code == 302
    page = senco.get(reverse("graduated:review", args=[cycle.pk])).content.decode()
    assert "From Emma Clarke (mother)," in page.split('name="parent_views"')[1]
    assert "Copied into the review by" in page
    record = senco.get(reverse("pupils:record", args=[cycle.pupil_id])).content.decode()
    assert "From a parent or carer" in record


def test_a_20_mb_report_and_long_or_empty_answers_are_explained_and_nothing_is_saved(demo, settings) -> None:
    cycle = active_cycle(demo, demo.acorn)
    parent = demo.client_for(PARENT)
    big = SimpleUploadedFile("scan.pdf", PDF_BYTES.ljust(20 * MB, b"\x00"), content_type="application/pdf")
    page = parent.post(form_url(cycle), ANSWERS | {"going_well": "Fine", "report": big}).content.decode()
    assert "There is a problem" in page and "The file is 20 MB" in page and "at most 10 MB" in page
    page = parent.post(form_url(cycle), ANSWERS | {"difficult": "x" * (ANSWER_LIMIT + 1)}).content.decode()
    assert f"is {ANSWER_LIMIT + 1} characters long. Keep it to {ANSWER_LIMIT} characters or fewer." in page
    page = parent.post(form_url(cycle), ANSWERS | {"hopes": "  "}).content.decode()
    assert "Answer at least one question." in page
    with scope(trust=demo.oak.pk):
        assert not ParentContribution.objects.exists() and not Document.objects.exists()
    root = Path(settings.MEDIA_ROOT)
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


def test_annual_review_views_are_open_until_the_meeting_then_read_only(demo) -> None:
    review = make_review(demo, demo.acorn, stage="scheduled")
    parent = demo.client_for(PARENT)
    url = form_url(review, "annual_review")
    assert parent.post(url, ANSWERS | {"questions": "Which secondary school?"}).status_code == 302
    senco = demo.client_for(SENCO)
    detail = senco.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Parents' views before the review" in detail and "Which secondary school?" in detail
    assert "Ask the parents again" not in detail and "Ask the parents for their views" in detail
    assert senco.post(reverse("reviews:ask_parents", args=[review.pk])).status_code == 302
    with scope(trust=demo.oak.pk):
        assert Notification.objects.filter(recipient=demo.user(PARENT), kind="portal.views").count() == 1
        views = ParentContribution.objects.get()
    senco.post(reverse("reviews:copy_parent_views", args=[review.pk, views.pk]))
    record = senco.get(reverse("reviews:meeting_record", args=[review.pk])).content.decode()
    assert "Which secondary school?" in record.split('name="parent_views"')[1].split("</textarea>")[0]

    with scope(trust=demo.oak.pk):
        review_services.record_meeting(
            review=review,
            held_on=timezone.localdate(),
            record=review_services.MeetingRecord(progress_on_outcomes="Good", recommendation="keep"),
            actions=[],
            actor=casework_user(demo.acorn),
        )
    closed = parent.get(url).content.decode()
    assert "The review has happened, so you can no longer change these" in closed
    assert "Which secondary school?" in closed and "<textarea" not in closed
    assert parent.post(url, ANSWERS | {"questions": "Changed"}).status_code == 200
    with scope(trust=demo.oak.pk):
        assert ParentContribution.objects.get().questions == "Which secondary school?"


def test_a_parent_never_reaches_another_childs_review_or_another_parents_report(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    other = active_cycle(demo, demo.beech)
    parent = demo.client_for(PARENT)
    # Another child's review, and this child's id with another child's review: both 404.
    assert parent.get(form_url(other)).status_code == 404
    mixed = reverse("reports:portal_views", args=[cycle.pupil_id, "support_review", other.pk])
    assert parent.get(mixed).status_code == 404
    assert parent.get(reverse("reports:portal_views", args=[cycle.pupil_id, "nonsense", cycle.pk])).status_code == 404
    with scope(trust=demo.oak.pk):
        staff_only = Document.objects.create(
            trust_id=demo.oak.pk,
            school=demo.acorn,
            pupil=cycle.pupil,
            original_name="note.pdf",
            content_type="application/pdf",
            size=10,
            category="from_parent",
            visibility="staff",
            title="Someone else's report",
            uploaded_by=demo.user(SENCO),
        )
    assert parent.get(reverse("reports:portal_document", args=[cycle.pupil_id, staff_only.pk])).status_code == 404


def test_every_read_is_audited(demo) -> None:
    cycle = active_cycle(demo, demo.acorn)
    views_of(demo, cycle.pupil, "support_review", cycle.pk)
    demo.client_for(PARENT).get(form_url(cycle))
    demo.client_for(SENCO).get(reverse("graduated:review", args=[cycle.pk]))
    with scope(trust=demo.oak.pk):
        reads = AuditEntry.objects.filter(action="view", pupil_id=cycle.pupil_id)
        assert reads.filter(actor=demo.user(PARENT), summary__contains="views before the").exists()
        assert reads.filter(actor=demo.user(SENCO)).exists()


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_staff_review_pages_run_the_same_queries_for_one_parent_or_many(demo) -> None:
    from tests.factories import link_parent
    from trusts.models import User

    cycle = active_cycle(demo, demo.acorn)
    review = make_review(demo, demo.acorn, stage="scheduled")
    senco = demo.client_for(SENCO)
    pages = [
        reverse("graduated:review", args=[cycle.pk]),
        reverse("graduated:cycle", args=[cycle.pk]),
        reverse("reviews:detail", args=[review.pk]),
    ]
    views_of(demo, cycle.pupil, "support_review", cycle.pk)
    views_of(demo, review.pupil, "annual_review", review.pk)
    small = [_queries(senco, url) for url in pages]
    for n in range(3):
        carer = User.objects.create_user(f"carer{n}@home.test", "x", full_name=f"Carer {n}", trust=demo.oak)
        for pupil, kind, subject in (
            (cycle.pupil, "support_review", cycle.pk),
            (review.pupil, "annual_review", review.pk),
        ):
            link_parent(pupil, carer, relationship="carer")
            with scope(trust=demo.oak.pk):
                views = ParentContribution.objects.create(
                    trust_id=demo.oak.pk,
                    school=demo.acorn,
                    pupil=pupil,
                    subject_kind=kind,
                    subject_id=subject,
                    author=carer,
                    author_name=carer.full_name,
                    hopes="More help",
                )
                document = Document.objects.create(
                    trust_id=demo.oak.pk,
                    school=demo.acorn,
                    pupil=pupil,
                    original_name="r.pdf",
                    content_type="application/pdf",
                    size=10,
                    category="from_parent",
                    title="Report",
                    uploaded_by=carer,
                )
                views.reports.create(trust_id=demo.oak.pk, document=document)
    assert [_queries(senco, url) for url in pages] == small


def test_the_questions_a_parent_answers_are_in_plain_words() -> None:
    from pupils.contributions import QUESTIONS
    from tests.test_plain_words import problems

    text = "\n".join(f"{q.label}\n{q.hint}" for q in QUESTIONS)
    assert problems("the questions before a review", text) is None
