"""Wording checks of a draft plan or of proposed amendments (ehcp.wording): the SENCO pastes the LA's text, reads
each finding beside the sentence with its source, edits the points, and the A5 reply starts from them. Who
reaches each page is in tests/permission_cases/ehcp.py (the permission matrix)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from ehcp import services, wording
from ehcp.models import DraftWording
from ehcp.wording_demo import VAGUE_DRAFT
from tests.permission_cases.ehcp import casework_user, make_assessment, make_consultation, make_plan, make_wording

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)
SECTION_FIELDS = {f"section_{letter.lower()}": text for letter, text in VAGUE_DRAFT.items()}


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def _served_assessment(demo, school):
    a = make_assessment(demo, school, received=TODAY - timedelta(weeks=12))
    senco = casework_user(school)
    with scope(trust=school.trust_id):
        services.record_assessment_event(
            assessment=a, event="decision", on=TODAY - timedelta(weeks=8), decision="assess", actor=senco
        )
        services.record_assessment_event(assessment=a, event="draft_served", on=TODAY - timedelta(days=2), actor=senco)
        a.refresh_from_db()
    return a


def test_the_vague_draft_gets_each_finding_with_its_source(demo) -> None:
    w = make_wording(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        found = {(f.section, f.rule.id) for f in wording.check(w).findings}
    assert {
        ("C", "section-empty"),
        ("B", "need-without-outcome-or-provision"),  # fine motor skills and handwriting: nothing in E or F
        ("E", "outcome-no-measure"),
        ("E", "outcome-no-timescale"),
        ("E", "outcome-is-provision"),
        ("F", "vague-access-to"),
        ("F", "vague-regular"),
        ("F", "vague-up-to"),
        ("F", "vague-opportunities"),
        ("F", "provision-group-size"),
        ("F", "provision-no-who"),
    } <= found
    # The specific line of F and the measured, timed outcome of E have no finding of their own.
    with scope(trust=demo.oak.pk):
        rows = {row.text: row.findings for s in wording.check(w).sections for row in s.sentences}
    assert rows["A 20-minute one-to-one vocabulary session every day with a trained teaching assistant."] == []
    assert (
        rows["By the end of Key Stage 2, will follow two-step spoken instructions in class on 4 out of 5 occasions."]
        == []
    )


def test_the_senco_pastes_a_draft_reads_the_findings_beside_it_and_replies_with_the_points(demo) -> None:
    c = make_consultation(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    detail = client.get(reverse("ehcp:consultation_detail", kwargs={"pk": c.pk})).content.decode()
    new_url = reverse("ehcp:wording_new", kwargs={"kind": "consultation", "pk": c.pk})
    assert new_url in detail
    response = client.post(new_url, {"received_on": "2026-02-27", **SECTION_FIELDS}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain and "points to look at" in page
    assert "<mark>Access to</mark> a quiet space <mark>when needed</mark>." in page
    assert "SEND Code of Practice 2015, para 9.69" in page and "SEND Code of Practice 2015, para 9.66" in page
    assert "Section C is empty." in page
    assert "(fine motor skills)" not in page and "(motor skills)" in page  # the need family named
    with scope(trust=demo.oak.pk):
        w = DraftWording.objects.get(consultation=c)
    # The points start as the findings, one per line, each with its source; the SENCO edits them and saves.
    assert "Points on the wording of the draft plan:" in page
    edited = "- Section F: quantify the speech and language therapy (CoP 9.69).\n- Section C is empty."
    saved = client.post(reverse("ehcp:wording_detail", kwargs={"pk": w.pk}), {"points": edited}, follow=True)
    assert "The points for the reply are saved." in saved.content.decode()
    with scope(trust=demo.oak.pk):
        w.refresh_from_db()
    assert w.points == edited
    # The A5 reply form starts from the saved points.
    reply = client.get(reverse("ehcp:consultation_reply", kwargs={"pk": c.pk})).content.decode()
    assert "quantify the speech and language therapy" in reply
    assert (
        reverse("ehcp:wording_detail", kwargs={"pk": w.pk})
        in client.get(reverse("ehcp:consultation_detail", kwargs={"pk": c.pk})).content.decode()
    )


def test_pasting_the_draft_again_replaces_the_text_and_keeps_the_points(demo) -> None:
    a = _served_assessment(demo, demo.acorn)
    senco = casework_user(demo.acorn)
    with scope(trust=demo.oak.pk):
        first = wording.record_wording(subject=a, received_on=TODAY, sections=VAGUE_DRAFT, actor=senco)
        wording.save_points(wording=first, points="- our points", actor=senco)
        again = wording.record_wording(
            subject=a, received_on=TODAY, sections={**VAGUE_DRAFT, "C": "No health needs."}, actor=senco
        )
        assert again.pk == first.pk and DraftWording.objects.filter(assessment=a).count() == 1
        again.refresh_from_db()
        assert again.section_c == "No health needs." and again.points == "- our points"
        assert "section-empty" not in {f.rule.id for f in wording.check(again).findings}


def test_proposed_amendments_are_checked_only_where_they_change_the_plan(demo) -> None:
    plan = make_plan(demo, demo.acorn)
    senco = casework_user(demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    assert (
        reverse("ehcp:wording_new", kwargs={"kind": "plan", "pk": plan.pk})
        in client.get(reverse("ehcp:plan_detail", kwargs={"pk": plan.pk})).content.decode()
    )
    with scope(trust=demo.oak.pk):
        first = wording.record_wording(
            subject=plan, received_on=TODAY, sections={"F": "Regular speech and language therapy."}, actor=senco
        )
        second = wording.record_wording(
            subject=plan,
            received_on=TODAY,
            sections={"F": "Speech therapy, 30 minutes weekly, with a SaLT."},
            actor=senco,
        )
        assert first.pk != second.pk and first.kind == "amendments"
        found = {(f.section, f.rule.id) for f in wording.check(first).findings}
        # "Regular" is no frequency and nothing says how long; no "section A is empty" (amendments change some).
        assert found == {("F", "vague-regular"), ("F", "provision-no-frequency"), ("F", "provision-no-amount")}
        assert wording.check(second).findings == []
    page = client.get(reverse("ehcp:plan_detail", kwargs={"pk": plan.pk})).content.decode()
    assert page.count("Proposed amendments received 2 March 2026") == 2


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"received_on": "2026-03-03", "section_f": "Access to a quiet space."}, "cannot be in the future"),
        ({"received_on": "2026-03-02"}, "Paste the LA&#x27;s wording: at least sections B, E and F."),
        ({"received_on": "2026-02-31", "section_f": "x"}, "as a real date"),
        ({"received_on": "2026-03-02", "section_b": "word " * 5_000}, "paste only section B, at most 20,000"),
        ({"received_on": "2020-01-01", "section_f": "Access to a quiet space."}, "cannot be before"),
    ],
)
def test_bad_input_gets_a_specific_message_and_writes_nothing(demo, post, message) -> None:
    c = make_consultation(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    response = client.post(reverse("ehcp:wording_new", kwargs={"kind": "consultation", "pk": c.pk}), post)
    assert response.status_code == 200
    assert message in response.content.decode()
    with scopes_disabled():
        assert not DraftWording.objects.exists()


def test_a_teacher_cannot_write_and_a_ceased_plan_takes_no_amendments(demo) -> None:
    plan = make_plan(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(PermissionDenied):
            wording.record_wording(
                subject=plan, received_on=TODAY, sections=VAGUE_DRAFT, actor=demo.user("teacher.acorn@oak.test")
            )
        plan.ceased_on = TODAY
        plan.save()
        with pytest.raises(ValidationError, match="ceased"):
            wording.record_wording(
                subject=plan, received_on=TODAY, sections=VAGUE_DRAFT, actor=casework_user(demo.acorn)
            )
        assert not DraftWording.objects.exists()


def test_a_headteacher_reads_the_check_and_another_schools_senco_and_trust_get_404(demo) -> None:
    w = make_wording(demo, demo.acorn)
    url = reverse("ehcp:wording_detail", kwargs={"pk": w.pk})
    assert demo.client_for("head.acorn@oak.test").get(url).status_code == 200
    assert demo.client_for("senco.beech@oak.test").get(url).status_code == 404
    assert demo.client_for("senco.willow@river.test").get(url).status_code == 404
    assert demo.client_for("senco.willow@river.test").post(url, {"points": "x"}).status_code == 404
    with scope(trust=demo.oak.pk):
        w.refresh_from_db()
    assert w.points == ""


def test_the_check_page_keeps_its_query_count_whatever_the_length_of_the_draft(demo) -> None:
    short = make_wording(demo, demo.acorn)
    long_draft = {**VAGUE_DRAFT, "F": "\n".join(f"- Access to a quiet space, item {n}." for n in range(200))}
    c = make_consultation(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        long = wording.record_wording(
            subject=c, received_on=c.consulted_on, sections=long_draft, actor=casework_user(demo.acorn)
        )
    client = demo.client_for("senco.acorn@oak.test")
    counts = []
    for w in (short, long):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("ehcp:wording_detail", kwargs={"pk": w.pk})).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1] <= 14


def test_the_demo_has_a_vague_draft_to_check(demo) -> None:
    from ehcp.wording_demo import seed_wording
    from tests.permission_cases.ehcp import k_pupil

    k_pupil(demo, demo.acorn)
    with time_machine.travel(date(2026, 11, 20), tick=False), scopes_disabled():
        assert seed_wording({"schools": {"acorn": demo.acorn}}) == "1 draft plan with vague wording to check."
        assert seed_wording({"schools": {"acorn": demo.acorn}}) == ""  # idempotent
        w = DraftWording.objects.get()
        assert w.assessment.draft_served_on == date(2026, 11, 16)
        assert len(wording.check(w).findings) >= 10


def test_an_assessments_draft_is_checked_only_once_it_is_served(demo) -> None:
    a = make_assessment(demo, demo.acorn, received=TODAY - timedelta(weeks=3))
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError, match="served the draft plan first"):
        wording.record_wording(subject=a, received_on=TODAY, sections=VAGUE_DRAFT, actor=casework_user(demo.acorn))
    with scopes_disabled():
        assert not DraftWording.objects.exists()


def test_points_saved_empty_stay_empty_and_points_older_than_the_text_are_flagged(demo) -> None:
    w = make_wording(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("ehcp:wording_detail", kwargs={"pk": w.pk})
    assert "Points on the wording of the draft plan:" in client.get(url).content.decode()  # suggested at first
    client.post(url, {"points": ""})
    page = client.get(url).content.decode()
    assert "Points on the wording of the draft plan:" not in page and "no points to make" in page
    with time_machine.travel(TODAY + timedelta(days=1), tick=False):
        with scope(trust=demo.oak.pk):
            wording.record_wording(
                subject=w.consultation, received_on=TODAY, sections=VAGUE_DRAFT, actor=casework_user(demo.acorn)
            )
        response = demo.client_for("senco.acorn@oak.test").get(url)  # a new day, a new sign-in
        assert response.status_code == 200
        page = response.content.decode()
    assert "pasted again on 3 March 2026, after you saved these points (2 March 2026)" in page


def test_a_moving_pupil_takes_their_assessments_check_and_leaves_the_consultations_with_its_school(demo) -> None:
    from pupils.moves import record_move

    a = _served_assessment(demo, demo.acorn)
    senco = casework_user(demo.acorn)
    c = make_consultation(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        on_assessment = wording.record_wording(subject=a, received_on=TODAY, sections=VAGUE_DRAFT, actor=senco)
        on_consultation = wording.record_wording(subject=c, received_on=TODAY, sections=VAGUE_DRAFT, actor=senco)
        DraftWording.objects.filter(pk=on_consultation.pk).update(pupil=a.pupil)  # as if linked to the child
        record_move(pupil=a.pupil, to_school=demo.beech, moved_on=TODAY, actor=senco)
        on_assessment.refresh_from_db()
        on_consultation.refresh_from_db()
    assert on_assessment.school_id == demo.beech.pk == on_assessment.assessment.school_id
    assert on_consultation.school_id == demo.acorn.pk == on_consultation.consultation.school_id
    url = reverse("ehcp:wording_detail", kwargs={"pk": on_consultation.pk})
    assert demo.client_for("senco.acorn@oak.test").get(url).status_code == 200
