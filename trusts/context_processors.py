from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from .permissions import can, home_role, memberships_of, role_labels


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.trust_id is None:
        return {"nav_items": [], "current_trust": None, "current_school": None, "role_label": ""}
    from django_scopes import scope

    from .queries import unread_count

    # Explicitly the user's own trust: a sign-in request becomes authenticated after the middleware ran.
    with scope(trust=user.trust_id):
        return _navigation(request, user, unread_count(user))


def _navigation(request: HttpRequest, user: Any, unread: int) -> dict[str, Any]:
    memberships = memberships_of(user)
    schools = {m.school for m in memberships if m.school is not None}
    items: list[tuple[str, str, str | None]] = [("Home", "trusts:home", None)]
    for label, url_name, action in NAV:
        if can(user, action):
            items.append((label, url_name, action))
    for label, url_name, predicate in NAV_FOR_GRANTEES:
        if not memberships and predicate(user):
            items.append((label, url_name, None))
    nav_items = []
    for label, url_name, _ in items:
        try:
            url = reverse(url_name)
        except Exception:  # noqa: S112 - a later app's page may not exist yet
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        nav_items.append({"label": label, "url": url, "active": active})
    return {
        "nav_items": nav_items,
        "current_trust": user.trust,
        "current_school": next(iter(schools)) if len(schools) == 1 else None,
        "role_label": role_labels(memberships),
        "home_role": home_role(user),
        "unread_notifications": unread,
    }


# (label, url name, action the user needs to see the link). Later apps add their pages here.
NAV: list[tuple[str, str, str]] = [
    ("My pupils", "register:my_pupils", "pupils.view_own"),
    ("SEN register", "register:list", "casework.view"),
    ("Concerns", "register:concern_queue", "concern.triage"),
    ("My concerns", "register:my_concerns", "concern.raise"),
    ("Import", "pupils:import", "pupils.import"),
    ("School figures", "reports:school_dashboard", "school.aggregates"),
    ("Trust figures", "reports:trust_dashboard", "trust.dashboard"),
    ("Board report", "reports:board_reports", "board.report"),
    ("SEN information report", "reports:sen_information", "sen_report.change"),
    ("Your child", "reports:portal", "portal.view"),
    ("Term dates", "trusts:calendar", "calendar.change"),
    ("People", "trusts:people", "people.manage"),
    ("Access log", "trusts:audit", "audit.view"),
]

# (label, url name, predicate(user)) for people with no role, e.g. external professionals with a grant.
NAV_FOR_GRANTEES: list[tuple[str, str, Any]] = []
