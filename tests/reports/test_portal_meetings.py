"""The parent portal's meetings, shared notes, progress in plain words and "Your dates"."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from ehcp import services as ehcp
from graduated import services as graduated
from graduated.models import ParentMeeting
from pupils.models import MeetingReply
from reviews import services as reviews
from tests.factories import pupil_at
from tests.permission_cases.graduated import active_cycle
from tests.reports.test_portal import _ehc_child
from tests.test_plain_words import problems
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PARENT = "parent.acorn@oak.test"
SENCO = "senco.acorn@oak.test"


def notes_for(email: str) -> list[Notification]:
    with scopes_disabled():
        return list(Notification.objects.filter(recipient__email=email).order_by("pk"))


def booked_review(demo, *, in_days: int = 30):
    plan = _ehc_child(demo)
    with scope(trust=demo.oak.pk):
        review = reviews.start_review(plan=plan, actor=demo.user(SENCO))
        review = reviews.schedule_meeting(
            review=review, meeting_date=TODAY + dt.timedelta(days=in_days), actor=demo.user(SENCO)
        )
    return review


def reply_url(pupil_id: int, kind: str, pk: int) -> str:
    return reverse("reports:portal_meeting_reply", args=[pupil_id, kind, pk])


def test_a_parent_confirms_the_annual_review_meeting_and_the_senco_sees_it(demo):
    review = booked_review(demo)
    # Booking the meeting told the parent, in plain words and without the child's name.
    (told,) = [n for n in notes_for(PARENT) if n.kind == "meeting_date"]
    assert told.text.startswith("The school has set a date for the annual review meeting of the EHC plan")
    assert "Jasper" not in told.text
    client = demo.client_for(PARENT)
    page = client.get(reverse("reports:portal_child", args=[review.pupil_id])).content.decode()
    url = reply_url(review.pupil_id, "annual_review", review.pk)
    assert url in page and "Tell the school if you can come" in page
    assert client.get(url).status_code == 200
    response = client.post(url, {"answer": "coming"})
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        reply = MeetingReply.objects.get()
    assert (reply.answer, reply.meeting_date, reply.parent.email) == ("coming", review.meeting_date, PARENT)
    (senco_note,) = [n for n in notes_for(SENCO) if n.kind == "meeting_reply"]
    assert "will come" in senco_note.text and "Jasper" not in senco_note.text
    assert senco_note.link == reverse("reviews:detail", args=[review.pk])
    assert "You told the school you will come" in client.get(response.url).content.decode()
    staff = demo.client_for(SENCO).get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Will come" in staff and "Emma Clarke" in staff
    with scope(trust=demo.oak.pk):
        audited = set(
            AuditEntry.objects.filter(actor__email=PARENT, pupil_id=review.pupil_id).values_list("summary", flat=True)
        )
    assert any(s.startswith("Parent answered the annual review meeting") for s in audited)
    assert any(s.startswith("Parent portal: annual review meeting") for s in audited)


def test_asking_to_move_needs_a_reason_and_clear_messages_for_bad_input(demo):
    review = booked_review(demo)
    client = demo.client_for(PARENT)
    url = reply_url(review.pupil_id, "annual_review", review.pk)
    for data, message in (
        ({}, "Choose if you will come or if you want to ask to move the meeting."),
        ({"answer": "move", "reason": "  "}, "Tell the school why the date does not suit you."),
        ({"answer": "move", "reason": "x" * 1001}, "Your reason must be 1000 characters or fewer."),
        ({"answer": "move", "reason": "Work", "suits": "y" * 301}, "must be 300 characters or fewer."),
        ({"answer": "maybe"}, "Select a valid choice"),
    ):
        response = client.post(url, data)
        body = response.content.decode()
        assert response.status_code == 400 and "There is a problem" in body and message in body, data
    with scope(trust=demo.oak.pk):
        assert not MeetingReply.objects.exists()
    client.post(url, {"answer": "move", "reason": "I work on Tuesdays", "suits": "Any morning after 9:30"})
    (note,) = [n for n in notes_for(SENCO) if n.kind == "meeting_reply"]
    assert "asks to move" in note.text
    staff = demo.client_for(SENCO).get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Asks to move it" in staff and "I work on Tuesdays" in staff and "Any morning after 9:30" in staff

    # The school moves the meeting: the parent is told, and asked to answer again.
    new_date = review.meeting_date + dt.timedelta(days=7)
    with scope(trust=demo.oak.pk):
        reviews.schedule_meeting(review=review, meeting_date=new_date, actor=demo.user(SENCO))
    moved = [n for n in notes_for(PARENT) if n.kind == "meeting_date"][-1]
    assert moved.text.startswith(
        f"The school has moved the annual review meeting of the EHC plan. The new date is {new_date:%A}"
    )
    page = client.get(reverse("reports:portal_child", args=[review.pupil_id])).content.decode()
    assert "The school has moved this meeting since you answered" in page
    staff = demo.client_for(SENCO).get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "the meeting has moved since" in staff


def test_a_meeting_already_held_cannot_be_answered(demo):
    review = booked_review(demo, in_days=0)
    client = demo.client_for(PARENT)
    url = reply_url(review.pupil_id, "annual_review", review.pk)
    with scope(trust=demo.oak.pk):
        reviews.record_meeting(
            review=review,
            held_on=TODAY,
            record=reviews.MeetingRecord(progress_on_outcomes="Good progress", recommendation="keep"),
            actions=[reviews.ActionInput("Visual timetable in every lesson", "Class teacher", TODAY)],
            actor=demo.user(SENCO),
        )
    page = client.get(url).content.decode()
    assert "already happened" in page and "Send your answer" not in page
    response = client.post(url, {"answer": "coming"})
    assert response.status_code == 400 and "already happened" in response.content.decode()
    with scope(trust=demo.oak.pk):
        assert not MeetingReply.objects.exists()
        # The action plan is shared once the report has gone to the family; the meeting's notes never are.
        reviews.record_report_sent(review=review, sent_on=TODAY, actor=demo.user(SENCO))
    child = client.get(reverse("reports:portal_child", args=[review.pupil_id])).content.decode()
    assert "Visual timetable in every lesson (Class teacher," in child and "Good progress" not in child


def test_only_the_childs_own_parent_reaches_the_meeting(demo):
    review = booked_review(demo)
    url = reply_url(review.pupil_id, "annual_review", review.pk)
    for email in ("parent.willow@river.test", SENCO, "teacher.acorn@oak.test"):
        client = demo.client_for(email)
        assert client.get(url).status_code == 404 and client.post(url, {"answer": "coming"}).status_code == 404
    other = booked_review(demo)
    client = demo.client_for(PARENT)
    # A real meeting, but of another child; a kind that is not a meeting; notes-only past meetings.
    assert client.get(reply_url(review.pupil_id, "annual_review", other.pk)).status_code == 404
    assert client.get(reply_url(review.pupil_id, "nonsense", review.pk)).status_code == 404


def test_support_plan_review_progress_and_shared_meeting_notes(demo):
    cycle = active_cycle(demo, demo.acorn, legal_forename="Maisie", preferred_forename="Maisie")
    senco = demo.user(SENCO)
    (told,) = [n for n in notes_for(PARENT) if n.kind == "meeting_date"]
    assert "review meeting of the SEN support plan" in told.text
    with scope(trust=demo.oak.pk):
        outcome = cycle.outcomes.get()
        allocation = cycle.allocations.get()
        for days, score in ((10, 48), (3, 55)):
            graduated.log_delivery(
                allocation=allocation,
                actor=senco,
                session_date=TODAY - dt.timedelta(days=days),
                attended=True,
                score=Decimal(score),
                outcome=outcome,
                note="STAFF session note",
            )
        graduated.record_parent_meeting(
            pupil=cycle.pupil,
            actor=senco,
            held_on=TODAY,
            attendees="Mum, SENCO",
            notes="STAFF-ONLY meeting notes",
            agreed_actions="Practise the word list at home three times a week",
        )
    client = demo.client_for(PARENT)
    page = html.unescape(client.get(reverse("reports:portal_child", args=[cycle.pupil_id])).content.decode())
    first = (TODAY - dt.timedelta(days=14)).strftime("%B")
    last = (TODAY - dt.timedelta(days=3)).strftime("%B")
    assert f"Maisie's score went from 40 in {first}" in page and f"to 55 in {last}" in page
    assert "The target is 80 by" in page
    assert 'role="img"' in page and '<td class="govuk-table__cell govuk-table__cell--numeric">55</td>' in page
    assert "Practise the word list at home" in page
    assert "STAFF-ONLY" not in page and "STAFF session note" not in page
    url = reply_url(cycle.pupil_id, "support_review", cycle.pk)
    assert url in page
    client.post(url, {"answer": "move", "reason": "Hospital appointment", "suits": "Fridays"})
    staff = demo.client_for(SENCO).get(reverse("graduated:cycle", args=[cycle.pk])).content.decode()
    assert "Hospital appointment" in staff and "Fridays" in staff
    # The school changes the review date: the parent is told.
    with scope(trust=demo.oak.pk):
        graduated.confirm_plan(
            cycle=cycle, actor=senco, review_date=TODAY + dt.timedelta(days=45), expected_impact="Reads more"
        )
    assert [n for n in notes_for(PARENT) if n.kind == "meeting_date"][-1].text.startswith(
        "The school has moved the review meeting of the SEN support plan"
    )
    with scope(trust=demo.oak.pk):
        assert ParentMeeting.objects.filter(pupil=cycle.pupil).count() == 1


def test_your_dates_shows_the_parents_own_window_with_who_to_contact(demo):
    pupil = pupil_at(demo, demo.acorn, legal_forename="Ruby", preferred_forename="Ruby")
    senco = demo.user(SENCO)
    with scope(trust=demo.oak.pk):
        assessment = ehcp.request_assessment(
            pupil=pupil, requested_by="parent", request_received_on=TODAY - dt.timedelta(weeks=12), actor=senco
        )
        ehcp.record_assessment_event(
            assessment=assessment, event="decision", on=TODAY - dt.timedelta(weeks=8), actor=senco, decision="assess"
        )
        ehcp.record_assessment_event(assessment=assessment, event="draft_served", on=TODAY, actor=senco)
        from ehcp.models import Deadline

        a4 = Deadline.objects.get(pupil=pupil, rule_id="A4")
    client = demo.client_for(PARENT)
    page = client.get(reverse("reports:portal_child", args=[pupil.pk])).content.decode()
    assert "Your dates" in page
    day = f"{a4.due:%-d %B}" + ("" if a4.due.year == TODAY.year else f" {a4.due:%Y}")
    assert f"You have until {day} to tell the council what you think of the draft plan." in page
    assert "You can also ask for a school to be named" in page
    assert f"SEN team at {demo.acorn.local_authority} council" in page and "can help you" in page
    with scope(trust=demo.oak.pk):
        ehcp.record_assessment_event(assessment=assessment, event="parent_comments", on=TODAY, actor=senco)
    assert "Your dates" not in client.get(reverse("reports:portal_child", args=[pupil.pk])).content.decode()


def _busy_child(demo, n: int) -> int:
    """A child of parent.acorn with a booked annual review, `n` shared outcomes with `n` scores each, `n`
    past meetings with shared notes, and an open A4 window. Returns the pupil's id."""
    plan = _ehc_child(demo)
    senco = demo.user(SENCO)
    cycle = active_cycle(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        # The support plan moves to the EHC child, so one child has every part of the page.
        cycle.pupil = plan.pupil
        cycle.save(update_fields=["pupil"])
        review = reviews.start_review(plan=plan, actor=senco)
        reviews.schedule_meeting(review=review, meeting_date=TODAY + dt.timedelta(days=20), actor=senco)
        allocation = cycle.allocations.get()
        for k in range(n):
            outcome = cycle.outcomes.create(
                trust_id=cycle.trust_id,
                position=k + 2,
                description=f"Outcome {k}",
                baseline="b",
                target="t",
                measured_by="m",
                baseline_score=Decimal(1),
                target_score=Decimal(9),
            )
            for day in range(n):
                graduated.log_delivery(
                    allocation=allocation,
                    actor=senco,
                    session_date=TODAY - dt.timedelta(days=day + 1),
                    attended=True,
                    score=Decimal(day + k),
                    outcome=outcome,
                )
            graduated.record_parent_meeting(
                pupil=plan.pupil, actor=senco, held_on=TODAY, attendees="Mum", agreed_actions=f"Action {k}"
            )
        from ehcp import deadlines as engine

        engine.open_deadline(
            rule_id="R7",
            trigger_date=TODAY,
            school=demo.acorn,
            pupil=plan.pupil,
            subject_type="annual_review",
            subject_id=review.pk,
            actor=None,
        )
    return plan.pupil_id


def test_portal_child_queries_stay_constant(demo):
    client = demo.client_for(PARENT)
    counts = []
    for n in (1, 5):
        pupil_id = _busy_child(demo, n)
        url = reverse("reports:portal_child", args=[pupil_id])
        page = client.get(url).content.decode()
        assert f"Action {n - 1}" in page and "Tell the school if you can come" in page and "Your dates" in page
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_new_family_texts_read_plainly(demo):
    """The notification texts and sentences the templates fill in (not seen by the template check)."""
    from ehcp.parent_dates import PARENT_RULES, ParentDate, parent_reminder_text
    from graduated.charts import Point
    from graduated.queries.progress_words import progress_words

    review = booked_review(demo)
    texts = [n.text for n in notes_for(PARENT)]
    client = demo.client_for(PARENT)
    client.post(reply_url(review.pupil_id, "annual_review", review.pk), {"answer": "coming"})
    with scope(trust=demo.oak.pk):
        reviews.schedule_meeting(
            review=review, meeting_date=review.meeting_date + dt.timedelta(days=2), actor=demo.user(SENCO)
        )
    texts += [n.text for n in notes_for(PARENT)]
    for rule_id in PARENT_RULES:
        d = ParentDate(rule_id, TODAY, PARENT_RULES[rule_id], "Devon", "Acorn Primary")
        texts += [d.sentence, d.also, d.contact]
    march, july = dt.date(2026, 3, 2), dt.date(2026, 7, 10)
    texts.append(
        progress_words(
            name="Sam",
            points=[Point(dt.date(2026, 1, 5), Decimal(12)), Point(march, Decimal(18))],
            target=Decimal(25),
            target_by=july,
        )
    )
    from ehcp.models import Deadline

    texts.append(parent_reminder_text(Deadline(rule_id="A4", due=TODAY + dt.timedelta(days=7)), TODAY))
    texts.append(parent_reminder_text(Deadline(rule_id="R7", due=TODAY), TODAY))
    report = problems("the new family texts", "\n".join(texts))
    assert report is None, report


def test_progress_words():
    from graduated.charts import Point
    from graduated.queries.progress_words import progress_words

    sep, mar, jul = dt.date(2026, 9, 14), dt.date(2027, 3, 1), dt.date(2027, 7, 9)
    two = [Point(sep, Decimal(12), "Baseline"), Point(mar, Decimal(18))]
    assert progress_words(name="Sam", points=two, target=Decimal(25), target_by=jul) == (
        "Sam's score went from 12 in September 2026 to 18 in March 2027. The target is 25 by July 2027."
    )
    same_year = [Point(dt.date(2027, 1, 4), Decimal(12)), Point(mar, Decimal(18))]
    assert progress_words(name="Sam", points=same_year, target=Decimal(25), target_by=jul) == (
        "Sam's score went from 12 in January to 18 in March. The target is 25 by July."
    )
    assert progress_words(name="Sam", points=[], target=None, target_by=None) == "There are no scores for Sam yet."
    flat = [Point(dt.date(2027, 1, 4), Decimal(3)), Point(mar, Decimal(3))]
    assert progress_words(name="Sam", points=flat, target=None, target_by=None) == (
        "Sam's score was 3 in January, and still 3 in March."
    )
