"""The SEN information report asks for everything the law says it must hold (CFA 2014 s.69(3); SEND Regulations
2014 Schedule 1; SEND Code of Practice 6.79 and 6.83): each item is a section the school writes, with guidance."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# The items the law lists, in the law's own words (shortened), and words a section covering each must carry.
STATUTORY_ITEMS = {
    "s.69(3)(b) admission": "admission of disabled pupils",
    "s.69(3)(b) less favourable treatment": "treated less favourably",
    "s.69(3)(b) facilities for access": "facilities provided to help disabled pupils",
    "s.69(3)(b) accessibility plan": "accessibility plan",
    "Sch.1 para 3(d) adapting the curriculum": "adapts the curriculum",
    "Sch.1 para 3(e) additional support": "additional support for learning",
    "Sch.1 para 6 equipment and facilities": "equipment and facilities",
    "Sch.1 para 11 support services for parents": "support services for parents",
}


def test_the_report_page_asks_for_every_statutory_item(demo) -> None:
    page = demo.client_for("senco.acorn@oak.test").get(reverse("reports:sen_information")).content.decode()
    missing = {item: words for item, words in STATUTORY_ITEMS.items() if words not in page}
    assert missing == {}


# Where the law lists what the report must hold, item by item; each must be the source of exactly one section.
SCHEDULE_1 = ["para 1", "para 2"] + [f"para 3({c})" for c in "abcdefg"] + [f"para {n}" for n in range(4, 14)]
SECTION_69_3_B = ["admission", "less favourably", "facilities", "accessibility plan"]


def test_the_sections_cover_schedule_1_and_section_69_3_b() -> None:
    from reports.sen_sections import SECTIONS

    cited = [(s.key, item) for s in SECTIONS for item in re.findall(r"Sch\.1 (para \d+(?:\([a-g]\))?)", s.source)]
    by_paragraph = {item: [key for key, cites in cited if cites == item] for item in SCHEDULE_1}
    assert {item: keys for item, keys in by_paragraph.items() if len(keys) != 1} == {}
    assert {item for _, item in cited} == set(SCHEDULE_1)  # nothing cites a paragraph Schedule 1 does not have
    disability = [s for s in SECTIONS if "s.69(3)(b)" in s.source]
    for words in SECTION_69_3_B:
        assert [s.key for s in disability if words in f"{s.title} {s.hint}".lower()], words
    assert all("Code of Practice 6.83" in s.source for s in disability) and len(disability) == 4
    assert [s.key for s in SECTIONS if "Equality Act 2010 Sch.10 para 3" in s.source] == ["accessibility_plan"]
    # every "must" item blocks publishing; the Code's "should" (6.80 alone) does not
    assert {s.key for s in SECTIONS if not s.required} == {"local_offer_contribution"}
    assert all(s.hint.strip() and s.source.strip() for s in SECTIONS)


def test_the_model_keeps_a_field_for_each_written_section_and_no_other_words() -> None:
    from reports.models import SenInformationReport
    from reports.sen_sections import FIELDS, WRITTEN

    words = {
        f.name
        for f in SenInformationReport._meta.get_fields()
        if f.get_internal_type() in {"TextField", "CharField", "URLField"}
    }
    assert words == set(FIELDS)
    assert [s.kind for s in WRITTEN if s.key == "local_offer"] == ["link"]


def test_every_section_shows_its_source_and_hint_in_the_form(demo) -> None:
    from reports.sen_sections import WRITTEN

    page = demo.client_for("senco.acorn@oak.test").get(reverse("reports:sen_information")).content.decode()
    for section in WRITTEN:
        assert f'id="id_{section.key}"' in page
        assert f"{section.hint} The law: {section.source}." in page.replace("&#x27;", "'"), section.key
