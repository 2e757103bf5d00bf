"""The public SEN information report page (no sign-in): only the published version, only that school, small
numbers hidden, no child named anywhere on it or in its PDF, cacheable, and the same few queries at any size."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from register.services import change_status
from reports.demo import LEFT_FOR_THIS_YEAR, WORDS, seed_sen_information
from reports.models import SenInformationReport
from reports.sen_information import current_report, publish_report, save_report
from reports.sen_sections import BY_KEY
from tests.factories import make_pupil
from tests.pdf_checks import assert_accessible
from tests.trusts.test_row_level_security import as_app_role  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def _page(school) -> str:
    return reverse("reports:public_sen_information", kwargs={"urn": school.urn})


def _pdf(school) -> str:
    return reverse("reports:public_sen_information_pdf", kwargs={"urn": school.urn})


def _on_support(pupils) -> None:
    for p in pupils:
        with scope(trust=p.trust_id):
            change_status(
                pupil=p, to_status="K", actor=None, reason="x", primary_need="SPLD",
                parents_told_on=timezone.localdate(), check_permission=False,
            )  # fmt: skip


def _publish(demo, school, email: str, **words: str) -> SenInformationReport:
    with scope(trust=school.trust_id):
        actor = demo.user(email)
        draft = save_report(report=current_report(school), values=WORDS | words, actor=actor)
        return publish_report(report=draft, actor=actor)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_anyone_reads_the_published_report_without_signing_in(demo) -> None:
    seed_sen_information({"schools": demo.schools, "users": demo.users})  # last year published, a draft now
    response = Client().get(_page(demo.acorn))
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert WORDS["accessibility_plan"] in text and BY_KEY["accessibility_plan"].title in text
    assert "Elklan" not in text  # this year's draft is not public
    assert "Published on 1 October" in text and "sessionid" not in response.cookies
    assert reverse("reports:public_sen_information_pdf", kwargs={"urn": demo.acorn.urn}) in response.content.decode()
    # cache-friendly: public for a few minutes, and a repeat visit is answered 304
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    again = Client().get(_page(demo.acorn), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""


def test_nothing_published_or_no_such_school_is_404(demo) -> None:
    with scope(trust=demo.oak.pk):  # a draft is not enough
        SenInformationReport.objects.create(trust=demo.oak, school=demo.beech, academic_year=2025, **WORDS)
    client = Client()
    unknown = ["/public/schools/999999/sen-information-report/", "/public/schools/12ab56/sen-information-report/"]
    for url in [_page(demo.beech), _pdf(demo.beech), _page(demo.willow), *unknown]:
        assert client.get(url).status_code == 404, url


def test_only_that_schools_words_and_figures_and_small_numbers_hidden(demo) -> None:
    acorn_pupils = [make_pupil(demo.acorn) for _ in range(7)]
    _on_support(acorn_pupils[:3])
    beech_pupils = [make_pupil(demo.beech) for _ in range(30)]
    _on_support(beech_pupils[:12])
    _publish(demo, demo.beech, "senco.beech@oak.test", wellbeing="Beech's own nurture words.")
    _publish(demo, demo.acorn, "senco.acorn@oak.test")
    html = Client().get(_page(demo.acorn)).content.decode()
    text = _text(html)
    assert "7 pupils on roll: fewer than 5 on SEN support (hidden)" in text
    assert "Specific learning difficulty: fewer than 5 on SEN support" in text
    assert "Beech" not in text and "30 pupils" not in text and "12 on SEN support" not in text
    beech = _text(Client().get(_page(demo.beech)).content.decode())
    assert "Beech's own nurture words." in beech and "30 pupils on roll: 12 on SEN support (40%)" in beech


def test_no_child_is_named_on_the_page_or_in_the_pdf(demo) -> None:
    pupils = [make_pupil(demo.acorn) for _ in range(8)]
    _on_support(pupils[:6])
    _publish(demo, demo.acorn, "senco.acorn@oak.test")
    client = Client()
    html = client.get(_page(demo.acorn)).content.decode()
    # crawl every link of the public page that stays on it (the PDF)
    links = [u for u in re.findall(r'href="([^"#]+)"', html) if u.startswith("/public/")]
    assert links == [_pdf(demo.acorn)]
    pdf = client.get(links[0])
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for published in (html, pdf_text):
        for p in pupils:
            initials = f"{p.legal_forename[0]}.{p.legal_surname[0]}."
            for secret in (p.legal_surname, p.legal_forename, p.upn, initials):
                assert secret not in published


def test_the_public_pdf_is_accessible_and_has_the_statutory_sections(demo) -> None:
    _publish(demo, demo.acorn, "senco.acorn@oak.test")
    response = Client().get(_pdf(demo.acorn))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert_accessible(response.content, title=f"SEN information report – {demo.acorn.name}")
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    for key in ("disabled_admissions", "disabled_treatment", "disabled_facilities", "accessibility_plan",
                "equipment_facilities", "parent_support", "adaptations", "additional_support"):  # fmt: skip
        assert BY_KEY[key].title in text, key
    assert "Northshire SENDIASS" in text


def test_a_draft_pdf_for_staff_has_the_sections_written_so_far(demo) -> None:
    seed_sen_information({"schools": demo.schools, "users": demo.users})
    pdf = demo.client_for("senco.acorn@oak.test").get(reverse("reports:sen_information_pdf"))
    text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "draft" in text and "Elklan" in text and BY_KEY["disabled_facilities"].title in text
    for key in LEFT_FOR_THIS_YEAR:
        assert BY_KEY[key].title not in text


def test_the_public_page_reads_the_same_few_queries_at_any_size(demo) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(_page(demo.acorn)).status_code == 200
        return len(queries)

    _on_support([make_pupil(demo.acorn) for _ in range(2)])
    _publish(demo, demo.acorn, "senco.acorn@oak.test")
    small = count()
    _on_support([make_pupil(demo.acorn) for _ in range(25)])
    with scope(trust=demo.oak.pk):  # a second year's report, with more figures behind it
        SenInformationReport.objects.filter(school=demo.acorn).update(academic_year=2020)
    _publish(demo, demo.acorn, "senco.acorn@oak.test")
    assert count() == small <= 4


def test_under_row_level_security_the_page_reads_the_schools_own_trust(demo, as_app_role) -> None:  # noqa: F811 - the fixture
    """As the application's database role: the URN lookup finds the school, and the page then works pinned to
    its trust, for an anonymous visitor and for someone signed in to another trust alike."""
    _publish(demo, demo.acorn, "senco.acorn@oak.test", wellbeing="Acorn's own words under RLS.")
    for client in (Client(), demo.client_for("lead@river.test")):
        response = client.get(_page(demo.acorn))
        assert response.status_code == 200 and "Acorn&#x27;s own words under RLS." in response.content.decode()
        assert client.get(_page(demo.willow)).status_code == 404
