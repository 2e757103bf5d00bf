"""Adding a parent or carer to a pupil's record and inviting them to the portal."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from trusts.forms import add_service_errors
from trusts.http import AuthedRequest
from trusts.permissions import can

from ..models import Contact, Pupil
from ..parents import add_contact, invite_parent, set_large_print
from ..queries import pupils_visible_to


class ContactForm(forms.Form):
    name = forms.CharField(max_length=150, error_messages={"required": "Enter the person's name."})
    relationship = forms.CharField(
        max_length=50,
        help_text="For example mother, father, grandparent, carer.",
        error_messages={"required": "Enter their relationship to the pupil."},
    )
    email = forms.EmailField(
        required=False,
        help_text="Needed to invite them to the parent portal.",
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    phone = forms.CharField(max_length=30, required=False)
    parental_responsibility = forms.BooleanField(required=False, initial=True, label="Has parental responsibility")


def _pupil(request: AuthedRequest, pupil_id: int) -> Pupil:
    pupil: Pupil = get_object_or_404(pupils_visible_to(request.user).select_related("school"), pk=pupil_id)
    if not can(request.user, "parents.invite", pupil):
        raise Http404
    return pupil


@login_required
def contact_new(request: AuthedRequest, pupil_id: int) -> HttpResponse:
    pupil = _pupil(request, pupil_id)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_contact(pupil=pupil, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['name']} is added to {pupil}'s record.")
            return redirect("pupils:record", pk=pupil.pk)
    return render(request, "pupils/contact_new.html", {"pupil": pupil, "form": form})


@login_required
@require_POST
def contact_invite(request: AuthedRequest, pupil_id: int, contact_id: int) -> HttpResponse:
    pupil = _pupil(request, pupil_id)
    contact: Contact = get_object_or_404(
        Contact.objects.filter(pupil=pupil).select_related("pupil__school"), pk=contact_id
    )
    try:
        invite_parent(contact=contact, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"We have emailed {contact.name} an invitation. They will see the portal once they accept it "
            "from that address.",
        )
    return redirect("pupils:record", pk=pupil.pk)


@login_required
@require_POST
def contact_large_print(request: AuthedRequest, pupil_id: int, contact_id: int) -> HttpResponse:
    """Turn large-print documents on or off for one parent or carer, from the record's parents list."""
    pupil = _pupil(request, pupil_id)
    contact: Contact = get_object_or_404(Contact.objects.filter(pupil=pupil).select_related("pupil"), pk=contact_id)
    choice = request.POST.get("large_print")
    if choice not in {"on", "off"}:
        messages.error(request, "Choose large print on or off.")
        return redirect("pupils:record", pk=pupil.pk)
    try:
        set_large_print(contact=contact, large_print=choice == "on", actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"{contact.name} will get large-print documents."
            if choice == "on"
            else f"{contact.name} will get documents in standard print.",
        )
    return redirect("pupils:record", pk=pupil.pk)
