"""Forms of annual reviews: what a person typed, checked with clear messages. The rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms

from trusts.forms import LONG_TEXT, date_field

from .models import Invitee, Recommendation
from .services import ActionInput, MeetingRecord


def text_field(label: str, *, help_text: str = "", required: bool = False, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": f"Enter {label[0].lower() + label[1:]}.",
            "max_length": "Keep this under 10,000 characters: attach longer documents to the pupil's record.",
        },
    )


class StartReviewForm(forms.Form):
    last_review_on = date_field(
        "Date of the last annual review meeting",
        required=False,
        help_text="Only if the plan has been reviewed before and that review is not recorded here. "
        "Leave empty to count 12 months from the date the plan was issued.",
    )


class MeetingDateForm(forms.Form):
    meeting_date = date_field("Date of the review meeting")


class InviteeForm(forms.Form):
    role = forms.ChoiceField(
        label="Their part in the review",
        choices=Invitee.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the person's part in the review."},
    )
    name = forms.CharField(
        label="Name",
        max_length=150,
        help_text="A person's name, or a service's (for example “CAMHS”).",
        error_messages={
            "required": "Enter the person's name.",
            "max_length": "Keep the name under 150 characters.",
        },
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        error_messages={"invalid": "Enter an email address in the right form, for example name@example.org."},
    )


class InvitationsForm(forms.Form):
    invitees: forms.ModelMultipleChoiceField[Invitee] = forms.ModelMultipleChoiceField(
        label="Who was the invitation sent to?",
        queryset=Invitee.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one person the invitation was sent to."},
    )
    sent_on = date_field("Date the invitations were sent")

    def __init__(self, *args: Any, invitees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["invitees"]
        field.queryset = invitees  # type: ignore[attr-defined]
        field.label_from_instance = lambda i: (  # type: ignore[attr-defined]
            f"{i.name} ({i.get_role_display()})"
            + (f", invited {i.invited_on:%-d %B %Y}" if i.invited_on else ", not yet invited")
        )


class AdviceForm(forms.Form):
    requested_on = date_field("Date advice was asked for", required=False)
    received_on = date_field("Date the advice arrived", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("requested_on") and not data.get("received_on"):
            raise forms.ValidationError("Enter when the advice was asked for, when it arrived, or both.")
        return data


class CirculateForm(forms.Form):
    circulated_on = date_field(
        "Date the advice was sent to everyone invited",
        help_text="The law asks for this at least 2 weeks before the meeting.",
    )


class MeetingRecordForm(forms.Form):
    held_on = date_field("Date the meeting took place")
    progress_on_outcomes = text_field(
        "Progress on outcomes", required=True, help_text="Progress towards each outcome in section E of the plan."
    )
    appreciated_admired = text_field("What is appreciated and admired")
    important_now = text_field("What is important now")
    important_future = text_field("What is important for the future")
    how_to_support = text_field("How best to support")
    questions_issues = text_field("Questions and issues")
    pupil_views = text_field("The pupil's views")
    parent_views = text_field("The parents' views")
    recommendation = forms.ChoiceField(
        label="What does the meeting recommend?",
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the meeting recommends: keep, amend or cease the plan."},
    )
    proposed_amendments = text_field(
        "Proposed amendments", help_text="Needed when the meeting recommends amending the plan."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("recommendation") == Recommendation.AMEND and not (data.get("proposed_amendments") or "").strip():
            self.add_error("proposed_amendments", "Describe the amendments the meeting proposes.")
        return data

    def record(self) -> MeetingRecord:
        d = self.cleaned_data
        return MeetingRecord(**{name: d.get(name) or "" for name in MeetingRecord.__dataclass_fields__})


class ActionForm(forms.Form):
    action = forms.CharField(
        label="Action", required=False, max_length=500, error_messages={"max_length": "Keep it under 500 characters."}
    )
    who = forms.CharField(
        label="Who", required=False, max_length=150, error_messages={"max_length": "Keep it under 150 characters."}
    )
    by_when = date_field("By when", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [
            bool((data.get("action") or "").strip()),
            bool((data.get("who") or "").strip()),
            bool(data.get("by_when")),
        ]
        if any(filled) and not all(filled) and not self.errors:
            if not filled[0]:
                self.add_error("action", "Say what will be done.")
            if not filled[1]:
                self.add_error("who", "Say who will do it.")
            if not filled[2]:
                self.add_error("by_when", "Enter the date it will be done by: every action is time-bound.")
        return data

    def to_input(self) -> ActionInput | None:
        d = getattr(self, "cleaned_data", {})
        if not d or not (d.get("action") or "").strip():
            return None
        return ActionInput(action=d["action"], who=d["who"], by_when=d["by_when"])


ActionFormSet = forms.formset_factory(ActionForm, extra=3, max_num=30, validate_max=True)


def action_inputs(formset: Any) -> list[ActionInput]:
    return [a for a in (f.to_input() for f in formset.forms) if a is not None]


class ReportSentForm(forms.Form):
    sent_on = date_field(
        "Date the report was sent",
        help_text="To the local authority and everyone invited to the meeting.",
    )


class LaDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="What did the local authority decide?",
        choices=Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the LA's decision: keep, amend or cease the plan."},
    )
    decided_on = date_field(
        "Date of the LA's decision",
        help_text="If the LA is amending the plan, the date it sent the proposed amendments with its decision.",
    )


class AmendmentsForm(forms.Form):
    parent_representations_on = date_field(
        "Date of the parent's representations",
        required=False,
        help_text="When the parent or young person replied to the proposed amendments.",
    )
    amended_plan_on = date_field("Date the final amended plan was issued", required=False)
    names_next_school = forms.BooleanField(label="The amended plan names the school the pupil moves to", required=False)

    def __init__(self, *args: Any, phase_transfer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not phase_transfer:
            del self.fields["names_next_school"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not data.get("parent_representations_on") and not data.get("amended_plan_on"):
            raise forms.ValidationError(
                "Enter the date of the parent's representations, of the final amended plan, or both."
            )
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Why is the review cancelled?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the plan ceased, or the pupil left the school.",
        error_messages={"required": "Say why the review is cancelled.", "max_length": "Keep it under 300 characters."},
    )


class SchoolFilterForm(forms.Form):
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, schools: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools"), *[(s.pk, s.name) for s in schools]]  # type: ignore[attr-defined]
