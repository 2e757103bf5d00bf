"""The navigation every page shows, built here at the top so that it can name every app's pages directly.

Each entry is (label, URL name, the action a person needs to see it; see trusts.permissions). People with
no role but a per-pupil grant (an external professional, cover staff) see only "Shared with me".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django_scopes import scope

from pupils.grants import has_casework_grants
from trusts.models import User
from trusts.permissions import can, home_role, memberships_of, role_labels
from trusts.queries import unread_count

NAV: tuple[tuple[str, str, str], ...] = (
    ("My pupils", "register:my_pupils", "pupils.view_own"),
    ("SEN register", "register:list", "casework.view"),
    ("Concerns", "register:concern_queue", "concern.triage"),
    ("My concerns", "register:my_concerns", "concern.raise"),
    ("Referrals", "register:referral_list", "referral.view"),
    ("SEN support", "graduated:overview", "plan.change"),
    ("Provision map", "graduated:provision_map", "provision.view"),
    ("Access arrangements", "graduated:arrangements", "arrangements.manage"),
    ("Log a session", "graduated:sessions", "delivery.log_own"),
    ("Deadlines", "ehcp:deadlines", "deadline.view"),
    ("EHC plans", "ehcp:plans", "ehcp.change"),
    ("Consultations", "ehcp:consultations", "ehcp.change"),
    ("Annual reviews", "reviews:list", "review.change"),
    ("Import", "pupils:import", "pupils.import"),
    ("School figures", "reports:school_dashboard", "school.aggregates"),
    ("Trust figures", "reports:trust_dashboard", "trust.dashboard"),
    ("Board report", "reports:board_reports", "board.report"),
    # Governors read the report (and every version); the SENCO, headteacher and lead also write it.
    ("SEN information report", "reports:sen_information", "school.aggregates"),
    ("Your child", "reports:portal", "portal.view"),
    ("Term dates", "trusts:calendar", "calendar.change"),
    ("People", "trusts:people", "people.manage"),
    ("Access log", "trusts:audit", "audit.view"),
)
SHARED_WITH_ME = ("Shared with me", "pupils:shared_with_me")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: the navigation, the trust and school shown in the header, the role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.trust_id is None:
        return {
            "nav_items": [],
            "current_trust": None,
            "current_school": None,
            "role_label": "",
            "pupil_search_url": "",
        }
    # Once per request: a page that renders parts of itself with the request (the pupil record's blocks)
    # runs every context processor again for each part.
    cached = getattr(request, "_send_navigation", None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    # Explicitly the user's own trust: a sign-in request becomes authenticated after the middleware ran.
    with scope(trust=user.trust_id):
        context = _navigation(request, user)
    request._send_navigation = (user.pk, context)  # type: ignore[attr-defined]
    return context


def _navigation(request: HttpRequest, user: User) -> dict[str, Any]:
    memberships = memberships_of(user)
    schools = {m.school for m in memberships if m.school is not None}
    items = [("Home", "reports:home")]
    items += [(label, url_name) for label, url_name, action in NAV if can(user, action)]
    granted = not memberships and has_casework_grants(user)
    if granted:
        items.append(SHARED_WITH_ME)
    nav_items = []
    for label, url_name in items:
        url = reverse(url_name)
        active = request.path == url if url == "/" else request.path.startswith(url)
        nav_items.append({"label": label, "url": url, "active": active})
    return {
        "nav_items": nav_items,
        "current_trust": user.trust,
        "current_school": next(iter(schools)) if len(schools) == 1 else None,
        "role_label": role_labels(memberships),
        "home_role": home_role(user),
        "unread_notifications": unread_count(user),
        # The header's pupil search, for everyone who can open a pupil's record (pupils.queries.may_search_pupils,
        # decided here from what the navigation already knows, so it costs no query).
        "pupil_search_url": reverse("pupils:search")
        if can(user, "casework.view") or can(user, "pupils.view_own") or granted
        else "",
    }
