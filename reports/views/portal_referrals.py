"""The parent portal's part of referrals to outside agencies: a parent says no (withdraws the consent given)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from pupils.queries import children_of
from register import referrals
from register.models import Referral
from trusts import audit
from trusts.http import AuthedRequest
from trusts.permissions import can


@login_required
def portal_referral_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    """Confirm, then withdraw the consent in force for one of the parent's own child's referrals."""
    if not can(request.user, "portal.view"):
        raise Http404
    referral: Referral = get_object_or_404(
        Referral.objects.filter(pupil__in=children_of(request.user)).select_related("pupil", "school"), pk=pk
    )
    consent = referrals.live_consent(list(referral.consents.select_related("contact").order_by("given_on", "pk")))
    if consent is None or referral.closed_on:
        messages.info(request, "There is nothing to say no to for this referral.")
        return redirect("reports:portal_child", pk=referral.pupil_id)
    if request.method == "POST":
        try:
            referrals.withdraw_consent(
                referral=referral,
                actor=request.user,
                withdrawn_on=timezone.localdate(),
                note=request.POST.get("note", "").strip()[:1000],
            )
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"Done. The school will not share anything more with {referral.agency_label}.")
        return redirect("reports:portal_child", pk=referral.pupil_id)
    audit.record(
        actor=request.user,
        action=audit.Action.VIEW,
        obj=referral,
        pupil_id=referral.pupil_id,
        summary="Parent portal: withdraw consent",
        request=request,
    )
    return render(request, "reports/portal/referral_withdraw.html", {"referral": referral, "consent": consent})
