from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from pupils.models import YearGroup

from .models import NeedType, SenStatus
from .queries import FLAG_FIELDS, SORTS, RegisterFilters

STATUS_FILTERS = [
    ("on", "On the register (monitoring, K or E)"),
    ("all", "All pupils"),
    *[(s.value, s.label) for s in SenStatus],
]


class RegisterFilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False, label="Status")
    need = forms.ChoiceField(choices=[("", "Any need"), *NeedType.choices], required=False, label="Type of need")
    year = forms.ChoiceField(choices=[("", "Any year"), *YearGroup.choices], required=False, label="Year group")
    group = forms.TypedChoiceField(coerce=int, required=False, label="Class or group", empty_value=None)
    flags = forms.MultipleChoiceField(
        choices=list(FLAG_FIELDS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Only pupils who",
    )
    sort = forms.ChoiceField(choices=[(k, k) for k in SORTS], required=False, widget=forms.HiddenInput)
    desc = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, groups: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group_field = self.fields["group"]
        assert isinstance(group_field, forms.TypedChoiceField)
        group_field.choices = [("", "Any group"), *[(g.pk, g.name) for g in groups]]

    def filters(self) -> RegisterFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return RegisterFilters(
            status=data.get("status") or "on",
            need=data.get("need") or "",
            year=data.get("year") or "",
            group=data.get("group"),
            flags=tuple(data.get("flags") or ()),
            sort=data.get("sort") or "name",
            descending=bool(data.get("desc")),
        )


class ChangeStatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label="New status",
        choices=[(s.value, s.label) for s in SenStatus],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the pupil's register status."},
    )
    primary_need = forms.ChoiceField(
        label="Primary type of need (rank 1)",
        choices=[("", "None"), *NeedType.choices],
        required=False,
        help_text="Needed for SEN support and EHC plans.",
    )
    primary_need_detail = forms.CharField(
        label="Describe the primary need",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    secondary_need = forms.ChoiceField(
        label="Secondary type of need (rank 2)", choices=[("", "None"), *NeedType.choices], required=False
    )
    secondary_need_detail = forms.CharField(
        label="Describe the secondary need",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    effective_date = forms.DateField(
        label="Date of the change",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date of the change.", "invalid": "Enter a real date."},
    )
    parents_told_on = forms.DateField(
        label="Date parents were told",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Parents must be told formally when SEN support starts or ends (Code of Practice 6.43).",
        error_messages={"invalid": "Enter a real date."},
    )
    reason = forms.CharField(
        label="Reason for the change",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the register is changing."},
    )

    def __init__(self, *args: Any, entry: Any = None, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("effective_date", timezone.localdate())
        if entry is not None and entry.pk:
            initial.update(
                to_status=entry.status,
                primary_need=entry.primary_need,
                primary_need_detail=entry.primary_need_detail,
                secondary_need=entry.secondary_need,
                secondary_need_detail=entry.secondary_need_detail,
            )
        super().__init__(*args, **kwargs)
