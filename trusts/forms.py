from __future__ import annotations

from typing import Any

from django import forms

from .models import HalfTerm
from .services import HalfTermDates


class DateInput(forms.DateInput):
    """The browser's date picker; it sends and needs ISO dates (2026-03-27)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def date_field(label: str, *, required: bool = True, help_text: str = "", missing: str = "") -> forms.DateField:
    """A date a person types, with messages that name it: "Enter the date of the meeting." when it is missing
    (or `missing`), "Enter the date of the meeting as a real date, for example 27 3 2026." when it is not a
    date (31 February). The one definition the casework forms use."""
    what = label[0].lower() + label[1:]
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        help_text=help_text,
        error_messages={
            "required": missing or f"Enter the {what}.",
            "invalid": f"Enter the {what} as a real date, for example 27 3 2026.",
        },
    )


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


class RoleForm(forms.Form):
    """One role for one person: the role, and the school for school roles. Choices are what the actor may
    give (trusts.people), so a role above their own is never offered."""

    role = forms.ChoiceField(label="Role", error_messages={"required": "Choose a role."})
    school = forms.ChoiceField(
        label="School",
        required=False,
        help_text="Leave empty for trust-wide roles (inclusion lead, trustee).",
    )

    def __init__(self, *args: Any, roles: list[tuple[str, str]], schools: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Choose a role")] + roles  # type: ignore[attr-defined]
        school_choices = [("", "No school (trust-wide)")] + [(str(s.pk), s.name) for s in schools]
        self.fields["school"].choices = school_choices  # type: ignore[attr-defined]
        self.schools = {str(s.pk): s for s in schools}

    def role_and_school(self) -> tuple[str, Any]:
        return self.cleaned_data["role"], self.schools.get(self.cleaned_data.get("school") or "")


class InviteStaffForm(RoleForm):
    full_name = forms.CharField(
        label="Full name",
        max_length=150,
        error_messages={"required": "Enter the person's full name.", "max_length": "Keep the name to 150 characters."},
    )
    email = forms.EmailField(
        label="Work email address",
        max_length=254,
        help_text="They get an email with a link to set up their account (or sign in with your single sign-on).",
        error_messages={
            "required": "Enter their work email address.",
            "invalid": "Enter an email address in the correct format, like name@school.org.uk.",
        },
    )
    field_order = ["full_name", "email", "role", "school"]


class StaffImportForm(forms.Form):
    file = forms.FileField(
        label="Staff CSV file",
        help_text="Columns: name, email, role, school (the school's URN or name; empty for trust-wide roles).",
        error_messages={"required": "Choose a CSV file to upload."},
    )

    MAX_BYTES = 1_000_000

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 1 MB. A staff list is much smaller: check the file.")
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return str(raw.decode(encoding))
            except UnicodeDecodeError:
                continue
        raise forms.ValidationError("The file is not text. Save it from your spreadsheet as CSV.")


class SingleSignOnForm(forms.Form):
    from .models import SingleSignOn as _SSO

    kind = forms.ChoiceField(label="Identity provider", choices=_SSO.Kind.choices)
    issuer = forms.CharField(
        label="Issuer address",
        max_length=300,
        help_text=(
            "Microsoft: https://login.microsoftonline.com/&lt;tenant ID&gt;/v2.0. Google: https://accounts.google.com."
        ),
        error_messages={"required": "Enter the issuer address."},
    )
    client_id = forms.CharField(label="Client ID", max_length=255, error_messages={"required": "Enter the client ID."})
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again. Leave empty to keep the secret already saved.",
    )
    client_secret_env = forms.CharField(
        label="Or: environment variable holding the secret",
        required=False,
        max_length=100,
        help_text="For platform operators who keep secrets outside the database, e.g. OAK_SSO_SECRET.",
    )
    allowed_domains = forms.CharField(
        label="Email domains of your staff",
        max_length=500,
        help_text="Comma-separated, e.g. oakschools.org.uk, oak-academy.org. Only these addresses can use it.",
        error_messages={"required": "Enter at least one email domain."},
    )
    idp_mfa_counts = forms.BooleanField(
        label="Our identity provider's two-step sign-in counts (staff then need no separate authenticator app)",
        required=False,
    )
    enabled = forms.BooleanField(label="Single sign-on is on", required=False, initial=True)


# One limit per kind of text: a line (a name, a short note) and a long text (notes, views, evidence). Shown in
# each field's hint (templates/includes/_hint_error.html) and enforced by the form with a message.
SHORT_TEXT = 300
LONG_TEXT = 10_000


def add_service_errors(form: forms.BaseForm, exc: Any) -> None:
    """Show a service's ValidationError on the form: keyed messages beside their fields, the rest in the
    summary. The one helper every view uses when a service refuses what a form sent."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class OnboardTrustForm(forms.Form):
    """The platform operator's onboarding upload: a GIAS extract, the trust's code in it, the lead's address."""

    file = forms.FileField(
        label="GIAS establishment extract",
        help_text="The edubasealldata CSV file from Get Information about Schools, as downloaded (or cut down "
        "to the trust's rows).",
        error_messages={"required": "Choose the GIAS extract to upload."},
    )
    trust_code = forms.CharField(
        label="Trust code",
        max_length=20,
        help_text="As the extract shows it in the “Trusts (code)” column.",
        error_messages={"required": "Enter the trust's code."},
    )
    lead_email = forms.EmailField(
        label="Inclusion lead's email address",
        max_length=254,
        help_text="They get an invitation to set up their account, unless they already are the lead.",
        error_messages={
            "required": "Enter the inclusion lead's email address.",
            "invalid": "Enter an email address in the correct format, like name@trust.org.uk.",
        },
    )
    resend = forms.BooleanField(label="Send a waiting invitation again (the old link stops working)", required=False)

    # The whole-country extract is about 60 MB; the proxy's body limit must allow it (see docs/onboarding.md).
    MAX_BYTES = 150_000_000

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("The file is larger than 150 MB: the GIAS extract is smaller. Check the file.")
        return bytes(upload.read())
