"""Forms for adding a document to a pupil's record and for giving someone access to one pupil's record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from trusts.models import User

from . import grants
from .documents import ACCEPT_ATTRIBUTE, check_upload, human_size, max_document_bytes
from .models import Document


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        error_messages={
            "required": "Choose a file to add.",
            "empty": "The file is empty. Choose the file again.",
            "invalid": "Choose a file to add.",
        },
    )
    title = forms.CharField(
        label="Title",
        max_length=200,
        required=False,
        help_text="For example “EP report, March 2026”. If you leave it empty, the file name is used.",
        error_messages={"max_length": "Keep the title to 200 characters or fewer."},
    )
    category = forms.ChoiceField(
        label="What kind of document is it?",
        choices=Document.Category.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of document this is."},
    )
    visibility = forms.ChoiceField(
        label="Who may see it?",
        choices=Document.Visibility.choices,
        widget=forms.RadioSelect,
        initial=Document.Visibility.STAFF,
        help_text="Staff only: the SENCO, headteacher and people given access to this record. "
        "Shared with parents: parents and carers will also see it in the parent portal.",
        error_messages={"required": "Choose who may see this document."},
    )

    def __init__(self, *args: Any, external: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "file"
        ].help_text = (
            f"A PDF, a Word document (.docx or .doc) or a PNG or JPEG image, up to {human_size(max_document_bytes())}."
        )
        self.fields["file"].widget.attrs["accept"] = ACCEPT_ATTRIBUTE
        if external:
            # A professional's upload is always their advice, seen by staff only (the service enforces it).
            del self.fields["category"]
            del self.fields["visibility"]

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        check_upload(uploaded)
        return uploaded


class _GrantForm(forms.Form):
    ends_on = forms.DateField(
        label="Access ends on",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the last day of access.", "invalid": "Enter a real date."},
    )
    reason = forms.CharField(
        label="Why do they need to see the record?",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example “Covering 4B while their teacher is on leave” or “EP assessment for the EHC "
        "needs assessment request”. This is kept in the access log.",
        error_messages={
            "required": "Say why this person needs to see the record.",
            "max_length": "Keep the reason to 300 characters or fewer.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = grants.latest_end_date()
        self.fields["ends_on"].help_text = (
            f"Access stops at the end of this day. It can be at most {grants.MAX_GRANT_MONTHS} months away "
            f"(on or before {grants.long_date(latest)})."
        )

    def clean_ends_on(self) -> Any:
        ends_on = self.cleaned_data["ends_on"]
        problem = grants.end_date_problem(ends_on)
        if problem:
            raise ValidationError(problem)
        return ends_on


class TeacherChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.email})" if obj.full_name else obj.email


class CoverGrantForm(_GrantForm):
    teacher = TeacherChoiceField(
        label="Teacher or teaching assistant",
        queryset=User.objects.none(),
        empty_label="Choose a person",
        error_messages={
            "required": "Choose the teacher or teaching assistant who needs access.",
            "invalid_choice": "Choose a teacher or teaching assistant from the list.",
        },
    )
    field_order = ["teacher", "ends_on", "reason"]

    def __init__(self, *args: Any, teachers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = teachers  # type: ignore[attr-defined]


class ExternalGrantForm(_GrantForm):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="Their work email address. We email them an invitation; they see the record once they accept it.",
        error_messages={
            "required": "Enter the professional's email address.",
            "invalid": "Enter an email address in the correct format, like name@example.org.",
        },
    )
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={
            "required": "Enter the professional's full name.",
            "max_length": "Keep the name to 150 characters or fewer.",
        },
    )
    profession = forms.CharField(
        label="Profession",
        max_length=100,
        widget=forms.TextInput(attrs={"list": "profession-suggestions", "autocomplete": "off"}),
        help_text="For example " + ", ".join(p.lower() for p in grants.COMMON_PROFESSIONS[:3]) + ".",
        error_messages={
            "required": "Enter their profession, for example educational psychologist.",
            "max_length": "Keep the profession to 100 characters or fewer.",
        },
    )
    field_order = ["email", "full_name", "profession", "ends_on", "reason"]
