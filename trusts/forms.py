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


class AcceptInvitationForm(forms.Form):
    """Set up an account from an invitation: the person's name and a password."""

    full_name = forms.CharField(
        label="Your full name", max_length=150, error_messages={"required": "Enter your full name."}
    )
    password1 = forms.CharField(
        label="Choose a password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 12 characters. A few unrelated words make a strong password.",
        error_messages={"required": "Choose a password."},
    )
    password2 = forms.CharField(
        label="Type the password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Type the password again."},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords are different. Type the same password twice.")
        return data


class SingleSignOnStartForm(forms.Form):
    email = forms.EmailField(
        label="Your work email address",
        max_length=254,
        error_messages={
            "required": "Enter your work email address.",
            "invalid": "Enter an email address in the correct format, like name@school.org.uk.",
        },
    )
