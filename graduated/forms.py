"""What people type for the graduated approach, checked with clear messages. The rules live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from pupils.models import YearGroup
from register.models import BroadArea
from trusts.forms import date_field

from .models import Cycle, MissedReason, Outcome, Provision, StaffRole, Wave
from .queries import MapFilters, score_label


def _text(label: str, *, rows: int = 3, required: bool = False, help_text: str = "", **kw: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kw,
    )


def _score(label: str, *, required: bool = False, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=8,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
        error_messages={
            "invalid": "Enter the score as a number, for example 12 or 85.5.",
            "max_digits": "Enter a score of at most 6 digits before the decimal point.",
            "max_decimal_places": "Enter a score with at most 2 decimal places.",
            "max_whole_digits": "Enter a score of at most 6 digits before the decimal point.",
        },
    )


SHARE_HINT = "Parents see it in their portal and on the printed plan."


class StartCycleForm(forms.Form):
    started_on = date_field("Start date", missing="Enter the date the cycle starts.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("started_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class AssessForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = [
            "assess_notes",
            "outside_advice",
            "pupil_views",
            "parent_views",
            "liked_admired",
            "important_to_me",
            "how_to_support",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}
        help_texts = {
            "assess_notes": "Teacher and SENCO assessment: strengths, difficulties, what the evidence shows.",
            "outside_advice": "For example from an educational psychologist or speech and language therapist.",
            "liked_admired": "Part of the one-page profile. " + SHARE_HINT,
            "important_to_me": "In the pupil's own words where you can. " + SHARE_HINT,
            "how_to_support": SHARE_HINT,
        }


class AssessmentResultForm(forms.Form):
    name = forms.CharField(
        label="Assessment", max_length=150, error_messages={"required": "Enter the name of the assessment."}
    )
    taken_on = date_field("Date taken", missing="Enter the date the assessment was taken.")
    score = _score("Score", required=True)
    scale = forms.CharField(
        label="Scale",
        max_length=100,
        help_text="For example: standardised score (average 100), or reading age in months.",
        error_messages={"required": "Enter the scale of the score."},
    )
    notes = forms.CharField(label="Notes", max_length=300, required=False)
    share_with_parents = forms.BooleanField(label="Show this result to parents", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["score"].error_messages["required"] = "Enter the score."


class OutcomeForm(forms.Form):
    description = _text(
        "What the pupil will be able to do",
        required=True,
        help_text="Specific and measurable, for example: read the first 100 high-frequency words.",
        error_messages={"required": "Say what the pupil will be able to do."},
    )
    baseline = forms.CharField(
        label="Where the pupil is now (baseline)",
        max_length=300,
        error_messages={"required": "Say where the pupil is now (the baseline)."},
    )
    baseline_score = _score("Baseline as a number", help_text="Used to chart progress, for example 42.")
    target = forms.CharField(label="Target", max_length=300, error_messages={"required": "Say what the target is."})
    target_score = _score("Target as a number", help_text="For example 80.")
    measured_by = forms.CharField(
        label="How it is measured",
        max_length=300,
        error_messages={"required": "Say how progress will be measured."},
    )
    share_with_parents = forms.BooleanField(label="Show this outcome to parents", required=False, initial=True)

    @classmethod
    def for_outcome(cls, outcome: Outcome, data: Any = None) -> OutcomeForm:
        return cls(
            data,
            initial={
                "description": outcome.description,
                "baseline": outcome.baseline,
                "baseline_score": outcome.baseline_score,
                "target": outcome.target,
                "target_score": outcome.target_score,
                "measured_by": outcome.measured_by,
                "share_with_parents": outcome.share_with_parents,
            },
        )


class StrategyForm(forms.Form):
    text = forms.CharField(
        label="Classroom strategy",
        max_length=300,
        help_text="What every teacher should do, for example: give instructions one step at a time.",
        error_messages={"required": "Describe the strategy teachers should use."},
    )
    share_with_parents = forms.BooleanField(label="Show this strategy to parents", required=False, initial=True)


class AllocationForm(forms.Form):
    provision: forms.ModelChoiceField[Provision] = forms.ModelChoiceField(
        queryset=Provision.objects.none(),
        label="Provision",
        empty_label="Choose a provision",
        error_messages={
            "required": "Choose a provision from the catalogue.",
            "invalid_choice": "Choose a provision from the catalogue.",
        },
    )
    notes = forms.CharField(label="Notes for this pupil", max_length=300, required=False)
    share_with_parents = forms.BooleanField(label="Show this provision to parents", required=False, initial=True)

    def __init__(self, *args: Any, provisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provision"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = provisions


class PlanForm(forms.Form):
    expected_impact = _text(
        "Expected impact",
        required=True,
        help_text="What difference the plan should make by the review.",
        error_messages={"required": "Say what impact the plan is expected to have."},
    )
    review_date = date_field(
        "Review date",
        help_text="Set to the end of the current half-term from the school calendar. Change it if you need to.",
        missing="Enter the review date.",
    )


class DeliveryForm(forms.Form):
    """The quick form a teaching assistant fills in on a phone after a session."""

    allocation = forms.TypedChoiceField(
        label="Session of",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the provision this session was.", "invalid_choice": "Choose a provision."},
    )
    session_date = date_field("Date of the session", missing="Enter the date of the session.")
    attended = forms.TypedChoiceField(
        label="Did the pupil attend?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the pupil attended."},
    )
    missed_reason = forms.ChoiceField(
        label="If the pupil missed it, why?",
        required=False,
        widget=forms.RadioSelect,
        choices=MissedReason.choices,
        help_text="Leave empty if the pupil was there. If they missed it and you leave this empty, "
        "it is recorded as the pupil being absent.",
    )
    note = forms.CharField(label="Short note", max_length=300, required=False, help_text="At most 300 characters.")
    score = _score("Score", help_text="If you measured progress in this session.")
    outcome = forms.TypedChoiceField(label="The score measures", coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, allocations: list[Any], outcomes: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("session_date", timezone.localdate())
        super().__init__(*args, **kwargs)
        alloc = self.fields["allocation"]
        assert isinstance(alloc, forms.TypedChoiceField)
        alloc.choices = [(a.pk, a.provision.name) for a in allocations]
        if len(allocations) == 1:
            self.initial.setdefault("allocation", allocations[0].pk)
        outcome = self.fields["outcome"]
        assert isinstance(outcome, forms.TypedChoiceField)
        if len(outcomes) > 1:
            outcome.choices = [
                ("", "Choose an outcome"),
                *[(o.pk, f"{o.description[:60]}: {score_label(o)}") for o in outcomes],
            ]
        else:
            del self.fields["outcome"]
        if len(outcomes) == 1:
            # The score field says what it measures and where the pupil started and is aiming.
            self.fields["score"].label = f"Score: {score_label(outcomes[0])}"


class ReviewForm(forms.Form):
    reviewed_on = date_field("Date of the review", missing="Enter the date of the review.")
    pupil_views = _text("The pupil's views")
    parent_views = _text("Parents' views")
    notes = _text("Review notes (staff only)")
    next_step = forms.ChoiceField(
        label="Next step",
        choices=Cycle.NextStep.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the next step."},
    )
    parents_told_on = date_field(
        "Date parents were told",
        required=False,
        help_text="Needed when the pupil moves to monitoring or leaves the register: parents must be told "
        "formally when SEN support ends (Code of Practice 6.43).",
    )

    def __init__(self, *args: Any, outcomes: list[Outcome], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("reviewed_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes
        for n, outcome in enumerate(outcomes, start=1):
            self.fields[f"result_{outcome.pk}"] = forms.ChoiceField(
                label=f"Outcome {n}: was it achieved?",
                choices=Outcome.Result.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"Say whether outcome {n} was achieved."},
            )
            self.fields[f"evidence_{outcome.pk}"] = _text(
                f"Evidence for outcome {n}",
                required=True,
                rows=2,
                error_messages={"required": f"Give the evidence for outcome {n}."},
            )
        order = [name for o in outcomes for name in (f"result_{o.pk}", f"evidence_{o.pk}")]
        self.order_fields(order + ["reviewed_on", "pupil_views", "parent_views", "notes", "next_step"])

    def outcome_fields(self) -> list[tuple[Outcome, Any, Any]]:
        return [(o, self[f"result_{o.pk}"], self[f"evidence_{o.pk}"]) for o in self.outcomes]

    def results(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {o.pk: (data.get(f"result_{o.pk}", ""), data.get(f"evidence_{o.pk}", "")) for o in self.outcomes}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ends = data.get("next_step") in {Cycle.NextStep.MONITORING, Cycle.NextStep.LEAVE}
        if ends and not data.get("parents_told_on") and "parents_told_on" not in self.errors:
            self.add_error(
                "parents_told_on",
                "Enter the date parents were told that SEN support is ending: they must be told.",
            )
        return data


class ParentMeetingForm(forms.Form):
    held_on = date_field("Date of the meeting", missing="Enter the date of the meeting.")
    attendees = forms.CharField(
        label="Who attended",
        max_length=300,
        help_text="For example: Mum, class teacher, SENCO.",
        error_messages={"required": "Say who attended the meeting."},
    )
    notes = _text("Notes (staff only)", rows=4)
    agreed_actions = _text("Agreed actions", rows=3, help_text="Parents see these in their portal.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ProvisionForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=150, error_messages={"required": "Enter the name of the provision."}
    )
    description = _text("What happens in a session", help_text="In words parents understand.")
    wave = forms.TypedChoiceField(
        label="Wave",
        choices=Wave.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the wave."},
    )
    area = forms.ChoiceField(
        label="Area of need",
        choices=[("", "Choose an area of need"), *BroadArea.choices],
        error_messages={"required": "Choose the area of need."},
    )
    staff_role = forms.ChoiceField(
        label="Run by",
        choices=[("", "Choose who runs it"), *StaffRole.choices],
        error_messages={"required": "Choose who runs the provision."},
    )
    group_size = forms.IntegerField(
        label="Group size",
        min_value=1,
        max_value=40,
        help_text="1 means one-to-one.",
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter the group size.",
            "invalid": "Enter the group size as a whole number, for example 4.",
            "min_value": "The group size must be at least 1 (1 means one-to-one).",
            "max_value": "The group size can be at most 40.",
        },
    )
    sessions_per_week = forms.DecimalField(
        label="Sessions a week",
        min_value=Decimal("0.1"),
        max_value=Decimal("30"),
        max_digits=4,
        decimal_places=1,
        help_text="0.5 means once a fortnight.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how many sessions a week.",
            "invalid": "Enter the sessions a week as a number, for example 3.",
            "min_value": "Enter at least 0.1 sessions a week.",
            "max_value": "Enter at most 30 sessions a week.",
            "max_decimal_places": "Enter the sessions a week with at most one decimal place, for example 1.5.",
            "max_digits": "Enter at most 30 sessions a week.",
            "max_whole_digits": "Enter at most 30 sessions a week.",
        },
    )
    minutes_per_session = forms.IntegerField(
        label="Minutes a session",
        min_value=1,
        max_value=600,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3"}),
        error_messages={
            "required": "Enter how many minutes each session lasts.",
            "invalid": "Enter the minutes as a whole number, for example 20.",
            "min_value": "A session lasts at least 1 minute.",
            "max_value": "A session can last at most 600 minutes.",
        },
    )
    start_date = date_field("Start date", missing="Enter the date the provision starts.")
    end_date = date_field("End date", required=False, help_text="Leave empty if it carries on.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("start_date", timezone.localdate())
        super().__init__(*args, **kwargs)

    @classmethod
    def for_provision(cls, provision: Provision, data: Any = None) -> ProvisionForm:
        initial = {name: getattr(provision, name) for name in cls.base_fields}
        return cls(data, initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "The end date must be on or after the start date.")
        return data


class RatesForm(forms.Form):
    def __init__(self, *args: Any, rates: dict[str, Decimal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for role in StaffRole:
            self.fields[role.value] = forms.DecimalField(
                label=f"{role.label}: £ an hour",
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(1000),
                max_digits=7,
                decimal_places=2,
                initial=rates.get(role.value),
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-5"}),
                error_messages={
                    "invalid": f"Enter the {role.label.lower()} rate in pounds, for example 18.50.",
                    "min_value": "A rate cannot be negative.",
                    "max_value": "A rate can be at most £1,000 an hour.",
                    "max_decimal_places": "Enter the rate in pounds and pence, for example 18.50.",
                    "max_digits": "A rate can be at most £1,000 an hour.",
                    "max_whole_digits": "A rate can be at most £1,000 an hour.",
                },
            )

    def rates(self) -> dict[str, Decimal | None]:
        return {role.value: self.cleaned_data.get(role.value) for role in StaffRole}


class MapFilterForm(forms.Form):
    area = forms.ChoiceField(label="Area of need", choices=[("", "Any area"), *BroadArea.choices], required=False)
    year = forms.ChoiceField(label="Year group", choices=[("", "Any year"), *YearGroup.choices], required=False)
    wave = forms.TypedChoiceField(
        label="Wave", choices=[("", "Any wave"), *Wave.choices], coerce=int, required=False, empty_value=None
    )

    def filters(self) -> MapFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return MapFilters(area=data.get("area") or "", year=data.get("year") or "", wave=data.get("wave"))
