"""The forms of the medical conditions and health care plan pages (pupils.health does the checking that
matters; these turn what was typed into its arguments and put each message beside its field)."""

from __future__ import annotations

from typing import Any

from django import forms

from trusts.forms import date_field

from .health import Medication, Training, plan_problems
from .models import HealthCarePlan, MedicalCondition, Pupil

TEXTAREA = {"rows": 4}
MEDICATION_PARTS = {
    "name": "Medicine",
    "dose": "Dose",
    "when": "When it is given",
    "given_by": "Who gives it",
    "kept_where": "Where it is kept",
}
TRAINING_PARTS = {"staff_name": "Member of staff", "training": "Training"}


class ConditionForm(forms.Form):
    condition = forms.CharField(
        label="Medical condition",
        help_text="For example asthma, epilepsy, type 1 diabetes, severe allergy.",
        error_messages={"required": "Enter the medical condition, for example asthma."},
    )
    details = forms.CharField(
        label="Details (optional)",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="What staff should know: how it affects the pupil at school.",
    )
    source = forms.ChoiceField(
        label="Who told the school",
        choices=MedicalCondition.Source.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who told the school about the condition."},
    )
    noted_on = date_field("Date diagnosed or noted", required=False)
    needs_ihcp = forms.BooleanField(label="Needs an individual health care plan", required=False)


class ConditionChangeForm(ConditionForm):
    ended_on = date_field(
        "Date it stopped applying", required=False, help_text="Only if the condition no longer applies."
    )


class PlanForm(forms.Form):
    """Template A of the DfE guidance, with a row per medicine and per person trained."""

    conditions = forms.MultipleChoiceField(
        label="Conditions this plan covers",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the medical condition or conditions this plan covers."},
    )
    emergency_summary = forms.CharField(
        label="Emergency summary",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown on the pupil record and passport to everyone who teaches the pupil. 300 characters at most.",
        error_messages={"required": "Enter a short emergency summary: what to look for and what to do first."},
    )
    emergency_steps = forms.CharField(
        label="What to do in an emergency",
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Step by step, including when to call 999 and who to tell.",
        error_messages={"required": "Enter what to do in an emergency, step by step."},
    )
    triggers = forms.CharField(
        label="Triggers, signs and symptoms", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    daily_care = forms.CharField(label="Daily care requirements", required=False, widget=forms.Textarea(attrs=TEXTAREA))
    trips = forms.CharField(
        label="Arrangements for school trips", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    exams = forms.CharField(
        label="Arrangements for exams and tests", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    contacts = forms.CharField(
        label="Who to contact",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Parents or carers, GP, specialist nurse: names and telephone numbers.",
    )
    ehcp_section_c = forms.BooleanField(
        label="The pupil's EHC plan describes these health needs in section C", required=False
    )
    review_due = date_field("Review date", help_text="At least once a year, and sooner if the pupil's needs change.")
    parent_agreed_by = forms.CharField(label="Parent or carer who agreed the plan", required=False)
    parent_agreed_on = date_field("Date the parent or carer agreed", required=False)
    professional_name = forms.CharField(label="Health professional who agreed the plan", required=False)
    professional_role = forms.CharField(
        label="Their role", required=False, help_text="For example asthma nurse, epilepsy nurse, consultant."
    )
    professional_agreed_on = date_field("Date the health professional agreed", required=False)

    def __init__(
        self,
        *args: Any,
        pupil: Pupil,
        conditions: list[MedicalCondition],
        medicine_rows: int = 3,
        training_rows: int = 3,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.pupil = pupil
        choice_field = self.fields["conditions"]
        assert isinstance(choice_field, forms.MultipleChoiceField)
        choice_field.choices = [(str(c.pk), c.condition) for c in conditions]
        self.medicine_rows, self.training_rows = medicine_rows, training_rows
        for n in range(1, medicine_rows + 1):
            for part, label in MEDICATION_PARTS.items():
                self.fields[f"med{n}_{part}"] = forms.CharField(label=f"{label} (medicine {n})", required=False)
            self.fields[f"med{n}_expires_on"] = date_field(f"Expiry date (medicine {n})", required=False)
        for n in range(1, training_rows + 1):
            for part, label in TRAINING_PARTS.items():
                self.fields[f"staff{n}_{part}"] = forms.CharField(label=f"{label} (training {n})", required=False)
            self.fields[f"staff{n}_trained_on"] = date_field(f"Date trained (training {n})", required=False)

    def medicine_fieldsets(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"med{n}_{p}"] for p in [*MEDICATION_PARTS, "expires_on"]] for n in range(1, self.medicine_rows + 1)
        ]

    def training_fieldsets(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"staff{n}_{p}"] for p in [*TRAINING_PARTS, "trained_on"]] for n in range(1, self.training_rows + 1)
        ]

    main_fields = [
        "conditions",
        "emergency_summary",
        "emergency_steps",
        "triggers",
        "daily_care",
        "trips",
        "exams",
        "contacts",
        "ehcp_section_c",
        "review_due",
    ]
    agreement_fields = [
        "parent_agreed_by",
        "parent_agreed_on",
        "professional_name",
        "professional_role",
        "professional_agreed_on",
    ]

    def main_bound(self) -> list[forms.BoundField]:
        return [self[name] for name in self.main_fields]

    def agreement_bound(self) -> list[forms.BoundField]:
        return [self[name] for name in self.agreement_fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, self.medicine_rows + 1):
            keys = [f"med{n}_{p}" for p in MEDICATION_PARTS]
            if any(data.get(k) for k in keys) or data.get(f"med{n}_expires_on"):
                for key, label in zip(keys, MEDICATION_PARTS.values(), strict=True):
                    if not (data.get(key) or "").strip():
                        self.add_error(key, f"Enter {label.lower()} for medicine {n}.")
        for n in range(1, self.training_rows + 1):
            keys = [f"staff{n}_{p}" for p in TRAINING_PARTS]
            if any(data.get(k) for k in keys) or data.get(f"staff{n}_trained_on"):
                for key, label in zip(keys, TRAINING_PARTS.values(), strict=True):
                    if not (data.get(key) or "").strip():
                        self.add_error(key, f"Enter the {label.lower()} for training {n}.")
                if data.get(f"staff{n}_trained_on") is None and f"staff{n}_trained_on" not in self.errors:
                    self.add_error(f"staff{n}_trained_on", f"Enter the date of training {n}.")
        # What the service would refuse too, so that every problem is shown at once (it checks again on save).
        for key, found in plan_problems(pupil=self.pupil, **self.service_arguments()).items():
            if key in self.errors:
                continue
            for message in found:
                if key == "__all__" and ": enter " in message:
                    continue  # an incomplete row: already told beside its fields
                self.add_error(key if key in self.fields else None, message)
        return data

    def service_arguments(self) -> dict[str, Any]:
        """The arguments of `write_plan` (and `plan_problems`) from what was typed; fields that did not clean
        are left out or empty."""
        data = self.cleaned_data
        medications = [
            Medication(
                **{p: data.get(f"med{n}_{p}") or "" for p in MEDICATION_PARTS},
                expires_on=data.get(f"med{n}_expires_on"),
            )
            for n in range(1, self.medicine_rows + 1)
            if data.get(f"med{n}_name")
        ]
        training = [
            Training(
                staff_name=data.get(f"staff{n}_staff_name") or "",
                training=data.get(f"staff{n}_training") or "",
                trained_on=data[f"staff{n}_trained_on"],
            )
            for n in range(1, self.training_rows + 1)
            if data.get(f"staff{n}_staff_name") and data.get(f"staff{n}_trained_on")
        ]
        plain = {k: data[k] for k in self.main_fields + self.agreement_fields if k != "conditions" and k in data}
        return {
            **plain,
            "condition_ids": [int(pk) for pk in data.get("conditions") or []],
            "medications": medications,
            "training": training,
        }


def initial_from(plan: HealthCarePlan | None) -> dict[str, Any]:
    """A review starts from the plan in force (its agreements are asked for again: the plan has changed)."""
    if plan is None:
        return {}
    initial: dict[str, Any] = {k: getattr(plan, k) for k in PlanForm.main_fields if k != "conditions"}
    initial["conditions"] = [str(c.pk) for c in plan.conditions.all()]
    initial["review_due"] = None
    for n, m in enumerate(plan.medications.all(), start=1):
        initial |= {f"med{n}_{p}": getattr(m, p) for p in [*MEDICATION_PARTS, "expires_on"]}
    for n, t in enumerate(plan.training.all(), start=1):
        initial |= {f"staff{n}_{p}": getattr(t, p) for p in [*TRAINING_PARTS, "trained_on"]}
    return initial
