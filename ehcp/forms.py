"""Forms of the ehcp app: what a person typed, checked with clear messages. Business rules live in services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from trusts.forms import LONG_TEXT, DateInput, date_field
from trusts.models import School

from . import rules
from .models import SECTIONS, CeaseReason, Deadline, DeadlineSetting, NeedsAssessment, PlanOutcome, Responsible
from .queries import DeadlineFilters
from .services import EVENTS, OutcomeInput, ProvisionInput

# Deadlines ------------------------------------------------------------------------------------------

RULE_FILTER_CHOICES = [("", "Any rule"), *[(r, f"{r}: {rule.action}") for r, rule in rules.RULES.items()]]


class DeadlineFilterForm(forms.Form):
    school = forms.TypedChoiceField(label="School", required=False, coerce=int, empty_value=None)
    rule = forms.ChoiceField(label="Rule", required=False, choices=RULE_FILTER_CHOICES)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Deadline.Status.choices])
    responsible = forms.ChoiceField(
        label="Who must act", required=False, choices=[("", "Anyone"), *Responsible.choices]
    )
    due_from = forms.DateField(label="Due from", required=False, widget=DateInput())
    due_to = forms.DateField(label="Due to", required=False, widget=DateInput())

    def __init__(self, *args: Any, schools: list[School], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [("", "All schools"), *[(s.pk, s.name) for s in schools]]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("due_from"), data.get("due_to")
        if start and end and end < start:
            self.add_error("due_to", "The end of the date range must be on or after its start.")
        return data

    def filters(self) -> DeadlineFilters:
        if not self.is_bound or not self.is_valid():
            return DeadlineFilters()
        d = self.cleaned_data
        return DeadlineFilters(
            school=d.get("school"),
            rule=d.get("rule") or "",
            status=d.get("status") or "",
            responsible=d.get("responsible") or "",
            due_from=d.get("due_from"),
            due_to=d.get("due_to"),
        )


class MeetDeadlineForm(forms.Form):
    met_on = date_field("Date it was done")


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(label="Exception", widget=forms.RadioSelect)
    evidence = forms.CharField(
        label="Evidence",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="What happened and when, and where the evidence is kept.",
        error_messages={"required": "Describe the evidence for the exception."},
    )

    def __init__(self, *args: Any, deadline: Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = sorted(rules.allowed_exceptions(deadline.rule_id))
        self.fields["kind"].choices = [(k, rules.EXCEPTION_LABELS[k]) for k in allowed]  # type: ignore[attr-defined]
        self.fields["kind"].error_messages["required"] = "Choose the exception that applies."


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label="Why this deadline no longer applies",
        max_length=300,
        error_messages={"required": "Say why this deadline no longer applies."},
    )


class DeadlineSettingForm(forms.Form):
    target_amount = forms.IntegerField(
        label="Internal target",
        required=False,
        min_value=1,
        max_value=520,
        help_text="Leave empty to use the statutory date. A target can only be earlier than the law's.",
        error_messages={"min_value": "The target must be at least 1.", "invalid": "Enter a whole number."},
    )
    target_unit = forms.ChoiceField(label="Counted in", choices=DeadlineSetting.Unit.choices, widget=forms.RadioSelect)
    reminder_days = forms.CharField(
        label="Reminders (days before the date)",
        required=False,
        max_length=60,
        help_text="Whole numbers separated by commas, for example 42, 14, 7. Leave empty for 14, 7 and 1.",
    )

    def clean_reminder_days(self) -> list[int]:
        raw = (self.cleaned_data.get("reminder_days") or "").replace(";", ",")
        days: list[int] = []
        for part in filter(None, (p.strip() for p in raw.split(","))):
            if not (part.isascii() and part.isdigit()):  # "²" and "١٤" are digits to Python, not to people
                raise forms.ValidationError(f"“{part}” is not a whole number of days: use numbers such as 42, 14, 7.")
            days.append(int(part))
        return days


# Needs assessments ------------------------------------------------------------------------------------


class AssessmentRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label="What is this?", choices=NeedsAssessment.Kind.choices, widget=forms.RadioSelect, initial="initial"
    )
    requested_by = forms.ChoiceField(
        label="Who asked for the assessment?",
        choices=NeedsAssessment.RequestedBy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who asked for the assessment."},
    )
    requested_by_detail = forms.CharField(label="Name or role (if someone else)", required=False, max_length=200)
    request_received_on = date_field(
        "Date the LA received the request",
        help_text=(
            "For a re-assessment, the date of the LA's notice to re-assess: the 14 weeks for the final plan "
            "count from it. For a first request, the 6, 16 and 20 weeks count from it."
        ),
    )
    local_authority = forms.CharField(label="Local authority", required=False, max_length=100)
    needs_changed = forms.BooleanField(
        label="Needs have changed (a re-assessment within 6 months of the last one)", required=False
    )
    notes = forms.CharField(
        label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=LONG_TEXT
    )


class AssessmentEventForm(forms.Form):
    on = date_field("Date")
    decision = forms.ChoiceField(
        label="The LA's decision",
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (NeedsAssessment.Decision.ASSESS, "The LA will assess"),
            (NeedsAssessment.Decision.NOT_ASSESS, "The LA will not assess"),
        ],
    )
    reason = forms.CharField(label="Why was it withdrawn?", required=False, max_length=250)

    def __init__(self, *args: Any, event: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["on"].label = {
            "decision": "Date of the LA's decision",
            "advice_requested": "Date the school received the LA's request for advice",
            "advice_sent": "Date the school sent its advice",
            "draft_served": "Date the draft plan was served",
            "school_consulted": "Date the LA consulted the school",
            "parent_comments": "Date the parent commented",
            "consultation_sent": "Date the school replied to the consultation",
            "no_plan": "Date of the LA's notice",
            "withdrawn": "Date it was withdrawn",
        }[event]
        if event != "decision":
            del self.fields["decision"]
        else:
            self.fields["decision"].required = True
            self.fields["decision"].error_messages["required"] = "Choose whether the LA will assess."
        if event != "withdrawn":
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = "Say why the request was withdrawn."

    @property
    def title(self) -> str:
        return EVENTS[self.event]


# EHC plans ----------------------------------------------------------------------------------------------


class PdfField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "The LA's PDF of the plan")
        kwargs.setdefault("help_text", "A PDF, at most 20 MB.")
        super().__init__(widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}), **kwargs)


class PlanForm(forms.Form):
    issued_on = date_field("Date the plan was issued")
    local_authority = forms.CharField(
        label="Local authority", max_length=100, error_messages={"required": "Enter the local authority."}
    )
    placement = forms.CharField(
        label="Named placement (section I)",
        max_length=200,
        error_messages={"required": "Enter the school or other institution the plan names."},
    )
    pdf = PdfField()

    def __init__(self, *args: Any, amend: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field, letter, title in SECTIONS:
            self.fields[field] = forms.CharField(
                label=f"Section {letter}: {title}", required=False, widget=forms.Textarea(attrs={"rows": 4})
            )
        if amend:
            self.fields["issued_on"].label = "Date the amended plan was issued"
            self.fields["names_new_school_for_transfer"] = forms.BooleanField(
                label="This amendment names the school for the pupil's phase transfer", required=False
            )
            del self.fields["local_authority"]
        else:
            self.fields["first_outcome"] = forms.CharField(
                label="First outcome (section E)", required=False, max_length=500
            )

    def sections(self) -> dict[str, str]:
        return {field: self.cleaned_data.get(field, "") for field, _, _ in SECTIONS}

    def outcomes(self) -> list[OutcomeInput]:
        text = (self.cleaned_data.get("first_outcome") or "").strip()
        return [OutcomeInput(text=text)] if text else []


class CeasePlanForm(forms.Form):
    ceased_on = date_field(
        "Date the plan ceased",
        help_text="The day the LA stopped maintaining the plan (after any appeal period), as on its notice.",
    )
    reason = forms.ChoiceField(
        label="Why did the plan cease?",
        choices=CeaseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the plan ceased."},
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example the date of the LA's notice and whether the parents appealed.",
    )
    register_status = forms.ChoiceField(
        label="Where does the pupil go on the SEN register?",
        choices=[
            ("K", "SEN support: the school keeps making special educational provision"),
            ("M", "Monitoring"),
            ("N", "Not on the SEN register"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the pupil goes on the SEN register."},
    )
    parents_told_on = date_field(
        "Date parents were told",
        required=False,
        help_text="Needed when the pupil leaves SEN support altogether (SEND Code of Practice 6.43).",
    )


class PdfUploadForm(forms.Form):
    pdf = PdfField(required=True, error_messages={"required": "Choose the LA's PDF of the plan."})


class OutcomeForm(forms.Form):
    text = forms.CharField(label="Outcome", max_length=500, error_messages={"required": "Enter the outcome."})


class ProvisionForm(forms.Form):
    outcome: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Outcome it supports", queryset=PlanOutcome.objects.none(), required=False, empty_label="No outcome"
    )
    description = forms.CharField(
        label="Provision", max_length=500, error_messages={"required": "Describe the provision."}
    )
    hours = forms.DecimalField(
        label="Hours",
        required=False,
        min_value=Decimal("0.25"),
        max_value=Decimal("168"),
        decimal_places=2,
        help_text="Per session or per week, as the plan says.",
        error_messages={"min_value": "Hours must be at least 0.25.", "max_value": "Hours can be at most 168."},
    )
    frequency = forms.CharField(
        label="How often", max_length=100, error_messages={"required": "Say how often, for example weekly."}
    )
    delivered_by = forms.CharField(
        label="Who delivers it", max_length=150, error_messages={"required": "Say who delivers the provision."}
    )

    def __init__(self, *args: Any, outcomes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].queryset = outcomes  # type: ignore[attr-defined]

    def line(self) -> ProvisionInput:
        d = self.cleaned_data
        return ProvisionInput(
            description=d["description"], frequency=d["frequency"], delivered_by=d["delivered_by"], hours=d.get("hours")
        )
