"""The form a parent fills in before a review (the questions are `pupils.contributions.QUESTIONS`)."""

from __future__ import annotations

from typing import Any

from django import forms

from .contributions import ANSWER_LIMIT, QUESTIONS, check_answers
from .documents import ACCEPT_ATTRIBUTE, check_upload, human_size, max_document_bytes


class ParentViewsForm(forms.Form):
    """Five open questions (answer at least one) and, if they wish, one report of their own per visit."""

    report = forms.FileField(
        label="Add a report",
        required=False,
        error_messages={"empty": "The file is empty. Choose the file again.", "invalid": "Choose a file to add."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = {
            q.name: forms.CharField(
                label=q.label,
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=f"{q.hint} Up to {ANSWER_LIMIT} characters.",
            )
            for q in QUESTIONS
        }
        report = self.fields.pop("report")
        report.help_text = (
            "For example a report from a speech therapist you pay for. "
            f"It can be a PDF, a Word file or a photo, up to {human_size(max_document_bytes())}. "
            "The school will see it, and so will you."
        )
        report.widget.attrs["accept"] = ACCEPT_ATTRIBUTE
        self.fields = {**fields, "report": report}  # type: ignore[assignment]

    def clean_report(self) -> Any:
        uploaded = self.cleaned_data.get("report")
        if uploaded:
            check_upload(uploaded)
        return uploaded

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _, problems = check_answers(data)
        for name, messages in problems.items():
            if name not in self.errors:
                self.add_error(name, messages)
        return data

    def answers(self) -> dict[str, str]:
        return {q.name: self.cleaned_data.get(q.name, "") for q in QUESTIONS}


def initial_from(contribution: Any) -> dict[str, str]:
    return {q.name: getattr(contribution, q.name) for q in QUESTIONS} if contribution else {}
