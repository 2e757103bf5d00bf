"""Forms of the MIS import pages: the upload and a SENCO's decision on a possible leaver."""

from __future__ import annotations

from typing import Any

from django import forms

from trusts.models import School

from .importing import GROUP_COLUMNS, MAX_FILE_BYTES, PUPIL_COLUMNS, FileProblem, read_table

PUPILS, GROUPS = "pupils", "groups"
KIND_CHOICES = [(PUPILS, "Pupils"), (GROUPS, "Teaching groups")]


class UploadForm(forms.Form):
    """A CSV file for one school. Whole-file problems are found here; row problems on the preview."""

    school = forms.TypedChoiceField(
        coerce=int,
        label="School",
        error_messages={
            "required": "Choose the school the file is for.",
            "invalid_choice": "Choose one of the schools in the list.",
        },
    )
    kind = forms.ChoiceField(
        label="What does the file list?",
        choices=KIND_CHOICES,
        initial=PUPILS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the file lists pupils or teaching groups.",
            "invalid_choice": "Choose whether the file lists pupils or teaching groups.",
        },
    )
    full = forms.BooleanField(
        required=False,
        label="This file lists every pupil on roll (a full import)",
        help_text="Pupils of the school who are not in the file are listed as possible leavers for you to "
        "check. Nobody is deleted. Only for pupils files.",
    )
    file = forms.FileField(
        label="CSV file",
        help_text="Exported from SIMS, Arbor or Bromcom as CSV, 10 MB at most.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty. Export the list from your MIS again and upload that file.",
        },
    )

    def __init__(self, *args: Any, schools: list[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.schools = {s.pk: s for s in schools}
        field = self.fields["school"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "Choose a school")] + [(s.pk, s.name) for s in schools]
        if len(schools) == 1:
            field.widget = forms.HiddenInput()
            field.initial = schools[0].pk
        self.content = b""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if data.get("kind") != PUPILS:
            data["full"] = False
        if upload is None or "kind" not in data:
            return data
        if upload.size > MAX_FILE_BYTES:
            self.add_error(
                "file",
                f"The file is {upload.size / 1024 / 1024:.1f} MB: the largest file you can import is 10 MB. "
                "Split it into smaller files, or leave out columns you do not need.",
            )
            return data
        self.content = upload.read()
        try:
            read_table(self.content, PUPIL_COLUMNS if data["kind"] == PUPILS else GROUP_COLUMNS)
        except FileProblem as exc:
            self.add_error("file", exc.message)
        return data

    def chosen_school(self) -> School:
        return self.schools[self.cleaned_data["school"]]


class LeaverDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("left", "The pupil has left"), ("in_school", "The pupil is still in school")],
        error_messages={"required": "Choose whether the pupil has left or is still in school."},
    )
    leaving_date = forms.DateField(
        required=False,
        error_messages={"invalid": "Enter the leaving date as a real date, for example 20/07/2026."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "left" and not data.get("leaving_date") and "leaving_date" not in self.errors:
            self.add_error("leaving_date", "Enter the date the pupil left.")
        return data
