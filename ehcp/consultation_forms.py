"""Forms of the consultation pages (ehcp.consultations): what the SENCO typed, with messages that name it.

Rules about the dates and the draft's file are the service's (every problem at once); these only read input.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from pupils.documents import ACCEPT_ATTRIBUTE, human_size, max_document_bytes
from pupils.models import Pupil
from trusts.forms import date_field
from trusts.models import School

from .consultations import OUTCOMES


class ConsultationForm(forms.Form):
    title = "Record a consultation"

    school = forms.ChoiceField(label="School consulted", error_messages={"required": "Choose the school consulted."})
    local_authority = forms.CharField(
        label="Local authority",
        max_length=100,
        error_messages={
            "required": "Enter the local authority that consulted the school.",
            "max_length": "Keep the local authority's name to 100 characters or fewer.",
        },
    )
    consulted_on = date_field(
        "Date the LA consulted the school",
        help_text="The day the consultation reached the school. The school replies within 15 days (A5).",
    )
    child_name = forms.CharField(
        label="Child's name",
        max_length=200,
        error_messages={
            "required": "Enter the child's name as the LA gave it.",
            "max_length": "Keep the name to 200 characters or fewer.",
        },
    )
    child_date_of_birth = date_field("Child's date of birth")
    draft = forms.FileField(
        label="Draft EHC plan",
        error_messages={"required": "Choose the draft plan the LA sent.", "empty": "The file is empty."},
    )

    def __init__(self, *args: Any, schools: list[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schools = {str(s.pk): s for s in schools}
        self.fields["school"].choices = [(str(s.pk), s.name) for s in schools]  # type: ignore[attr-defined]
        if len(schools) == 1:
            self.fields["school"].initial = str(schools[0].pk)
            self.fields["school"].widget = forms.HiddenInput()
        self.fields[
            "draft"
        ].help_text = f"A PDF, a Word document or an image, up to {human_size(max_document_bytes())}."
        self.fields["draft"].widget.attrs["accept"] = ACCEPT_ATTRIBUTE

    def chosen_school(self) -> School:
        return self.schools[self.cleaned_data["school"]]


class ReplyForm(forms.Form):
    title = "Record the school's reply"

    replied_on = date_field("Date the school replied", help_text="A late reply is recorded with its real date.")
    response = forms.CharField(
        label="The school's response",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you told the LA: whether the school can meet the child's needs, and why.",
        error_messages={"required": "Write the school's response: what you told the LA."},
    )


class OutcomeForm(forms.Form):
    title = "Record the LA's decision"

    outcome = forms.ChoiceField(
        label="What did the LA decide?",
        choices=list(OUTCOMES.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what the LA decided."},
    )
    on = date_field("Date of the LA's decision")
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        max_length=300,
        error_messages={"max_length": "Keep the notes to 300 characters or fewer."},
    )


class PupilChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.get_year_group_display()}, UPN {obj.upn})"


class LinkForm(forms.Form):
    title = "Link to the pupil's record"

    pupil = PupilChoiceField(
        label="Pupil",
        queryset=Pupil.objects.none(),
        empty_label="Choose the pupil",
        help_text="Pupils on roll at the school who were born on the child's date of birth.",
        error_messages={
            "required": "Choose the pupil this consultation is about.",
            "invalid_choice": "Choose a pupil from the list.",
        },
    )

    def __init__(self, *args: Any, pupils: QuerySet[Pupil], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils  # type: ignore[attr-defined]
        self.no_candidates = not pupils.exists()
