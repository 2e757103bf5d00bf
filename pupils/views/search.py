"""Find a pupil by name or UPN from the search box in every page's header."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from trusts import audit
from trusts.http import AuthedRequest

from ..queries import SEARCH_LIMIT, SEARCH_MIN_LENGTH, may_search_pupils, search_pupils


@login_required
@require_safe
def search(request: AuthedRequest) -> HttpResponse:
    if not may_search_pupils(request.user):
        raise Http404
    query = request.GET.get("q", "")[:200]
    found = search_pupils(user=request.user, query=query) if query.strip() else None
    if found is not None and found.exact is not None:
        return redirect("pupils:record", pk=found.exact.pk)
    if found is not None and found.terms and len("".join(found.terms)) >= SEARCH_MIN_LENGTH:
        audit.record(actor=request.user, action=audit.Action.VIEW, summary=f"Pupil search ({found.total} found)")
    error = ""
    if query.strip() and (found is None or len("".join(found.terms)) < SEARCH_MIN_LENGTH):
        error = f"Enter at least {SEARCH_MIN_LENGTH} letters of the pupil's name, or their UPN."
    schools = {p.school_id for p in found.pupils} if found else set()
    context = {
        "query": query,
        "found": found,
        "error": error,
        "limit": SEARCH_LIMIT,
        "several_schools": len(schools) > 1,
    }
    return render(request, "pupils/search.html", context, status=200)
