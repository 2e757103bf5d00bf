"""Forms of the data protection area: what a person typed, with clear messages."""

from __future__ import annotations

from django import forms

from pupils.models import LegalHold
from trusts.forms import date_field
from trusts.models import User

from .models import SubjectAccessRequest


class SignOffForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have checked there is no reason to keep this record, and it can be destroyed",
        error_messages={"required": "Tick the box to confirm the record can be destroyed."},
    )


class LegalHoldForm(forms.Form):
    kind = forms.ChoiceField(
        label="Why must the record be kept?",
        choices=LegalHold.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the record must be kept."},
    )
    reason = forms.CharField(
        label="Details",
        max_length=500,
        help_text="For example the tribunal's reference or the court order.",
        error_messages={"required": "Give the details of the hold."},
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=300, error_messages={"required": "Give a reason."})


class SubjectAccessForm(forms.Form):
    requester_kind = forms.ChoiceField(
        label="Who asked?",
        choices=SubjectAccessRequest.Requester.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Say who asked."},
    )
    requester_name = forms.CharField(
        label="Their name", max_length=150, error_messages={"required": "Give the name of the person who asked."}
    )
    received_on = date_field("Date the request was received")


class SentForm(forms.Form):
    sent_on = date_field("Date the reply was sent")


class LeadForm(forms.Form):
    user: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label="Data protection lead",
        queryset=None,  # type: ignore[arg-type]
        required=False,
        empty_label="The trust's inclusion leads",
    )

    def __init__(self, *args, staff=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff  # type: ignore[attr-defined]
