"""The group session form: one date for the group, then a line per pupil (present by default)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from trusts.forms import date_field

from .forms import _score
from .models import Allocation, MissedReason
from .queries import score_label

HAPPENED = "yes"


class GroupSessionForm(forms.Form):
    session_date = date_field("Date of the session", missing="Enter the date of the session.")
    took_place = forms.ChoiceField(
        label="Did the session happen?",
        choices=[
            (HAPPENED, "Yes"),
            (MissedReason.STAFF_ABSENT, "No: staff were absent"),
            (MissedReason.CANCELLED, "No: it was cancelled"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the session happened."},
    )

    def __init__(self, *args: Any, members: list[Allocation], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update({"session_date": timezone.localdate(), "took_place": HAPPENED})
        super().__init__(*args, **kwargs)
        self.members = members
        self.lines: list[dict[str, Any]] = []
        for allocation in members:
            pupil = allocation.cycle.pupil
            outcomes = list(allocation.cycle.outcomes.all())
            key = allocation.pk
            self.fields[f"present_{key}"] = forms.BooleanField(label="Present", required=False, initial=True)
            label = f"Score: {score_label(outcomes[0])}" if len(outcomes) == 1 else "Score"
            self.fields[f"score_{key}"] = _score(label)
            if len(outcomes) > 1:
                self.fields[f"outcome_{key}"] = forms.TypedChoiceField(
                    label="The score measures",
                    coerce=int,
                    required=False,
                    empty_value=None,
                    choices=[("", "Choose an outcome"), *[(o.pk, score_label(o)) for o in outcomes]],
                )
            self.fields[f"note_{key}"] = forms.CharField(
                label="Note", max_length=300, required=False, help_text="At most 300 characters."
            )
            self.lines.append({"allocation": allocation, "pupil": pupil, "key": key, "outcomes": outcomes})

    def bound_lines(self) -> list[dict[str, Any]]:
        """Each pupil's fields, for the template."""
        return [
            line
            | {
                "present": self[f"present_{line['key']}"],
                "score": self[f"score_{line['key']}"],
                "outcome": self[f"outcome_{line['key']}"] if f"outcome_{line['key']}" in self.fields else None,
                "note": self[f"note_{line['key']}"],
            }
            for line in self.lines
        ]

    def entries(self) -> list[dict[str, Any]]:
        """The cleaned lines: allocation, attended, note, score and the outcome the score measures."""
        data = self.cleaned_data
        out = []
        for line in self.lines:
            key = line["key"]
            outcome_id = data.get(f"outcome_{key}")
            out.append(
                {
                    "allocation": line["allocation"],
                    "attended": bool(data.get(f"present_{key}")),
                    "note": data.get(f"note_{key}", ""),
                    "score": data.get(f"score_{key}"),
                    "outcome": next((o for o in line["outcomes"] if o.pk == outcome_id), None),
                }
            )
        return out
