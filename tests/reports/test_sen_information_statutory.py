"""The SEN information report asks for everything the law says it must hold (CFA 2014 s.69(3); SEND Regulations
2014 Schedule 1; SEND Code of Practice 6.79 and 6.83): each item is a section the school writes, with guidance."""

from __future__ import annotations

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
