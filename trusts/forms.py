from __future__ import annotations

from typing import Any

from django import forms

from .models import HalfTerm
from .services import HalfTermDates


class CalendarForm(forms.Form):
    """The six half-terms of one academic year, each with a first and last day."""

    def __init__(self, *args: Any, terms: list[HalfTerm], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.terms = terms
        for t in terms:
            self.fields[f"start_{t.position}"] = forms.DateField(
                label=f"{t.name}: first day",
                initial=t.start,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "required": f"Enter the first day of {t.name}.",
                    "invalid": "Enter a real date.",
                },
            )
            self.fields[f"end_{t.position}"] = forms.DateField(
                label=f"{t.name}: last day",
                initial=t.end,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={
                    "required": f"Enter the last day of {t.name}.",
                    "invalid": "Enter a real date.",
                },
            )

    def half_term_dates(self) -> list[HalfTermDates]:
        return [
            HalfTermDates(
                name=t.name,
                start=self.cleaned_data[f"start_{t.position}"],
                end=self.cleaned_data[f"end_{t.position}"],
            )
            for t in self.terms
        ]
