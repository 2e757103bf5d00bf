"""What each role's home page shows. `reports` may read every app; trusts' home view calls these."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pupils.queries import own_pupils
from trusts.http import AuthedRequest
from trusts.permissions import schools_where

from .aggregates import register_by_school


def _item(label: str, count: int, url: str) -> dict[str, Any]:
    return {"label": label, "count": count, "url": url}


def casework_home(request: AuthedRequest) -> dict[str, Any]:
    from register.concern_queries import concern_counts

    user = request.user
    items = []
    concerns = concern_counts(user)
    items.append(_item("Concerns to triage", concerns.get("new", 0), reverse("register:concern_queue")))
    items.append(
        _item(
            "Concerns in progress",
            concerns.get("in_progress", 0),
            reverse("register:concern_queue") + "?status=in_progress",
        )
    )
    from ehcp.queries import deadline_buckets
    from trusts.queries import notifications_for

    buckets = deadline_buckets(user)
    deadlines_url = reverse("ehcp:deadlines")
    items.append(_item("Statutory deadlines overdue", len(buckets.overdue), deadlines_url))
    items.append(_item("Deadlines due this week", len(buckets.this_week), deadlines_url))
    items.append(_item("Deadlines in the next 4 weeks", len(buckets.next_four_weeks), deadlines_url))
    schools = schools_where(user, "casework.view")
    from reviews.queries import DUE_SOON, annual_review_counts

    reviews = annual_review_counts(schools)
    reviews_url = reverse("reviews:list")
    items.append(_item("Annual reviews overdue", reviews["overdue"], reviews_url))
    soon = f"Annual reviews due in the next {DUE_SOON.days // 7} weeks"
    items.append(_item(soon, reviews["soon"], reviews_url))
    rows = register_by_school(schools)
    register = [{"school": row.school, "counts": {**row.counts, "total": row.roll}} for row in rows]
    support_reviews = None
    if len(rows) == 1:
        from graduated.queries import support_counts

        support = support_counts(rows[0].school)
        support_reviews = support["overdue"] + support["due"]
        overview = reverse("graduated:overview")
        items.append(_item("Support plan reviews overdue", support["overdue"], overview))
        items.append(_item("Support plan reviews due in 2 weeks", support["due"], overview))
        items.append(
            _item("Pupils with fewer than 3 parent meetings this year", support["short_of_meetings"], overview)
        )
        counts = rows[0].counts
        register_url = reverse("register:list")
        items.append(_item("Pupils on SEN support (K)", counts["K"], register_url + "?status=K"))
        items.append(_item("Pupils with an EHC plan (E)", counts["E"], register_url + "?status=E"))
        items.append(_item("Pupils being monitored", counts["M"], register_url + "?status=M"))
    from .worklist import casework_worklist

    return {
        "work": casework_worklist(user, schools, buckets, concerns.get("new", 0), support_reviews),
        "home_items": items,
        "register_by_school": register if len(schools) > 1 else [],
        "recent_notifications": list(notifications_for(user)[:5]),
    }


def teacher_home(request: AuthedRequest) -> dict[str, Any]:
    """Teachers and teaching assistants: sessions to log today, their pupils, their concerns still open."""
    from register.models import SenStatus
    from trusts.permissions import can

    from .worklist import LINES, WorkList, open_concerns_of, sessions_to_log

    user = request.user
    pupils = own_pupils(user)
    on_register = list(
        pupils.filter(register_entry__status__in=[SenStatus.MONITORING, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN])
        .select_related("register_entry")
        .order_by("legal_surname", "legal_forename", "pk")[: LINES + 1]
    )
    may_log = can(user, "delivery.log_own")
    groups = [sessions_to_log(user)] if may_log else []
    return {
        "work": WorkList.of([*groups, open_concerns_of(user)]),
        "my_pupils_on_register": on_register[:LINES],
        "more_pupils_on_register": len(on_register) > LINES,
        "my_pupil_count": pupils.count(),
        "may_log_sessions": may_log,
    }


def governor_home(request: AuthedRequest) -> dict[str, Any]:
    from .dashboards import school_dashboard

    schools = schools_where(request.user, "school.aggregates")
    return school_dashboard(schools[0]) if schools else {}


def trustee_home(request: AuthedRequest) -> dict[str, Any]:
    from .dashboards import cached_trust_dashboard
    from .delivery import trust_delivery

    schools = schools_where(request.user, "trust.dashboard")
    return cached_trust_dashboard(schools) | {"delivery": trust_delivery(schools)} if schools else {}


def parent_home(request: AuthedRequest) -> dict[str, Any]:
    from pupils.queries import children_of

    children = list(children_of(request.user).select_related("school").order_by("legal_forename"))
    return {"children": children}
