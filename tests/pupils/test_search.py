"""Finding a pupil from the header: by name in any order, partial, accents ignored, or by UPN; only the
pupils the person may open; two queries for the results whatever their number."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from pupils.models import Pupil
from pupils.search_text import normalise, search_text_for
from tests.factories import make_pupil, pupil_at
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db


def _search(demo: Any, email: str, q: str) -> Any:
    return demo.client_for(email).get(reverse("pupils:search"), {"q": q})


def _names(response: Any) -> list[str]:
    return [p.display_name for p in response.context["found"].pupils]


def test_normalise_drops_accents_case_and_apostrophes() -> None:
    assert normalise("  Zoë  O'Brien-Smith ") == "zoe obrien smith"
    assert normalise("ŁUKASZ Øster Straße") == "lukasz oster strasse"
    assert normalise("") == ""


@given(st.text(max_size=40))
def test_normalised_text_is_only_lowercase_words(text: str) -> None:
    out = normalise(text)
    assert out == out.strip()
    assert "  " not in out
    assert all(c.isdigit() or ("a" <= c <= "z") or c == " " for c in out)
    assert normalise(out) == out


def test_name_in_any_order_partial_and_without_accents(demo) -> None:
    pupil_at(demo, demo.acorn, legal_forename="Zoë", legal_surname="Journeyman-Ávila")
    pupil_at(demo, demo.acorn, legal_forename="Sam", legal_surname="Journeyman")
    assert _names(_search(demo, "senco.acorn@oak.test", "avila zoe")) == ["Zoë Journeyman-Ávila"]
    assert sorted(_names(_search(demo, "senco.acorn@oak.test", "JOURN"))) == ["Sam Journeyman", "Zoë Journeyman-Ávila"]
    assert _names(_search(demo, "senco.acorn@oak.test", "sam jou")) == ["Sam Journeyman"]
    page = _search(demo, "senco.acorn@oak.test", "sam jou").content.decode()
    assert "1 pupil found" in page


def test_preferred_names_are_found_and_the_legal_name_shown(demo) -> None:
    pupil_at(demo, demo.acorn, legal_forename="Alexander", legal_surname="Quill", preferred_forename="Xander")
    response = _search(demo, "senco.acorn@oak.test", "xand")
    assert _names(response) == ["Xander Quill"]
    assert "legal name Alexander Quill" in response.content.decode()


def test_upn_or_former_upn_opens_the_record(demo) -> None:
    pupil = pupil_at(demo, demo.acorn, former_upn="A999999999999")
    for q in (pupil.upn, pupil.upn.lower(), " A999999999999 "):
        response = _search(demo, "senco.acorn@oak.test", q)
        assert response.status_code == 302
        assert response["Location"] == reverse("pupils:record", kwargs={"pk": pupil.pk})


def test_each_person_finds_only_the_pupils_they_may_open(demo) -> None:
    mine = pupil_at(demo, demo.acorn, legal_surname="Findable")
    not_taught = make_pupil(demo.acorn, legal_surname="Findable")
    beech = make_pupil(demo.beech, legal_surname="Findable")
    willow = make_pupil(demo.willow, legal_surname="Findable")
    found = {
        email: {p.pk for p in _search(demo, email, "findable").context["found"].pupils}
        for email in ("senco.acorn@oak.test", "teacher.acorn@oak.test", "lead@oak.test", "lead@river.test")
    }
    assert found == {
        "senco.acorn@oak.test": {mine.pk, not_taught.pk},
        "teacher.acorn@oak.test": {mine.pk},
        "lead@oak.test": {mine.pk, not_taught.pk, beech.pk},
        "lead@river.test": {willow.pk},
    }
    # Another school's UPN opens nothing for Acorn's SENCO: it is not a match they may see.
    assert _search(demo, "senco.acorn@oak.test", beech.upn).status_code == 200
    assert _search(demo, "senco.acorn@oak.test", beech.upn).context["found"].total == 0


def test_too_short_query_says_what_to_enter(demo) -> None:
    response = _search(demo, "senco.acorn@oak.test", " é ")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter at least 2 letters of the pupil&#x27;s name, or their UPN." in page
    assert 'href="#search-q"' in page


def test_no_match_says_so_and_the_search_is_audited(demo) -> None:
    response = _search(demo, "senco.acorn@oak.test", "nobody-called-this")
    assert "No pupils found" in response.content.decode()
    with scopes_disabled():
        entry = AuditEntry.objects.filter(actor=demo.user("senco.acorn@oak.test")).latest("pk")
    assert entry.summary == "Pupil search (0 found)"


def test_the_header_search_is_on_staff_pages_only(demo) -> None:
    assert 'id="app-header-search"' in demo.client_for("ta.acorn@oak.test").get("/").content.decode()
    for email in ("governor.acorn@oak.test", "trustee@oak.test", "parent.acorn@oak.test"):
        assert 'id="app-header-search"' not in demo.client_for(email).get("/").content.decode(), email


@pytest.mark.parametrize("matches", [1, 3])
def test_search_query_count_is_constant(demo, django_assert_num_queries, matches: int) -> None:
    for _ in range(matches):
        pupil_at(demo, demo.acorn, legal_surname="Countable")
    client = demo.client_for("senco.acorn@oak.test")
    client.get(reverse("pupils:search"), {"q": "countable"})  # warm the session and caches
    with django_assert_num_queries(8):
        response = client.get(reverse("pupils:search"), {"q": "countable"})
    assert response.context["found"].total == matches


def test_every_write_path_keeps_search_text(demo) -> None:
    """save(), update_fields saves and the manager's bulk paths (the MIS import and seeds use them)."""
    pupil = make_pupil(demo.acorn, legal_forename="Ana", legal_surname="Nuñez")
    with scope(trust=demo.oak.pk):
        assert Pupil.objects.get(pk=pupil.pk).search_text == search_text_for(pupil)
        pupil.legal_surname = "Brontë"
        pupil.save(update_fields=["legal_surname"])
        assert "bronte" in Pupil.objects.get(pk=pupil.pk).search_text
        pupil.preferred_forename = "Annie"
        Pupil.objects.bulk_update([pupil], ["preferred_forename"])
        assert "annie" in Pupil.objects.get(pk=pupil.pk).search_text
        bulk = Pupil(**{**_fields(pupil), "upn": "B111111111111", "legal_surname": "Ødegaard"})
        Pupil.objects.bulk_create([bulk])
        assert "odegaard" in Pupil.objects.get(upn="B111111111111").search_text


def _fields(pupil: Pupil) -> dict[str, Any]:
    keep = ("trust_id", "school_id", "legal_forename", "date_of_birth", "gender", "year_group")
    return {k: getattr(pupil, k) for k in keep}


def test_the_mis_import_keeps_search_text(demo) -> None:
    """A surname changed by the import is found by the new name at once."""
    from pupils.importing import import_pupils

    pupil = make_pupil(demo.acorn, legal_forename="Ida", legal_surname="Oldname")
    header = "UPN,Legal Surname,Legal Forename,DOB,Gender,Year\n"
    row = f"{pupil.upn},Névname,Ida,{pupil.date_of_birth:%d/%m/%Y},F,Year 4\n"
    with scope(trust=demo.oak.pk):
        plan = import_pupils(
            school=demo.acorn, content=(header + row).encode(), actor=demo.user("senco.acorn@oak.test")
        )
    assert len(plan.updated) == 1
    assert _names(_search(demo, "senco.acorn@oak.test", "ida nevname")) == ["Ida Névname"]
    assert _search(demo, "senco.acorn@oak.test", "oldname").context["found"].total == 0
