"""The pupil's "All about me" one-page profile: written with an adult, kept as versions, read where the
pupil's support is planned (the record, the passport, the annual review) and by their parents."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from pupils import voice
from pupils.models import AllAboutMe
from tests.factories import make_pupil, pupil_at
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db

ANSWERS = {
    "liked_admired": "I am kind and I make people laugh.",
    "important_to_me": "My dog Biscuit and my nan.",
    "what_helps": "When someone shows me the first step.",
    "what_does_not_help": "Loud rooms.",
    "hopes": "I want to be a vet.",
    "get_better_at": "Reading on my own.",
    "communication": "",
}


def _write(demo, pupil, email="ta.acorn@oak.test", **changes):
    actor = demo.user(email)
    with scope(trust=pupil.trust_id):
        return voice.record_all_about_me(
            pupil=pupil,
            actor=actor,
            answers={**ANSWERS, **changes.pop("answers", {})},
            helper_name=changes.pop("helper_name", actor.full_name),
            helper_role=changes.pop("helper_role", "Teaching assistant"),
            words=changes.pop("words", AllAboutMe.Words.OWN),
            **changes,
        )


def test_a_ta_records_a_profile_with_their_own_pupil_and_it_is_audited(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    profile = _write(demo, pupil)
    assert profile.recorded_by == demo.user("ta.acorn@oak.test")
    assert profile.helper_name == "Lucy Evans" and profile.where == AllAboutMe.Where.SCHOOL
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="create", pupil_id=pupil.pk, object_type="pupils.AllAboutMe").exists()


def _refusal(demo, pupil, email="ta.acorn@oak.test", **changes) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        _write(demo, pupil, email, **changes)
    return caught.value.message_dict if hasattr(caught.value, "error_dict") else {"__all__": caught.value.messages}


def test_each_save_is_a_new_version_and_the_newest_is_the_latest(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    first = _write(demo, pupil, answers={"hopes": "To be a footballer."})
    second = _write(demo, pupil, "senco.acorn@oak.test", helper_role="SENCO")
    with scope(trust=demo.oak.pk):
        assert voice.latest_for(pupil) == second
        assert voice.history_of(pupil) == [second, first]
        first.refresh_from_db()
    assert first.hopes == "To be a footballer."  # the earlier version is kept as it was
    text = voice.as_pupil_views(second)
    assert "My hopes: I want to be a vet." in text and "Priya Sharma, SENCO" in text and "own words" in text


def test_bad_input_is_refused_with_every_problem_and_nothing_written(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    empty = {f: "  " for f in voice.FIELDS}
    problems = _refusal(
        demo, pupil, answers={**empty, "hopes": "x" * 1005}, helper_name="", words="", completed_on=date(2099, 1, 1)
    )
    assert problems["hopes"] == ["“My hopes” must be 1,000 characters or fewer. It has 1,005: shorten it by 5."]
    assert problems["helper_name"] == ["Enter the name of the adult who helped."]
    assert "words" in problems and "completed_on" in problems
    assert _refusal(demo, pupil, answers=empty)["__all__"][0].startswith("Write something in at least one section")
    with scopes_disabled():
        assert not AllAboutMe.objects.filter(pupil=pupil).exists()


def test_only_the_people_who_work_with_the_pupil_may_write_it(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    not_in_their_group = make_pupil(demo.acorn)
    assert _refusal(demo, not_in_their_group)  # the TA does not support this pupil
    for email in ("governor.acorn@oak.test", "trustee@oak.test", "senco.beech@oak.test", "lead@river.test"):
        assert _refusal(demo, pupil, email), email
    # The parent: not "at school", but at home with their own child, and marked so.
    assert _refusal(demo, pupil, "parent.acorn@oak.test")
    at_home = _write(demo, pupil, "parent.acorn@oak.test", helper_role="Mum", at_home=True)
    assert at_home.where == AllAboutMe.Where.HOME
    assert _refusal(demo, not_in_their_group, "parent.acorn@oak.test", at_home=True)


# Pages ---------------------------------------------------------------------------------------------------


def _form(**changes) -> dict[str, str]:
    return {
        **ANSWERS,
        "completed_on": date.today().isoformat(),
        "helper_name": "Lucy Evans",
        "helper_role": "Teaching assistant",
        "words": "own",
        **changes,
    }


def test_a_ta_opens_it_from_the_record_and_completes_it_with_the_pupil(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = demo.client_for("ta.acorn@oak.test")
    record = client.get(reverse("pupils:record", args=[pupil.pk])).content.decode()
    assert "has not done their All about me yet" in record
    assert reverse("pupils:all_about_me", args=[pupil.pk]) in record
    form = client.get(reverse("pupils:all_about_me_new", args=[pupil.pk])).content.decode()
    assert 'value="Lucy Evans"' in form and 'value="Teaching assistant"' in form  # who helped, started for them
    assert "What do grown-ups do that helps you learn" in form and 'data-maxlength="1000"' in form
    response = client.post(reverse("pupils:all_about_me_new", args=[pupil.pk]), _form())
    assert response.status_code == 302 and response["Location"] == reverse("pupils:all_about_me", args=[pupil.pk])
    page = client.get(response["Location"]).content.decode()
    assert "My dog Biscuit and my nan." in page and "with Lucy Evans (Teaching assistant)" in page
    assert "The pupil&#x27;s own words" in page
    record = client.get(reverse("pupils:record", args=[pupil.pk])).content.decode()
    assert "last completed on" in record and "All about me completed at school with Lucy Evans." in record
    with scopes_disabled():
        reads = AuditEntry.objects.filter(pupil_id=pupil.pk, action="view", summary__startswith="All about me")
        assert reads.count() == 2  # the form and the profile page


def test_the_form_explains_what_is_wrong_and_shows_script_as_text(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = demo.client_for("ta.acorn@oak.test")
    url = reverse("pupils:all_about_me_new", args=[pupil.pk])
    empty = client.post(url, _form(**{f: "" for f in voice.FIELDS})).content.decode()
    assert "There is a problem" in empty and "Write something in at least one section" in empty
    long = client.post(url, _form(hopes="a" * 1200)).content.decode()
    assert 'href="#id_hopes"' in long and "must be 1,000 characters or fewer. It has 1,200" in long
    assert "a" * 1200 in long  # what the pupil said is not lost
    assert client.post(url, _form(hopes="<script>alert(1)</script>")).status_code == 302
    page = client.get(reverse("pupils:all_about_me", args=[pupil.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page


def test_the_passport_shows_the_latest_profile(demo) -> None:
    from tests.permission_cases.graduated import active_cycle

    cycle = active_cycle(demo, demo.acorn)
    pupil = cycle.pupil
    client = demo.client_for("teacher.acorn@oak.test")
    url = reverse("graduated:passport", args=[pupil.pk])
    assert "has not done their All about me yet" in client.get(url).content.decode()
    _write(demo, pupil, answers={"what_helps": "An old answer."})
    _write(demo, pupil)
    page = client.get(url).content.decode()
    assert "All about me, in" in page and "When someone shows me the first step." in page
    assert "An old answer." not in page and "Give instructions one step at a time" in page


def test_the_senco_uses_it_for_the_reviews_pupil_views_in_one_action(demo) -> None:
    from tests.permission_cases.reviews import make_review

    review = make_review(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    detail = reverse("reviews:detail", args=[review.pk])
    use = reverse("reviews:use_all_about_me", args=[review.pk])
    assert "has no All about me yet" in client.get(detail).content.decode()
    refused = client.post(use, follow=True).content.decode()
    assert "has no All about me yet. Complete it with them first." in refused
    _write(demo, review.pupil, "senco.acorn@oak.test", helper_name="Priya Sharma", helper_role="SENCO")
    page = client.get(detail).content.decode()
    assert "with Priya Sharma (SENCO)" in page and "Use it for the pupil's views" in page
    assert client.post(use).status_code == 302
    review.refresh_from_db()
    assert review.pupil_views.startswith("What people like about me: I am kind")
    assert "Priya Sharma, SENCO" in review.pupil_views
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="change", object_id=str(review.pk), pupil_id=review.pupil_id).exists()
    sent = make_review(demo, demo.acorn, stage="report_sent")
    _write(demo, sent.pupil, "senco.acorn@oak.test")
    before = sent.pupil_views
    answer = client.post(reverse("reviews:use_all_about_me", args=[sent.pk]), follow=True).content.decode()
    assert "The report has been sent" in answer
    sent.refresh_from_db()
    assert sent.pupil_views == before


def test_a_parent_reads_it_in_the_portal_and_completes_it_at_home(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    _write(demo, pupil)
    client = demo.client_for("parent.acorn@oak.test")
    child = client.get(reverse("reports:portal_child", args=[pupil.pk])).content.decode()
    assert "My dog Biscuit and my nan." in child and "did this with Lucy Evans" in child
    url = reverse("reports:portal_all_about_me", args=[pupil.pk])
    form = client.get(url).content.decode()
    assert 'value="Emma Clarke"' in form and 'value="Mother"' in form and "My dog Biscuit" in form
    done = client.post(url, _form(helper_name="Emma Clarke", helper_role="Mum", hopes="To swim 25 metres."))
    assert done.status_code == 302 and done["Location"] == reverse("reports:portal_child", args=[pupil.pk])
    with scope(trust=demo.oak.pk):
        latest = voice.latest_for(pupil)
    assert (
        latest is not None and latest.where == AllAboutMe.Where.HOME and latest.recorded_by.email.startswith("parent")
    )
    staff = demo.client_for("ta.acorn@oak.test").get(reverse("pupils:all_about_me", args=[pupil.pk])).content.decode()
    assert "at home with a parent or carer with Emma Clarke (Mum)" in staff and "To swim 25 metres." in staff


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_showing_it_keep_their_query_counts_however_many_versions(demo) -> None:
    from tests.permission_cases.graduated import active_cycle
    from tests.permission_cases.reviews import make_review

    client = demo.client_for("senco.acorn@oak.test")
    small, big = active_cycle(demo, demo.acorn).pupil, active_cycle(demo, demo.acorn).pupil
    review_small, review_big = make_review(demo, demo.acorn), make_review(demo, demo.acorn)
    _write(demo, small, "senco.acorn@oak.test")
    _write(demo, review_small.pupil, "senco.acorn@oak.test")
    for _ in range(4):
        _write(demo, big, "senco.acorn@oak.test")
        _write(demo, review_big.pupil, "senco.acorn@oak.test")
    for name in ("pupils:record", "graduated:passport", "pupils:all_about_me", "pupils:all_about_me_new"):
        key = "pk" if name == "pupils:record" else "pupil_id"
        one = _queries(client, reverse(name, kwargs={key: small.pk}))
        assert _queries(client, reverse(name, kwargs={key: big.pk})) == one, name
    one = _queries(client, reverse("reviews:detail", args=[review_small.pk]))
    assert _queries(client, reverse("reviews:detail", args=[review_big.pk])) == one


def test_the_questions_a_child_reads_are_plain_words() -> None:
    from tests.test_plain_words import TEMPLATES, fixed_text, problems

    questions = "\n".join(f"{s.heading}\n{s.prompt}" for s in voice.SECTIONS)
    assert problems("the All about me questions", questions) is None
    form = fixed_text((TEMPLATES / "pupils/voice/_fields.html").read_text())
    assert problems("pupils/voice/_fields.html", form) is None


def test_a_support_cycles_review_starts_the_pupils_views_with_their_all_about_me(demo) -> None:
    from tests.permission_cases.graduated import active_cycle

    cycle = active_cycle(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("graduated:review", args=[cycle.pk])
    assert "has no" in client.get(url).content.decode()
    _write(demo, cycle.pupil)
    page = client.get(url).content.decode()
    assert "The pupil's views start with" in page
    assert "What helps me: When someone shows me the first step." in page  # in the pupil's views box


def test_every_version_is_in_a_subject_access_export(demo) -> None:
    from pupils.retention import pupils_own_rows

    pupil = pupil_at(demo, demo.acorn)
    _write(demo, pupil, answers={"hopes": "First hope."})
    _write(demo, pupil)
    with scope(trust=demo.oak.pk):
        rows = [r for kind in pupils_own_rows(pupil).values() for r in kind if "hopes" in r]
    assert sorted(r["hopes"] for r in rows) == ["First hope.", "I want to be a vet."]
