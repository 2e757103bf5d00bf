"""The platform operator's onboarding page: upload a GIAS extract, see what it will do, confirm.

Only platform operators (`onboarding.is_platform_operator`) reach it; everyone else gets 404, as for any
page they may not see. The second factor is required by MFAThisSessionMiddleware, as for the admin.
The preview keeps only the trust's rows in the session (the whole-country file is too large to keep), and
confirming runs the same service on them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from .. import gias
from ..forms import OnboardTrustForm, add_service_errors
from ..http import AuthedRequest
from ..onboarding import is_platform_operator, onboard_trust

SESSION_KEY = "_send_onboarding"
TEMPLATE = "trusts/onboarding/onboard.html"


def _to_session(extract: gias.Extract, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "rows": [[r.row, r.cells] for r in extract.rows],
        "trust_code": data["trust_code"],
        "lead_email": data["lead_email"],
        "resend": bool(data.get("resend")),
    }


def _from_session(stored: dict[str, Any]) -> gias.Extract:
    rows = tuple(gias.RegisterRow(row=int(n), cells=dict(cells)) for n, cells in stored["rows"])
    return gias.Extract(rows=rows, total_rows=len(rows))


@login_required
def onboard(request: AuthedRequest) -> HttpResponse:
    if not is_platform_operator(request.user):
        raise Http404("Page not found")
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request)
    form = OnboardTrustForm(request.POST or None, request.FILES or None)
    summary = None
    if request.method == "POST":
        request.session.pop(SESSION_KEY, None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                extract = gias.read_extract(data["file"], trust_code=data["trust_code"])
                summary = onboard_trust(
                    extract=extract,
                    trust_code=data["trust_code"],
                    lead_email=data["lead_email"],
                    actor=request.user,
                    today=timezone.localdate(),
                    dry_run=True,
                    resend=data["resend"],
                )
            except gias.NotAnExtract as exc:
                form.add_error("file", str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                request.session[SESSION_KEY] = _to_session(extract, data)
    return render(request, TEMPLATE, {"form": form, "summary": summary}, status=400 if form.errors else 200)


def _confirm(request: AuthedRequest) -> HttpResponse:
    stored = request.session.pop(SESSION_KEY, None)
    if not stored:
        messages.error(request, "Upload the file again: the checked copy has expired.")
        return redirect("trusts:platform_onboard")
    try:
        summary = onboard_trust(
            extract=_from_session(stored),
            trust_code=stored["trust_code"],
            lead_email=stored["lead_email"],
            actor=request.user,
            today=timezone.localdate(),
            resend=stored["resend"],
        )
    except ValidationError as exc:
        # Something changed since the preview (another operator, a school added by hand): show it.
        form = OnboardTrustForm(initial={"trust_code": stored["trust_code"], "lead_email": stored["lead_email"]})
        form.is_bound = False
        problems = exc.messages
        return render(request, TEMPLATE, {"form": form, "problems": problems}, status=400)
    messages.success(
        request,
        f"{summary.trust_name} is set up: {len(summary.created)} schools created, {len(summary.updated)} "
        f"updated, {len(summary.closed)} flagged closed, {len(summary.unchanged)} unchanged. "
        f"{summary.invitation_text}.",
    )
    return redirect("trusts:platform_onboard")
