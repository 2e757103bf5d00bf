"""The access arrangement form: what a SENCO types, checked for shape here; the rules live in
graduated.services.arrangements (messages keyed to these field names)."""

from __future__ import annotations

from typing import Any

from django import forms

from pupils.documents import ACCEPT_ATTRIBUTE
from trusts.forms import date_field

from .models import AccessArrangement


def _text(label: str, *, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=False, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


def _line(label: str, *, max_length: int, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=help_text)


class ArrangementForm(forms.Form):
    kind = forms.ChoiceField(
        label="Arrangement or adjustment",
        choices=[("", "Choose one")] + list(AccessArrangement.Kind.choices),
        error_messages={"required": "Choose the arrangement or adjustment."},
    )
    extra_time_percent = forms.IntegerField(
        label="Extra time (%)",
        required=False,
        help_text="For extra time only. 25% is standard; over 25% (up to 50%) needs exceptional evidence.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-3"}),
        error_messages={"invalid": "Enter the extra time as a whole number of per cent, for example 25."},
    )
    details = _text(
        "Details",
        help_text="What it means in practice and for which subjects. Needed for a classroom adjustment "
        "or another arrangement.",
    )
    exceptional_evidence = _text("Exceptional evidence (over 25% extra time)")
    normal_way_of_working = _text(
        "Evidence: normal way of working", help_text="How the pupil works in class and tests now, and since when."
    )
    standardised_scores = _text(
        "Evidence: standardised scores",
        help_text="Test, date and score, for example: TOWRE-2 reading speed, 12 May 2026, 78.",
    )
    specialist_report = _text("Evidence: specialist report", help_text="Who wrote it and when.")
    assessor_name = _line("Assessed by (name)", max_length=150)
    assessor_qualification = _line(
        "Assessor's qualification",
        max_length=200,
        help_text="For example: specialist teacher (Level 7 assessment qualification), educational psychologist.",
    )
    form8_completed_on = date_field("Date JCQ Form 8 was completed", required=False)
    form8_completed_by = _line("JCQ Form 8 completed by", max_length=150)
    form8_file = forms.FileField(
        label="Upload the completed Form 8",
        required=False,
        help_text="At secondary, for extra time, a reader, a scribe, speech recognition or modified language "
        "papers. PDF, Word or an image; kept on the pupil's record for staff only.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    status = forms.ChoiceField(
        label="Status",
        choices=AccessArrangement.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether it is proposed, granted, to review or ended."},
    )
    granted_on = date_field("Date granted", required=False)
    review_on = date_field("Review date", required=False)
    ended_on = date_field("Date ended", required=False, help_text="Only when it has ended (today if blank).")

    def __init__(self, *args: Any, arrangement: AccessArrangement | None = None, **kwargs: Any) -> None:
        if arrangement is not None:
            kwargs.setdefault("initial", {k: getattr(arrangement, k) for k in self.base_fields if k != "form8_file"})
        else:
            kwargs.setdefault("initial", {"status": AccessArrangement.Status.PROPOSED})
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        """The cleaned fields as the services take them."""
        data = dict(self.cleaned_data)
        data["form8_file"] = data.get("form8_file") or None
        return data


class ListFilterForm(forms.Form):
    show = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Arrangements in place, proposed or to review"), ("all", "Also those that have ended")],
    )
