"""The navigation every page shows, built here at the top so that it can name every app's pages directly.

The menu has a few sections (Pupils, Support, EHC, Reports, Admin) that fit one row on a laptop and a "Menu"
button on a phone; the section a page belongs to is marked and its pages show in a second row below. Each page
is (label, URL name, the actions that show it: any one is enough; see trusts.permissions). A section a person
has no page in is not shown; a section's own link opens its first page. People with no role but a per-pupil
grant (an external professional, cover staff) see only "Shared with me".
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django_scopes import scope

from pupils.grants import has_casework_grants
from trusts.models import Role, User
from trusts.permissions import DATA_PROTECTION, can, home_role, memberships_of, role_labels
from trusts.queries import unread_count

Page = tuple[str, str, tuple[str, ...]]

# (section, the URL prefixes of its other pages (a pupil's record, a plan), its pages)
SECTIONS: tuple[tuple[str, tuple[str, ...], tuple[Page, ...]], ...] = (
    (
        "Pupils",
        ("/pupils/", "/register/"),
        (
            ("My pupils", "register:my_pupils", ("pupils.view_own",)),
            ("SEN register", "register:list", ("casework.view",)),
            ("Concerns", "register:concern_queue", ("concern.triage",)),
            ("My concerns", "register:my_concerns", ("concern.raise",)),
            ("Referrals", "register:referral_list", ("referral.view",)),
        ),
    ),
    (
        "Support",
        ("/support/",),
        (
            ("SEN support", "graduated:overview", ("plan.change",)),
            ("Log a session", "graduated:sessions", ("delivery.log_own",)),
            ("Provision map", "graduated:provision_map", ("provision.view",)),
            ("Access arrangements", "graduated:arrangements", ("arrangements.manage",)),
        ),
    ),
    (
        "EHC",
        ("/ehc/", "/reviews/"),
        (
            ("Deadlines", "ehcp:deadlines", ("deadline.view",)),
            ("EHC plans", "ehcp:plans", ("ehcp.change",)),
            ("Consultations", "ehcp:consultations", ("ehcp.change",)),
            ("Annual reviews", "reviews:list", ("review.change",)),
        ),
    ),
    (
        "Reports",
        ("/figures/", "/board-reports/", "/sen-information-report/", "/evidence-pack/", "/sen-file-pack/"),
        (
            ("School figures", "reports:school_dashboard", ("school.aggregates",)),
            ("Trust figures", "reports:trust_dashboard", ("trust.dashboard",)),
            # Full numbers for the schools whose deadlines a person sees; trustees': small numbers hidden.
            ("Local authorities", "reports:la_record", ("deadline.view", "trust.dashboard")),
            ("Board report", "reports:board_reports", ("board.report",)),
            # Governors read the report (and every version); the SENCO, headteacher and lead also write it.
            ("SEN information report", "reports:sen_information", ("school.aggregates",)),
        ),
    ),
    (
        "Admin",
        ("/term-dates/", "/people/", "/access-log/", "/schools/", "/data-protection/"),
        (
            ("People", "trusts:people", ("people.manage",)),
            ("Import pupils", "pupils:import", ("pupils.import",)),
            ("Term dates", "trusts:calendar", ("calendar.change",)),
            ("Schools", "trusts:schools", ("trust.casework",)),
            ("Data protection", "reports:data_protection", ("subject_access.handle", DATA_PROTECTION)),
            ("Access log", "trusts:audit", ("audit.view",)),
        ),
    ),
    ("Your child", ("/family/",), (("Your child", "reports:portal", ("portal.view",)),)),
)
SHARED_WITH_ME = ("Shared with me", "pupils:shared_with_me")


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: the navigation, the trust and school shown in the header, the role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.trust_id is None:
        return {
            "nav_items": [],
            "nav_pages": [],
            "current_trust": None,
            "current_school": None,
            "role_label": "",
            "pupil_search_url": "",
            "family_page": False,
            "family_schools": [],
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


def _link(label: str, url: str, active: bool) -> dict[str, Any]:
    return {"label": label, "url": url, "active": active}


def menu_for(user: User, path: str, *, granted: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The top row (Home and the person's sections, each {label, url, active}) and the pages of the section
    `path` belongs to (empty when that section has only one page, or the path belongs to none). A path belongs
    to the section with the longest matching prefix: a page's own address or one of the section's prefixes.
    `granted`: the person has no role but pupils shared with them."""
    sections = []
    for name, prefixes, entries in SECTIONS:
        links = [
            (label, reverse(url_name)) for label, url_name, actions in entries if any(can(user, a) for a in actions)
        ]
        if links:
            sections.append((name, prefixes, links))
    if not sections and granted:
        label, url_name = SHARED_WITH_ME
        sections.append((label, ("/pupils/",), [(label, reverse(url_name))]))

    best: tuple[int, int, str | None] = (0, -1, None)  # (prefix length, section index, page url)
    for index, (_name, prefixes, links) in enumerate(sections):
        for prefix in prefixes:
            if path.startswith(prefix) and len(prefix) > best[0]:
                best = (len(prefix), index, None)
        for _label, url in links:
            if path.startswith(url) and len(url) >= best[0]:
                best = (len(url), index, url)
    _length, current, current_page = best

    top = [_link("Home", reverse("reports:home"), path == "/")]
    top += [_link(name, links[0][1], index == current) for index, (name, _p, links) in enumerate(sections)]
    pages: list[dict[str, Any]] = []
    if current >= 0 and len(sections[current][2]) > 1:
        pages = [_link(label, url, url == current_page) for label, url in sections[current][2]]
    return top, pages


def _navigation(request: HttpRequest, user: User) -> dict[str, Any]:
    memberships = memberships_of(user)
    schools = {m.school for m in memberships if m.school is not None}
    granted = not memberships and has_casework_grants(user)
    top, pages = menu_for(user, request.path, granted=granted)
    # Someone who is only a parent reads the family footer on every page (base.html); anyone with a staff role
    # keeps the staff warning, even on pages a parent also opens (notifications, privacy, two-factor set-up).
    family = bool(memberships) and all(m.role == Role.PARENT for m in memberships)
    return {
        "family_page": family,
        "family_schools": sorted(schools, key=lambda s: s.name) if family else [],
        "nav_items": top,
        "nav_pages": pages,
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
