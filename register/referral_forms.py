"""Forms for each step of a referral. They check what was typed; the services (`register.referrals`,
`register.referral_steps`) hold the rules and use the same words (`MESSAGES`)."""

from __future__ import annotations

from typing import Any

from django import forms

from pupils.models import AccessGrant, Contact, Document, Pupil
from trusts.forms import date_field

from .models import Referral, ReferralConsent
from .referrals import MESSAGES, PURPOSES


class DocumentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.title} ({obj.get_category_display()}, {obj.created_at:%-d %b %Y})"


class GrantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        who = obj.user.full_name or obj.user.email
        return f"{who}, {obj.profession or 'professional'}, until {obj.ends_on:%-d %b %Y}"


class ReferralForm(forms.Form):
    agency = forms.ChoiceField(
        label="Which agency?",
        choices=Referral.Agency.choices,
        widget=forms.RadioSelect,
        error_messages={"required": MESSAGES["agency"]},
    )
    agency_name = forms.CharField(
        label="The agency's name",
        max_length=150,
        required=False,
        help_text="Needed for Other; for the rest you can add the local service's name.",
        error_messages={"max_length": "Keep the agency's name to 150 characters or fewer."},
    )
    reason = forms.CharField(
        label="Why are you referring the pupil?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you have noticed, what school has tried, and what you hope the agency will do.",
        error_messages={"required": MESSAGES["reason"]},
    )


class ConsentForm(forms.Form):
    contact: forms.ModelChoiceField[Contact] = forms.ModelChoiceField(
        label="Who gave consent?",
        queryset=Contact.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": MESSAGES["contact"], "invalid_choice": MESSAGES["contact_other"]},
    )
    given_on = date_field("Date consent was given")
    how = forms.ChoiceField(
        label="How was consent given?",
        choices=ReferralConsent.How.choices,
        widget=forms.RadioSelect,
        error_messages={"required": MESSAGES["how"]},
    )
    purposes = forms.MultipleChoiceField(
        label="What did they agree to?",
        choices=list(PURPOSES.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="A referral cannot be made, and nothing can be sent, without consent to share information.",
        error_messages={"required": MESSAGES["purposes"]},
    )

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Contact.objects.filter(pupil=pupil).order_by("name")


class WithdrawForm(forms.Form):
    withdrawn_on = date_field("Date consent was withdrawn")
    note = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Who told you, and anything they asked for.",
    )


class ReferredForm(forms.Form):
    referred_on = date_field("Date the referral was made")


class PaperworkForm(forms.Form):
    documents: DocumentChoiceField = DocumentChoiceField(
        label="Which documents were sent?",
        queryset=Document.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": MESSAGES["documents"], "invalid_choice": MESSAGES["documents_other"]},
    )
    sent_on = date_field("Date the paperwork was sent")

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["documents"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Document.objects.filter(pupil=pupil).order_by("-created_at", "-pk")


class ResponseForm(forms.Form):
    response = forms.ChoiceField(
        label="What did the agency say?",
        choices=Referral.Response.choices,
        widget=forms.RadioSelect,
        error_messages={"required": MESSAGES["response"]},
    )
    response_on = date_field("Date of the response")
    reason = forms.CharField(
        label="Their reason or notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when they declined. For a waiting list, how long they said it is.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("response") == Referral.Response.DECLINED and not (data.get("reason") or "").strip():
            self.add_error("reason", MESSAGES["declined_reason"])
        return data


class AppointmentForm(forms.Form):
    on = date_field("Date of the appointment")
    note = forms.CharField(
        label="Notes",
        max_length=300,
        required=False,
        help_text="For example: clinic appointment, or observation in class.",
        error_messages={"max_length": "Keep the notes to 300 characters or fewer."},
    )


class ReportForm(forms.Form):
    file = forms.FileField(label="The report", error_messages={"required": MESSAGES["file"]})
    title = forms.CharField(label="Title", max_length=200, required=False, help_text="For example: SALT report.")
    received_on = date_field("Date the report was received")


class GrantForm(forms.Form):
    grant: GrantChoiceField = GrantChoiceField(
        label="The professional's access",
        queryset=AccessGrant.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": MESSAGES["grant"], "invalid_choice": MESSAGES["grant"]},
    )

    def __init__(self, *args: Any, pupil: Pupil, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from pupils.grants import active_grants

        field = self.fields["grant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            active_grants().filter(pupil=pupil, kind=AccessGrant.Kind.EXTERNAL).select_related("user").order_by("pk")
        )


class CloseForm(forms.Form):
    outcome = forms.CharField(
        label="What came of the referral?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example: report received and its advice added to the support plan; or parents did not "
        "give consent.",
        error_messages={"required": MESSAGES["outcome"]},
    )
    closed_on = date_field("Date closed")
