"""Forms for raising a cause for concern and for the SENCO's triage. The services hold the rules; these
check what was typed and use the services' words (`concerns.MESSAGES`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from pupils.models import Pupil

from .concerns import MESSAGES, Outcome
from .family_concerns import FAMILY_MESSAGES, LIMITS, default_reply
from .models import BroadArea, CauseForConcern, NeedType

# The broad areas with what they cover, so a teacher can place what they see (CoP 6.28-6.35).
AREA_CHOICES = [
    (BroadArea.COMMUNICATION.value, "Communication and interaction: speech, language, understanding others, social"),
    (BroadArea.COGNITION.value, "Cognition and learning: reading, writing, number, memory, learning generally"),
    (BroadArea.SEMH.value, "Social, emotional and mental health: behaviour, anxiety, low mood, attention"),
    (BroadArea.SENSORY.value, "Sensory and/or physical: hearing, vision, movement, coordination"),
]
DATE_WIDGET = {"type": "date"}


class PupilChoiceField(forms.ModelChoiceField):
    show_school = False

    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.legal_surname}, {obj.forename} ({obj.get_year_group_display()})"
        return f"{label}, {obj.school.name}" if self.show_school else label


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented pattern); none is fine."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ConcernForm(forms.Form):
    source = forms.ChoiceField(
        label="Who raised this?",
        choices=[
            (CauseForConcern.Source.STAFF.value, "A member of staff noticed"),
            (CauseForConcern.Source.PUPIL.value, "The pupil told us themselves"),
            (CauseForConcern.Source.PARENT.value, "A parent or carer told us"),
        ],
        initial=CauseForConcern.Source.STAFF.value,
        required=False,  # an older form without the question is a member of staff's concern
        widget=forms.RadioSelect,
        help_text='If the pupil told you, write their own words under "What does the pupil say?". '
        'If a parent or carer told you, write what they said under "What do the parents or carers think?".',
        error_messages={"invalid_choice": MESSAGES["source"]},
    )
    pupil = PupilChoiceField(
        label="Pupil",
        queryset=Pupil.objects.none(),
        empty_label="Choose a pupil",
        error_messages={
            "required": "Choose the pupil you are concerned about.",
            "invalid_choice": "Choose a pupil from the list.",
        },
    )
    areas = forms.MultipleChoiceField(
        label="Which broad areas of need are you concerned about?",
        choices=AREA_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply. If you are not sure, tick the closest: the SENCO will look at it with you.",
        error_messages={"required": MESSAGES["areas"], "invalid_choice": MESSAGES["areas_invalid"]},
    )
    observations = forms.CharField(
        label="What have you noticed?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the pupil does or finds hard, when and how often. For example: progress much slower "
        "than peers who started at the same point, or slower than the pupil's own earlier progress.",
        error_messages={"required": MESSAGES["observations"]},
    )
    noticed_since = forms.DateField(
        label="Since when have you noticed this?",
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text="An approximate date is fine.",
        error_messages={"required": MESSAGES["noticed_since"], "invalid": "Enter a real date."},
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example assessment results, reading age, work samples, attendance or behaviour records.",
    )
    strategies_tried = forms.CharField(
        label="What have you already tried in class?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Wave 1 (quality-first teaching) strategies, for example seating, visual timetable, "
        "pre-teaching vocabulary, chunked instructions, writing frames.",
        error_messages={"required": MESSAGES["strategies_tried"]},
    )
    strategies_effect = forms.CharField(
        label="What effect did those strategies have?",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": MESSAGES["strategies_effect"]},
    )
    parents_spoken_to = forms.TypedChoiceField(
        label="Have you spoken to the pupil's parents or carers about this?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": MESSAGES["parents_spoken_to"]},
    )
    parents_view = forms.CharField(
        label="What do the parents or carers think?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pupil_view = forms.CharField(
        label="What does the pupil say?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="In the pupil's own words if you can.",
    )
    attachments = MultipleFileField(label="Attach evidence", required=False)

    def __init__(self, *args: Any, pupils: QuerySet[Pupil], show_school: bool = False, **kwargs: Any) -> None:
        from pupils.documents import ACCEPT_ATTRIBUTE, human_size, max_document_bytes

        super().__init__(*args, **kwargs)
        field = self.fields["pupil"]
        assert isinstance(field, PupilChoiceField)
        field.queryset = pupils.select_related("school").order_by("legal_surname", "legal_forename", "pk")
        field.show_school = show_school
        attachments = self.fields["attachments"]
        attachments.widget.attrs["accept"] = ACCEPT_ATTRIBUTE
        attachments.help_text = (
            "PDFs, Word documents or PNG or JPEG images (for example photos of work), up to "
            f"{human_size(max_document_bytes())} each. The SENCO sees them; they are kept on the pupil's record."
        )

    def clean_noticed_since(self) -> Any:
        noticed = self.cleaned_data["noticed_since"]
        if noticed > timezone.localdate():
            raise ValidationError(MESSAGES["noticed_since_future"])
        return noticed

    def clean_attachments(self) -> list[Any]:
        from pupils.documents import check_upload

        files = self.cleaned_data["attachments"]
        problems = []
        for uploaded in files:
            try:
                check_upload(uploaded)
            except ValidationError as exc:
                problems += [f"{uploaded.name}: {m}" for m in exc.messages]
        if problems:
            raise ValidationError(problems)
        return files

    def clean_source(self) -> str:
        return self.cleaned_data.get("source") or CauseForConcern.Source.STAFF.value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        source = data.get("source")
        if source == CauseForConcern.Source.PARENT:
            data["parents_spoken_to"] = True
            self.errors.pop("parents_spoken_to", None)
            if not (data.get("parents_view") or "").strip():
                self.add_error("parents_view", MESSAGES["parent_words"])
        elif data.get("parents_spoken_to") and not (data.get("parents_view") or "").strip():
            self.add_error("parents_view", MESSAGES["parents_view"])
        if source == CauseForConcern.Source.PUPIL and not (data.get("pupil_view") or "").strip():
            self.add_error("pupil_view", MESSAGES["pupil_words"])
        return data


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": MESSAGES["outcome"]},
    )
    primary_need = forms.ChoiceField(
        label="Primary type of need (rank 1)",
        choices=[("", "Choose the primary need"), *NeedType.choices],
        required=False,
    )
    secondary_need = forms.ChoiceField(
        label="Secondary type of need (rank 2)",
        choices=[("", "None"), *NeedType.choices],
        required=False,
    )
    parents_told_on = forms.DateField(
        label="Date parents were told",
        required=False,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text="Parents must be told formally when SEN support starts (Code of Practice 6.43).",
        error_messages={"invalid": "Enter a real date."},
    )
    outside_agency = forms.CharField(
        label="Which agency?",
        max_length=150,
        required=False,
        help_text="For example educational psychology service, speech and language therapy, CAMHS.",
        error_messages={"max_length": "Keep the agency's name to 150 characters or fewer."},
    )
    notes = forms.CharField(
        label="Notes",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you decided and why, and what happens next. The person who raised the concern sees "
        "the outcome and these notes.",
        error_messages={"required": MESSAGES["notes"]},
    )

    family_reply = forms.CharField(
        label="Message for the family",
        required=False,
        max_length=LIMITS["family_reply"],
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": FAMILY_MESSAGES["family_reply_too_long"].format(limit=LIMITS["family_reply"])},
    )

    def __init__(self, *args: Any, for_family: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.for_family = for_family
        if for_family:
            self.fields[
                "notes"
            ].help_text = (
                "What you decided and why, and what happens next. Staff only: the family does not see these notes."
            )
            self.fields["family_reply"].help_text = (
                "A parent or carer raised this concern: they read this in the family portal and get an email "
                "saying the school has answered (it does not name the child). Use plain words. Up to "
                f"{LIMITS['family_reply']:,} characters. If you leave it empty they get the standard message for "
                "the outcome."
            )
        else:
            del self.fields["family_reply"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == Outcome.REFER and not (data.get("outside_agency") or "").strip():
            self.add_error("outside_agency", MESSAGES["outside_agency"])
        return data


def _limited(label: str, field: str, *, required: bool = True, rows: int = 4, hint: str = "") -> forms.CharField:
    limit = LIMITS[field]
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=(hint + " " if hint else "") + f"You can write up to {limit:,} characters.",
        error_messages={
            "required": FAMILY_MESSAGES.get(field, ""),
            "max_length": f"Keep this to {limit:,} characters or fewer.",
        },
    )


class FamilyConcernForm(forms.Form):
    """A parent's concern about their own child, in plain words (the portal). No staff-only questions."""

    observations = _limited("What have you noticed?", "observations", hint="What worries you, and when it happens.")
    noticed_since = forms.DateField(
        label="Since when?",
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        help_text="A rough date is fine.",
        error_messages={"required": FAMILY_MESSAGES["noticed_since"], "invalid": "Enter a real date."},
    )
    helps_at_home = _limited("What helps at home, or what have you tried?", "helps_at_home")
    wanted_from_school = _limited("What would you like the school to do?", "wanted_from_school", rows=3)
    child_says = _limited(
        "What does your child say about it?", "child_says", required=False, rows=3, hint="In their words if you can."
    )

    def clean_noticed_since(self) -> Any:
        noticed = self.cleaned_data["noticed_since"]
        if noticed > timezone.localdate():
            raise ValidationError(FAMILY_MESSAGES["noticed_since_future"])
        return noticed


def default_reply_words() -> dict[str, str]:
    """The standard message for each outcome, shown to the SENCO beside the message box."""
    return {label: default_reply(value) for value, label in Outcome.choices}
