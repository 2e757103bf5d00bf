"""The annual review pages: the school's list and its buckets, one review's steps, forms and their errors,
the PDF download (audited), constant query counts, and what other apps read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp.deadlines import SUBJECT_LINKS
from ehcp.models import Deadline
from reports.navigation import SECTIONS
from reviews import services
from reviews.models import AnnualReview, Invitee
from reviews.queries import connect, review_list, review_summaries_for_parent
from tests.permission_cases.reviews import casework_user, make_plan, make_review
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
KEEP = services.MeetingRecord(progress_on_outcomes="Reading age up a year", recommendation="keep")


def review_in(demo, school, *, issued_days_ago: int = 300) -> AnnualReview:
    plan = make_plan(demo, school, issued_on=TODAY - timedelta(days=issued_days_ago))
    with scope(trust=school.trust_id):
        return services.start_review(plan=plan, actor=casework_user(school))


def invitations_overdue(demo, school) -> AnnualReview:
    review = review_in(demo, school)
    with scope(trust=school.trust_id):
        return services.schedule_meeting(
            review=review, meeting_date=TODAY + timedelta(days=10), actor=casework_user(school)
        )


def report_overdue(demo, school) -> AnnualReview:
    review = review_in(demo, school)
    actor = casework_user(school)
    held = TODAY - timedelta(days=20)
    with scope(trust=school.trust_id):
        services.schedule_meeting(review=review, meeting_date=held, actor=actor)
        return services.record_meeting(review=review, held_on=held, record=KEEP, actions=[], actor=actor)


def completed(demo, school) -> AnnualReview:
    review = report_overdue(demo, school)
    actor = casework_user(school)
    with scope(trust=school.trust_id):
        services.record_report_sent(review=review, sent_on=TODAY - timedelta(days=10), actor=actor)
        return services.record_la_decision(review=review, decision="keep", decided_on=TODAY, actor=actor)


def test_the_list_sorts_reviews_into_what_needs_doing(demo) -> None:
    late = invitations_overdue(demo, demo.acorn)
    unreported = report_overdue(demo, demo.acorn)
    soon = review_in(demo, demo.acorn, issued_days_ago=330)
    done = completed(demo, demo.acorn)
    unstarted = make_plan(demo, demo.acorn)
    elsewhere = review_in(demo, demo.beech, issued_days_ago=330)
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        listing = review_list(senco)
    assert [r.pk for r in listing.invitations_overdue] == [late.pk]
    assert [r.pk for r in listing.report_overdue] == [unreported.pk]
    assert [r.pk for r in listing.due_soon] == [soon.pk]
    assert [r.pk for r in listing.completed] == [done.pk]
    assert [p.pk for p in listing.not_started] == [unstarted.pk]
    assert elsewhere.pk not in {r.pk for r in listing.later + listing.due_soon}
    # The next reviews opened by the meetings are due in a year: "later".
    assert {r.previous_id for r in listing.later} == {unreported.pk, done.pk}

    response = demo.client_for("senco.acorn@oak.test").get(reverse("reviews:list"))
    html = response.content.decode()
    assert "Invitations overdue (1)" in html and "Report overdue (1)" in html
    assert late.pupil.display_name in html and elsewhere.pupil.display_name not in html
    assert reverse("reviews:start", kwargs={"plan_id": unstarted.pk}) in html


def test_the_inclusion_lead_can_filter_the_list_by_school(demo) -> None:
    acorn = review_in(demo, demo.acorn, issued_days_ago=330)
    beech = review_in(demo, demo.beech, issued_days_ago=330)
    client = demo.client_for("lead@oak.test")
    both = client.get(reverse("reviews:list")).content.decode()
    assert acorn.pupil.display_name in both and beech.pupil.display_name in both
    only = client.get(reverse("reviews:list"), {"school": demo.beech.pk}).content.decode()
    assert acorn.pupil.display_name not in only and beech.pupil.display_name in only


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_the_same_queries_for_one_review_or_many(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("reviews:list")
    invitations_overdue(demo, demo.acorn)
    make_plan(demo, demo.acorn)
    small = _queries(client, url)
    for _ in range(3):
        invitations_overdue(demo, demo.acorn)
        report_overdue(demo, demo.acorn)
        completed(demo, demo.acorn)
        review_in(demo, demo.acorn, issued_days_ago=330)
        make_plan(demo, demo.acorn)
    assert _queries(client, url) == small


def test_a_review_page_runs_the_same_queries_whatever_its_size(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    small = report_overdue(demo, demo.acorn)
    big = report_overdue(demo, demo.acorn)
    with scopes_disabled():
        Invitee.objects.bulk_create(
            Invitee(trust_id=big.trust_id, review=big, role="professional", name=f"Therapist {n}") for n in range(8)
        )
        big.actions.create(trust_id=big.trust_id, action="Another", who="SENCO", by_when=TODAY, position=2)
    assert _queries(client, reverse("reviews:detail", kwargs={"pk": small.pk})) == _queries(
        client, reverse("reviews:detail", kwargs={"pk": big.pk})
    )


def test_a_senco_runs_a_review_through_the_pages(demo) -> None:
    plan = make_plan(demo, demo.acorn, issued_on=TODAY - timedelta(days=300))
    client = demo.client_for("senco.acorn@oak.test")
    response = client.post(reverse("reviews:start", kwargs={"plan_id": plan.pk}), {"last_review_on": ""})
    with scopes_disabled():
        review = AnnualReview.objects.get(plan=plan)
    detail = reverse("reviews:detail", kwargs={"pk": review.pk})
    assert response.status_code == 302 and response["Location"] == detail
    assert "Book the review meeting" in client.get(detail).content.decode()

    meeting = TODAY - timedelta(days=1)
    client.post(reverse("reviews:schedule", kwargs={"pk": review.pk}), {"meeting_date": meeting.isoformat()})
    client.post(
        reverse("reviews:invitee_add", kwargs={"pk": review.pk}),
        {"role": "health", "name": "Dr Ade Mensah", "email": "ade@nhs.example"},
    )
    with scopes_disabled():
        ids = [str(pk) for pk in review.invitees.values_list("pk", flat=True)]
    client.post(
        reverse("reviews:invitations", kwargs={"pk": review.pk}),
        {"invitees": ids, "sent_on": (meeting - timedelta(days=20)).isoformat()},
    )
    client.post(
        reverse("reviews:circulate", kwargs={"pk": review.pk}),
        {"circulated_on": (meeting - timedelta(days=15)).isoformat()},
    )
    response = client.post(
        reverse("reviews:meeting_record", kwargs={"pk": review.pk}),
        {
            "held_on": meeting.isoformat(),
            "progress_on_outcomes": "Met two of three outcomes",
            "recommendation": "keep",
            "actions-TOTAL_FORMS": "3",
            "actions-INITIAL_FORMS": "0",
            "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "30",
            "actions-0-action": "Book the hearing test",
            "actions-0-who": "Parent",
            "actions-0-by_when": (TODAY + timedelta(days=20)).isoformat(),
        },
    )
    assert response.status_code == 302
    client.post(reverse("reviews:report_sent", kwargs={"pk": review.pk}), {"sent_on": TODAY.isoformat()})
    client.post(
        reverse("reviews:la_decision", kwargs={"pk": review.pk}), {"decision": "keep", "decided_on": TODAY.isoformat()}
    )
    with scopes_disabled():
        review.refresh_from_db()
        assert review.status == "completed"
        open_left = Deadline.objects.filter(subject_type="annual_review", subject_id=review.pk, status="open")
        assert not open_left.exists()
        assert review.actions.get().who == "Parent"
    html = client.get(detail).content.decode()
    assert "Nothing more to do on this review" in html and "Book the hearing test" in html


def test_forms_explain_what_is_wrong(demo) -> None:
    review = make_review(demo, demo.acorn, stage="scheduled")
    client = demo.client_for("senco.acorn@oak.test")
    html = client.post(
        reverse("reviews:schedule", kwargs={"pk": review.pk}), {"meeting_date": "2026-02-31"}
    ).content.decode()
    assert "Enter the date of the review meeting as a real date" in html
    response = client.post(
        reverse("reviews:meeting_record", kwargs={"pk": review.pk}),
        {
            "held_on": TODAY.isoformat(),
            "recommendation": "amend",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-MIN_NUM_FORMS": "0",
            "actions-MAX_NUM_FORMS": "30",
            "actions-0-action": "Ring the LA",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter progress on outcomes." in html
    assert "Describe the amendments the meeting proposes." in html
    assert "Action 1: Say who will do it." in html
    assert "every action is time-bound" in html
    with scopes_disabled():
        review.refresh_from_db()
        assert review.held_on is None


def test_a_refused_step_shows_the_services_reason(demo) -> None:
    review = make_review(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    html = client.post(
        reverse("reviews:la_decision", kwargs={"pk": review.pk}), {"decision": "keep", "decided_on": TODAY.isoformat()}
    ).content.decode()
    assert "Record that the report was sent to the LA first." in html


def test_a_meeting_booked_after_the_due_date_is_warned_about(demo) -> None:
    review = make_review(demo, demo.acorn)
    late = review.due_date + timedelta(days=7)
    response = demo.client_for("senco.acorn@oak.test").post(
        reverse("reviews:schedule", kwargs={"pk": review.pk}), {"meeting_date": late.isoformat()}, follow=True
    )
    assert "the review will be late" in response.content.decode()


def test_the_pdf_download_is_audited(demo) -> None:
    review = make_review(demo, demo.acorn, stage="held")
    response = demo.client_for("head.acorn@oak.test").get(reverse("reviews:pdf", kwargs={"pk": review.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    with scopes_disabled():
        entry = AuditEntry.objects.filter(action="download").get()
    assert (entry.actor_name, entry.pupil_id, entry.object_id) == ("Sarah Whitfield", review.pupil_id, str(review.pk))


def test_removing_an_invitee_is_refused_after_the_meeting(demo) -> None:
    review = make_review(demo, demo.acorn, stage="held")
    with scopes_disabled():
        invitee = review.invitees.first()
    assert invitee is not None
    response = demo.client_for("senco.acorn@oak.test").post(
        reverse("reviews:invitee_remove", kwargs={"pk": review.pk, "invitee_id": invitee.pk}), follow=True
    )
    assert "can no longer change" in response.content.decode()
    with scopes_disabled():
        assert Invitee.objects.filter(pk=invitee.pk).exists()


def test_an_invitee_of_another_review_is_not_found(demo) -> None:
    mine, other = make_review(demo, demo.acorn), make_review(demo, demo.acorn)
    with scopes_disabled():
        theirs = other.invitees.first()
    assert theirs is not None
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("reviews:invitee_advice", kwargs={"pk": mine.pk, "invitee_id": theirs.pk})
    assert client.get(url).status_code == 404


def test_parents_read_only_completed_reviews_in_plain_words(demo) -> None:
    done = completed(demo, demo.acorn)
    make_review(demo, demo.acorn, stage="held")
    with scope(trust=demo.oak.pk):
        summaries = review_summaries_for_parent(done.pupil)
        assert review_summaries_for_parent(AnnualReview.objects.exclude(pk=done.pk).first().pupil) == []
    assert len(summaries) == 1
    assert summaries[0].date == done.held_on
    assert "The local council decided to keep the EHC plan as it is." in summaries[0].summary


@pytest.fixture
def connected():
    """What reviews' AppConfig.ready() does, undone afterwards so other tests see the lists as they were."""
    links = dict(SUBJECT_LINKS)
    connect()
    yield
    SUBJECT_LINKS.clear()
    SUBJECT_LINKS.update(links)


def test_deadlines_link_to_their_review_and_the_list_is_in_the_navigation(demo, connected) -> None:
    ehc_pages = next(pages for name, _prefixes, pages in SECTIONS if name == "EHC")
    assert ("Annual reviews", "reviews:list", ("review.change",)) in ehc_pages
    review = make_review(demo, demo.acorn, stage="scheduled")
    with scopes_disabled():
        r3 = Deadline.objects.get(subject_type="annual_review", subject_id=review.pk, rule_id="R3")
    assert SUBJECT_LINKS["annual_review"](r3) == reverse("reviews:detail", kwargs={"pk": review.pk})
    assert r3.act_url == reverse("reviews:detail", kwargs={"pk": review.pk})
    html = demo.client_for("senco.acorn@oak.test").get("/").content.decode()
    assert reverse("reviews:list") in html
    governor = demo.client_for("governor.acorn@oak.test").get("/").content.decode()
    assert reverse("reviews:list") not in governor


def test_the_meeting_due_date_and_its_rule_are_on_the_page(demo) -> None:
    review = make_review(demo, demo.acorn, stage="scheduled")
    html = (
        demo.client_for("senco.acorn@oak.test")
        .get(reverse("reviews:detail", kwargs={"pk": review.pk}))
        .content.decode()
    )
    for text in ("R1", "R3", "R4", "R5", "R6", "SEND Regulations 2014, reg 21(7)", "Send the invitations"):
        assert text in html
    assert isinstance(review.meeting_date, date)
