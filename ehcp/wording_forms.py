"""Forms of the wording checks (ehcp.wording): the LA's text as pasted, and the points for the reply."""

from __future__ import annotations

from typing import Any

from django import forms

from trusts.forms import date_field

from .models import SECTIONS
from .wording import CHECKED_LETTERS, MAX_POINTS_CHARS, Kind, nothing_pasted


class WordingForm(forms.Form):
    """The date the wording arrived and sections A to K; B, E and F (the ones the rules read) come first."""

    received_on = date_field("Date the school received it")

    def __init__(self, *args: Any, amendments: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.amendments = amendments
        order = sorted(SECTIONS, key=lambda s: (s[1] not in CHECKED_LETTERS, SECTIONS.index(s)))
        for field, letter, title in order:
            self.fields[field] = forms.CharField(
                label=f"Section {letter}: {title}",
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 8 if letter in CHECKED_LETTERS else 3, "spellcheck": "false"}),
            )
        self.fields["received_on"].help_text = (
            "The day the LA's proposed amendments reached the school."
            if amendments
            else "The day the draft plan (and the LA's request to comment on it) reached the school."
        )
        if amendments:
            self.fields[
                "section_f"
            ].help_text = "Paste each section as the LA proposes it to read; leave the rest empty."

    @property
    def checked_fields(self) -> list[forms.BoundField]:
        return [self[f] for f, letter, _ in SECTIONS if letter in CHECKED_LETTERS]

    @property
    def other_fields(self) -> list[forms.BoundField]:
        return [self[f] for f, letter, _ in SECTIONS if letter not in CHECKED_LETTERS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(field) or "").strip() for field, _, _ in SECTIONS):
            self.add_error(None, nothing_pasted(Kind.AMENDMENTS if self.amendments else Kind.DRAFT))
        return data

    def sections(self) -> dict[str, str]:
        return {letter: self.cleaned_data.get(field) or "" for field, letter, _ in SECTIONS}


class PointsForm(forms.Form):
    points = forms.CharField(
        label="Points for the school's reply",
        required=False,
        strip=False,
        max_length=MAX_POINTS_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="Edit, reorder or delete points: this is the list that goes into the school's reply to the LA.",
        error_messages={"max_length": f"Keep the points to {MAX_POINTS_CHARS:,} characters or fewer."},
    )
