"""Accepting an invitation, and starting single sign-on: the pages a person reaches before signing in."""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.totp import views as allauth_totp_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .. import invitations, sso
from ..forms import AcceptInvitationForm, SingleSignOnStartForm, add_service_errors
from ..models import Invitation
from ..permissions import is_staff_member

BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    found = invitations.find_invitation(token)
    if found is None or not found.pending:
        # Nobody can tell whose link this was: anyone not signed in as staff (a family, most likely) gets the
        # family footer rather than the warning about handling data this page does not show.
        family = not request.user.is_authenticated or not is_staff_member(request.user)
        return render(request, "trusts/invitation_invalid.html", {"family_page": family}, status=404)
    account = invitations.account_for(found)
    context: dict[str, object] = {"invitation": found, "token": token}
    if found.kind == Invitation.Kind.PARENT:
        # A family reads these pages before they have an account: the family footer, naming the school's SENCO.
        context |= {"family_page": True, "family_schools": found.school}
    if found.kind == Invitation.Kind.STAFF:
        context["single_sign_on"] = sso.config_for_email(found.email)
    if account is not None and account.trust_id != found.trust_id:
        # Only the owner of the address reads this page (the link was emailed there).
        return render(request, "trusts/invitation_other_organisation.html", context, status=409)
    if account is not None and account.has_usable_password():
        if not request.user.is_authenticated:
            return render(request, "trusts/invitation_sign_in.html", context)
        if request.user.pk != account.pk:
            return render(request, "trusts/invitation_wrong_account.html", context, status=403)
        if request.method == "POST":
            try:
                invitations.accept_as_signed_in(invitation=found, user=request.user, request=request)  # type: ignore[arg-type]
            except ValidationError as exc:
                context["problems"] = exc.messages
                return render(request, "trusts/invitation_confirm.html", context, status=400)
            messages.success(request, "Invitation accepted.")
            return redirect(settings.LOGIN_REDIRECT_URL)
        return render(request, "trusts/invitation_confirm.html", context)
    # Nobody signs in with this address yet: choose a password (the link proves the address).
    if request.user.is_authenticated:
        return render(request, "trusts/invitation_wrong_account.html", context, status=403)
    form = AcceptInvitationForm(request.POST or None, initial={"full_name": found.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.accept_with_new_account(
                invitation=found,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                request=request,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend=BACKEND)
            # Choosing the password here is this session's sign-in: record it as allauth would, so setting
            # up the authenticator next does not ask for the password again ("Confirm it's you").
            record_authentication(request, user, method="password", email=user.email)
            messages.success(request, "Your account is ready.")
            return redirect(settings.LOGIN_REDIRECT_URL)
    context["form"] = form
    return render(request, "trusts/invitation_new_account.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def single_sign_on(request: HttpRequest) -> HttpResponse:
    """Find the trust's identity provider from the person's work address, then hand over to allauth."""
    form = SingleSignOnStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        config = sso.config_for_email(form.cleaned_data["email"])
        if config is None:
            form.add_error(
                "email",
                "Single sign-on is not set up for this email address. Sign in with your email address and "
                "password instead, or ask your school's SEND Casework administrator.",
            )
        else:
            from allauth.socialaccount.providers.openid_connect.views import login as oidc_login

            return oidc_login(request, provider_id=config.provider_id)
    return render(request, "account/sso_start.html", {"form": form}, status=400 if form.errors else 200)


class ActivateTOTPView(allauth_totp_views.ActivateTOTPView):
    """allauth's set-up page; typing a valid code here also counts as this session's second factor."""

    def form_valid(self, form: Any) -> HttpResponse:
        from allauth.mfa.models import Authenticator

        from .. import audit
        from ..mfa import record_mfa_enrolment

        response = super().form_valid(form)
        user = self.request.user
        authenticator = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).first()
        if authenticator is not None:
            record_mfa_enrolment(self.request, user, authenticator)
            if getattr(user, "trust_id", None):
                audit.record(
                    actor=user,  # type: ignore[arg-type]
                    action=audit.Action.CHANGE,
                    obj=user,
                    request=self.request,
                    summary="Set up two-step sign-in (authenticator app)",
                )
        return response


activate_totp = ActivateTOTPView.as_view()
