"""One place for each thing: the school picker, the service-error helper and the date field are defined once,
in trusts, and every app uses them (issue #13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory

from trusts.forms import add_service_errors, date_field
from trusts.http import school_from_request

ROOT = Path(__file__).resolve().parents[2]
APPS = ["trusts", "pupils", "register", "graduated", "ehcp", "reviews", "reports"]
COPIES = {
    "a view's own copy of the service-error helper": re.compile(r"^def _?add_(service_)?errors\(", re.M),
    "a form module's own date field": re.compile(r"^def _?date(_field)?\(", re.M),
    "a view's own ?school= picker": re.compile(r"^def _?school_from_request\(", re.M),
}


@pytest.mark.parametrize("what", list(COPIES))
def test_no_app_keeps_its_own_copy(what: str) -> None:
    pattern = COPIES[what]
    found = [
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found in ([], ["trusts/forms.py"], ["trusts/http.py"]), f"{what}: {found}"


# Pickers still written by hand, in files another change owns; each moves to trusts.http.school_from_request.
PICKERS_LEFT: set[str] = set()


def test_no_other_view_reads_the_school_parameter_itself() -> None:
    found = {
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if 'GET.get("school")' in path.read_text(encoding="utf-8")
    }
    assert found - {"trusts/http.py"} <= PICKERS_LEFT


# Views that still copy the loop inline, in files another change owns; each moves to add_service_errors.
ERROR_LOOPS_LEFT: set[str] = set()


def test_no_other_view_copies_the_service_error_loop() -> None:
    found = {
        str(path.relative_to(ROOT))
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "form.add_error(None, message)" in path.read_text(encoding="utf-8")
    }
    assert found - {"trusts/forms.py"} <= ERROR_LOOPS_LEFT


def _pick(demo, email: str, action: str = "casework.view", **params: str):
    request = RequestFactory().get("/", params)
    request.user = demo.user(email)
    return school_from_request(request, action)


@pytest.mark.django_db
def test_the_school_picker_offers_only_schools_the_person_may_act_in(demo) -> None:
    school, schools = _pick(demo, "lead@oak.test")
    assert school == schools[0] and {s.pk for s in schools} == {demo.acorn.pk, demo.beech.pk}
    assert _pick(demo, "lead@oak.test", school=str(demo.beech.pk))[0] == demo.beech
    assert _pick(demo, "senco.acorn@oak.test")[0] == demo.acorn
    refused = [
        ("lead@oak.test", {"school": str(demo.willow.pk)}),  # another trust's school
        ("senco.acorn@oak.test", {"school": str(demo.beech.pk)}),  # a school of the trust that is not theirs
        ("lead@oak.test", {"school": "abc"}),
        ("lead@oak.test", {"school": "999999"}),
        ("governor.acorn@oak.test", {}),  # no casework anywhere
    ]
    for email, params in refused:
        with pytest.raises(Http404):
            _pick(demo, email, **params)


def test_service_errors_show_beside_their_field_and_the_rest_in_the_summary() -> None:
    class MeetingForm(forms.Form):
        held_on = date_field("Date of the meeting")

    form = MeetingForm({"held_on": "2026-03-27"})
    assert form.is_valid()
    add_service_errors(form, ValidationError({"held_on": "Too early.", "plan": "No plan."}))
    assert form.errors["held_on"] == ["Too early."] and form.non_field_errors() == ["No plan."]
    form = MeetingForm({"held_on": "2026-03-27"})
    form.is_valid()
    add_service_errors(form, ValidationError(["One.", "Two."]))
    assert form.non_field_errors() == ["One.", "Two."]


def test_the_date_field_names_itself_in_its_messages() -> None:
    class MeetingForm(forms.Form):
        held_on = date_field("Date of the meeting")
        review_on = date_field("Review date", required=False, missing="Enter the review date.")

    form = MeetingForm({"held_on": "2026-02-31"})
    assert form.errors["held_on"] == ["Enter the date of the meeting as a real date, for example 27 3 2026."]
    assert MeetingForm({}).errors["held_on"] == ["Enter the date of the meeting."]
    assert 'type="date"' in str(MeetingForm()["held_on"])
