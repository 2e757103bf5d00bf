"""The SEN information report's drafts, publishing and yearly versions: publishing is refused while a required
section is empty (with the list), a published version never changes, and last year's words start the new year."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from reports.demo import LEFT_FOR_THIS_YEAR, WORDS, seed_sen_information
from reports.models import SenInformationReport
from reports.sen_information import NotComplete, current_report, publish_report, published_report, save_report
from reports.sen_sections import BY_KEY

pytestmark = pytest.mark.django_db
URL = reverse("reports:sen_information")


def _versions(demo) -> list[SenInformationReport]:
    with scope(trust=demo.oak.pk):
        return list(SenInformationReport.objects.filter(school=demo.acorn).order_by("academic_year", "version"))


def test_the_page_lists_the_empty_sections_with_links_and_publishing_is_refused(demo) -> None:
    seed_sen_information({"schools": demo.schools, "users": demo.users})
    client = demo.client_for("senco.acorn@oak.test")
    page = client.get(URL).content.decode()
    for key in LEFT_FOR_THIS_YEAR:
        assert f'<a class="govuk-link" href="#id_{key}">{BY_KEY[key].title}</a>' in page
    assert "Still to write before you publish (2)" in page

    draft = _versions(demo)[-1]
    values = {key: getattr(draft, key) for key in WORDS} | {"wellbeing": "Nurture group every lunchtime."}
    response = client.post(URL, values | {"publish": ""})
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    for key in LEFT_FOR_THIS_YEAR:  # each in the error summary, linked to its field
        assert f'<a href="#id_{key}">Write this section before you publish' in page
    latest = _versions(demo)[-1]
    assert latest.pk == draft.pk and not latest.is_published  # not published...
    assert latest.wellbeing == "Nurture group every lunchtime."  # ...but the words typed are kept
    with scope(trust=demo.oak.pk):
        assert published_report(demo.acorn).academic_year == draft.academic_year - 1

    response = client.post(URL, values | {key: "Written now." for key in LEFT_FOR_THIS_YEAR} | {"publish": ""})
    assert response.status_code == 302
    latest = _versions(demo)[-1]
    assert latest.is_published and latest.published_by == demo.user("senco.acorn@oak.test")
    assert latest.figures["roll"] == "0"
    page = client.get(URL).content.decode()
    assert page.count('govuk-tag--green">Published') == 2


def test_the_service_refuses_each_gap_and_writes_nothing(oak_scope) -> None:
    demo = oak_scope
    senco = demo.user("senco.acorn@oak.test")
    report = save_report(report=current_report(demo.acorn), values=WORDS | {"complaints": "  "}, actor=senco)
    with pytest.raises(NotComplete) as refused:
        publish_report(report=report, actor=senco)
    assert [s.key for s in refused.value.missing] == ["complaints"]
    assert "How to complain about SEN provision" in refused.value.messages[0]
    report.refresh_from_db()
    assert report.published_at is None and report.figures is None
    # the Code's "should" section is not required
    report = save_report(report=report, values=WORDS | {"local_offer_contribution": ""}, actor=senco)
    publish_report(report=report, actor=senco)
    with pytest.raises(ValidationError):  # published once only
        publish_report(report=report, actor=senco)


def test_a_published_version_never_changes_and_edits_make_a_new_draft(oak_scope) -> None:
    demo = oak_scope
    senco = demo.user("senco.acorn@oak.test")
    first = publish_report(
        report=save_report(report=current_report(demo.acorn), values=WORDS, actor=senco), actor=senco
    )
    frozen = SenInformationReport.objects.get(pk=first.pk)
    frozen.complaints = "Changed behind the report's back."
    with pytest.raises(ValueError, match="never changed"):
        frozen.save()
    with pytest.raises(ValueError):
        frozen.delete()

    draft = current_report(demo.acorn)
    assert draft.pk is None and draft.version == 2 and draft.complaints == WORDS["complaints"]
    second = save_report(report=frozen, values=WORDS | {"complaints": "New steps."}, actor=senco)  # given the old
    assert second.pk != first.pk and second.version == 2 and not second.is_published
    assert SenInformationReport.objects.get(pk=first.pk).complaints == WORDS["complaints"]
    assert published_report(demo.acorn).pk == first.pk  # the public page keeps the published words
    publish_report(report=second, actor=senco)
    assert published_report(demo.acorn).pk == second.pk


def test_last_years_published_words_start_the_new_year_as_version_1(oak_scope) -> None:
    demo = oak_scope
    year = current_report(demo.acorn).academic_year
    SenInformationReport.objects.create(
        trust=demo.oak, school=demo.acorn, academic_year=year - 1, version=3, complaints="Speak to the SENCO first."
    )
    draft = current_report(demo.acorn)
    assert (draft.academic_year, draft.version, draft.complaints) == (year, 1, "Speak to the SENCO first.")


def test_the_history_lists_each_version_and_each_is_readable(demo) -> None:
    seed_sen_information({"schools": demo.schools, "users": demo.users})
    last_year, this_year = _versions(demo)
    governor = demo.client_for("governor.acorn@oak.test")
    page = governor.get(URL).content.decode()
    for v in (last_year, this_year):
        assert reverse("reports:sen_information_version", kwargs={"pk": v.pk}) in page
    assert "by Priya Sharma" in page
    old = governor.get(reverse("reports:sen_information_version", kwargs={"pk": last_year.pk})).content.decode()
    assert WORDS["accessibility_plan"] in old and "Published</strong> on 1 October" in old
    draft = governor.get(reverse("reports:sen_information_version", kwargs={"pk": this_year.pk})).content.decode()
    assert "Draft" in draft and "2 required sections still to write" in draft
    assert WORDS["accessibility_plan"] not in draft


def test_a_governor_reads_but_cannot_publish(demo) -> None:
    seed_sen_information({"schools": demo.schools, "users": demo.users})
    client = demo.client_for("governor.acorn@oak.test")
    assert client.post(URL, WORDS | {"publish": ""}).status_code == 404
    assert [v.is_published for v in _versions(demo)] == [True, False]
