"""People: the inclusion lead (whole trust) and headteachers (their school) run their own staff; the
inclusion lead sets up single sign-on. Thin views over trusts.people and trusts.sso."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from .. import people, sso
from ..forms import InviteStaffForm, RoleForm, SingleSignOnForm, StaffImportForm, add_service_errors
from ..http import AuthedRequest
from ..invitations import withdraw_invitation
from ..models import Invitation, Membership, SingleSignOn
from ..permissions import can

IMPORT_SESSION_KEY = "_send_staff_import"


def _require_people(request: AuthedRequest) -> None:
    if not people.manageable_schools(request.user) and not can(request.user, "people.manage"):
        raise Http404("Page not found")


def _role_form(request: AuthedRequest, cls: type[RoleForm] = RoleForm) -> RoleForm:
    return cls(
        request.POST or None,
        roles=people.grantable_choices(request.user),
        schools=people.manageable_schools(request.user),
    )


@login_required
def people_list(request: AuthedRequest) -> HttpResponse:
    _require_people(request)
    page = Paginator(people.people_visible_to(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "trusts/people/list.html",
        {
            "page": page,
            "invitations": list(people.pending_staff_invitations(request.user)),
            "can_sso": can(request.user, "sso.manage"),
        },
    )


@login_required
def person_invite(request: AuthedRequest) -> HttpResponse:
    _require_people(request)
    form = _role_form(request, InviteStaffForm)
    if request.method == "POST" and form.is_valid():
        role, school = form.role_and_school()
        try:
            result = people.invite_staff(
                actor=request.user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=[(role, school)],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if isinstance(result, Invitation):
                messages.success(request, f"We have emailed {result.email} an invitation to set up their account.")
            else:
                messages.success(request, f"{result[0].user} already had an account: the role is added.")
            return redirect("trusts:people")
    return render(request, "trusts/people/invite.html", {"form": form}, status=400 if form.errors else 200)


def _person_or_404(request: AuthedRequest, pk: int) -> object:
    return get_object_or_404(people.people_visible_to(request.user), pk=pk)


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person_or_404(request, pk)
    form = _role_form(request)
    if request.method == "POST" and form.is_valid():
        role, school = form.role_and_school()
        try:
            people.add_role(actor=request.user, person=person, role=role, school=school)  # type: ignore[arg-type]
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Role added.")
            return redirect("trusts:person", pk=pk)
    return render(
        request,
        "trusts/people/detail.html",
        {
            "person": person,
            "form": form,
            "manageable": {m.pk for m in person.staff_memberships if people.may_manage_membership(request.user, m)},  # type: ignore[attr-defined]
            "may_deactivate": people.may_manage_person(request.user, person),  # type: ignore[arg-type]
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def membership_end(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_people(request)
    membership: Membership = get_object_or_404(
        Membership.objects.filter(user__in=people.people_visible_to(request.user)).select_related("user", "school"),
        pk=pk,
    )
    try:
        people.end_membership(actor=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"The {membership.get_role_display()} role of {membership.user} has ended.")
    return redirect("trusts:person", pk=membership.user_id)


@login_required
def person_deactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_people(request)
    person = _person_or_404(request, pk)
    if request.method == "POST":
        try:
            ended = people.deactivate_person(actor=request.user, person=person)  # type: ignore[arg-type]
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("trusts:person", pk=pk)
        messages.success(request, f"{person} is deactivated. We ended " + ", ".join(ended) + ".")
        return redirect("trusts:people")
    return render(request, "trusts/people/deactivate.html", {"person": person})


@login_required
@require_POST
def invitation_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_people(request)
    invitation = get_object_or_404(people.pending_staff_invitations(request.user), pk=pk)
    withdraw_invitation(invitation=invitation, actor=request.user)
    messages.success(request, f"The invitation to {invitation.email} is withdrawn: its link no longer works.")
    return redirect("trusts:people")


@login_required
@require_POST
def invitation_resend(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_people(request)
    invitation = get_object_or_404(people.pending_staff_invitations(request.user), pk=pk)
    from ..tasks import send_invitation_email

    send_invitation_email.delay_on_commit(invitation_id=invitation.pk)
    messages.success(request, f"We are sending the invitation to {invitation.email} again. The old link stops working.")
    return redirect("trusts:people")


@login_required
def people_import(request: AuthedRequest) -> HttpResponse:
    _require_people(request)
    form = StaffImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and "confirm" in request.POST:
        text = request.session.pop(IMPORT_SESSION_KEY, None)
        if text is None:
            messages.error(request, "Upload the file again: the checked copy has expired.")
            return redirect("trusts:people_import")
        result = people.import_staff(actor=request.user, text=text, dry_run=False)
        if result.applied:
            messages.success(
                request,
                f"Import done: {result.count('invite')} invited, {result.count('add role')} roles added, "
                f"{result.count('no change') + result.count('already invited')} already in place.",
            )
            return redirect("trusts:people")
    elif request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"]
        result = people.import_staff(actor=request.user, text=text, dry_run=True)
        if result.valid:
            request.session[IMPORT_SESSION_KEY] = text
    return render(
        request,
        "trusts/people/import.html",
        {"form": form, "result": result},
        status=400 if form.errors or (result and not result.valid) else 200,
    )


@login_required
def single_sign_on_settings(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, "sso.manage"):
        raise Http404("Page not found")
    config = SingleSignOn.objects.filter(trust_id=int(request.user.trust_id or 0)).first()
    initial = (
        {
            "kind": config.kind,
            "issuer": config.issuer,
            "client_id": config.client_id,
            "client_secret_env": config.client_secret_env,
            "allowed_domains": config.allowed_domains,
            "idp_mfa_counts": config.idp_mfa_counts,
            "enabled": config.enabled,
        }
        if config
        else {
            "kind": SingleSignOn.Kind.MICROSOFT,
            "issuer": sso.DEFAULT_ISSUERS[SingleSignOn.Kind.MICROSOFT],
            "enabled": True,
        }
    )
    form = SingleSignOnForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sso.configure_single_sign_on(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Single sign-on saved.")
            return redirect("trusts:single_sign_on_settings")
    provider_id = config.provider_id if config else sso.provider_id_for(int(request.user.trust_id or 0))
    return render(
        request,
        "trusts/people/single_sign_on.html",
        {
            "form": form,
            "config": config,
            "callback_url": sso.callback_url(provider_id),
            "secret_saved": bool(config and (config.client_secret_encrypted or config.client_secret_env)),
        },
        status=400 if form.errors else 200,
    )
