"""Reads for referrals: who sees which, a school's list (waiting times, overdue), one referral's page, the
pupil record's part and timeline, and what a parent reads in the portal. Each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from pupils.models import Pupil
from pupils.timeline import event_rows
from trusts.models import School, User
from trusts.permissions import can, schools_where

from .models import Referral, ReferralAppointment, ReferralConsent, ReferralDocument
from .referrals import OPEN, Direction, Status, live_consent, overdue_before


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """Referrals of the schools where the person may see them (casework roles); none for anyone else."""
    if not getattr(user, "is_authenticated", False) or user.trust_id is None:
        return Referral.objects.none()
    return Referral.objects.filter(school__in=schools_where(user, "referral.view"))


@dataclass(frozen=True)
class ListFilters:
    agency: str = ""
    status: str = ""  # "" open ones, "all", "overdue", or a Status
    search: str = ""


def school_list(school: School, filters: ListFilters) -> QuerySet[Referral]:
    """A school's referrals for the list page: oldest referral first, with what the page shows (one query)."""
    qs = Referral.objects.filter(school=school).select_related("pupil")
    if filters.agency:
        qs = qs.filter(agency=filters.agency)
    if filters.status == "overdue":
        qs = qs.filter(status=Status.REFERRED, referred_on__lte=overdue_before())
    elif filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    elif filters.status != "all":
        qs = qs.filter(status__in=OPEN)
    return qs.order_by(F("referred_on").asc(nulls_last=True), "created_at", "pk")


def list_counts(school: School) -> dict[str, int]:
    """How many are open, and how many are overdue (one query)."""
    return Referral.objects.filter(school=school).aggregate(
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=Q(status=Status.REFERRED, referred_on__lte=overdue_before())),
    )


def days_between(start: date | None, end: date | None = None) -> int | None:
    if start is None:
        return None
    return ((end or timezone.localdate()) - start).days


def waiting(referral: Referral, today: date | None = None) -> dict[str, Any]:
    """The waiting times the list shows: days since referred, since accepted, and whether it is overdue."""
    today = today or timezone.localdate()
    accepted = referral.response_on if referral.response in {"accepted", "waiting_list"} else None
    open_ = referral.status in OPEN
    return {
        "since_referred": days_between(referral.referred_on, today) if open_ else None,
        "since_accepted": days_between(accepted, today) if open_ else None,
        "overdue": referral.status == Status.REFERRED
        and referral.referred_on is not None
        and referral.referred_on <= overdue_before(today),
    }


def with_waiting(referrals: Any) -> list[Referral]:
    rows = list(referrals)
    today = timezone.localdate()
    for r in rows:
        r.waiting = waiting(r, today)  # type: ignore[attr-defined]
    return rows


def referral_for_page(user: User, pk: int) -> Referral:
    """One referral with everything its page shows (a fixed number of queries); DoesNotExist if not visible."""
    return (
        referrals_visible_to(user)
        .select_related("pupil", "school", "concern", "created_by", "referred_by", "response_by", "closed_by")
        .select_related("grant__user")
        .prefetch_related(
            Prefetch(
                "consents",
                queryset=ReferralConsent.objects.select_related("contact", "recorded_by", "withdrawn_by").order_by(
                    "given_on", "pk"
                ),
            ),
            Prefetch("appointments", queryset=ReferralAppointment.objects.select_related("recorded_by")),
            Prefetch("documents", queryset=ReferralDocument.objects.select_related("document", "recorded_by")),
        )
        .get(pk=pk)
    )


def steps_of(referral: Referral) -> dict[str, Any]:
    """The prefetched steps of a referral, split for its page."""
    consents = list(referral.consents.all())
    documents = list(referral.documents.all())
    return {
        "consents": consents,
        "consent": live_consent(consents),
        "appointments": list(referral.appointments.all()),
        "sent": [d for d in documents if d.direction == Direction.SENT],
        "received": [d for d in documents if d.direction == Direction.RECEIVED],
    }


def referrals_for_record(user: User, pupil: Pupil) -> list[Referral]:
    """The pupil's referrals for the record (casework roles only; one query)."""
    if not can(user, "referral.view", pupil):
        return []
    return with_waiting(Referral.objects.filter(pupil=pupil).order_by("-created_at", "-pk"))


def timeline_source(user: Any, pupil: Pupil) -> list[QuerySet[Any]]:
    """pupils.timeline: referrals made, the agencies' responses, appointments and reports (casework roles)."""
    if not can(user, "referral.view", pupil):
        return []
    referrals = Referral.objects.filter(pupil=pupil)
    return [
        event_rows(referrals, kind="referral.made", day="referred_on", note=F("agency")),
        event_rows(referrals, kind="referral.response", day="response_on", note=F("response")),
        event_rows(
            ReferralAppointment.objects.filter(referral__pupil=pupil),
            kind="referral.appointment",
            day="on",
            note=F("referral__agency"),
            ref="referral_id",
        ),
        event_rows(
            ReferralDocument.objects.filter(referral__pupil=pupil, direction=Direction.RECEIVED),
            kind="referral.report",
            day="on",
            note=F("referral__agency"),
            ref="referral_id",
        ),
    ]


def referrals_for_parent(pupil: Pupil) -> list[Referral]:
    """What a parent reads in the portal: referrals for which consent was recorded, with the consents."""
    consents = ReferralConsent.objects.select_related("contact").order_by("given_on", "pk")
    return list(
        Referral.objects.filter(pupil=pupil, consents__isnull=False)
        .distinct()
        .prefetch_related(Prefetch("consents", queryset=consents), "appointments")
        .order_by("-created_at", "-pk")
    )
