"""The "All about me" form: the pupil's sections (pupils.voice.SECTIONS), when, who helped, whose words."""

from __future__ import annotations

from typing import Any

from django import forms

from trusts.forms import date_field

from .models import AllAboutMe
from .voice import FIELDS, MAX_CHARS, SECTIONS


class AllAboutMeForm(forms.Form):
    """Lengths and "at least one section" are the service's checks (pupils.voice), shown beside the fields."""

    completed_on = date_field("Date you did this together")
    helper_name = forms.CharField(
        label="Name of the adult who helped",
        error_messages={"required": "Enter the name of the adult who helped."},
    )
    helper_role = forms.CharField(
        label="Their role",
        help_text="For example teaching assistant, class teacher, SENCO, mum.",
        error_messages={"required": "Enter the role of the adult who helped, for example teaching assistant or mum."},
    )
    words = forms.ChoiceField(
        label="Whose words are these?",
        choices=AllAboutMe.Words.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether these are the pupil's own words or written down by the adult with them."
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for s in SECTIONS:
            self.fields[s.field] = forms.CharField(
                label=s.heading,
                help_text=s.prompt,
                required=False,
                strip=True,
                widget=forms.Textarea(attrs={"rows": 4, "class": "govuk-js-character-count"}),
            )

    def sections(self) -> list[dict[str, Any]]:
        """The section fields grouped as the page shows them (a heading per group)."""
        groups: list[dict[str, Any]] = []
        for s in SECTIONS:
            if not groups or groups[-1]["title"] != s.group:
                groups.append({"title": s.group, "fields": []})
            groups[-1]["fields"].append(self[s.field])
        return groups

    def answers(self) -> dict[str, str]:
        return {f: self.cleaned_data.get(f, "") for f in FIELDS}

    max_chars = MAX_CHARS
