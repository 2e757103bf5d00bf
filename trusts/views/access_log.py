"""The trust's access log (the audit trail) for those who may read it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from .. import queries
from ..http import AuthedRequest, require


@login_required
def audit_log(request: AuthedRequest) -> HttpResponse:
    require(request, "audit.view")
    entries = queries.audit_visible_to(request.user)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "trusts/audit.html", {"page": page})
