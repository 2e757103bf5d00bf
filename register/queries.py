"""Reads of the register: the filtered register page, counts, the census export and a pupil's history."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet

from pupils.models import YEAR_ORDER, Pupil, TeachingGroup
from pupils.queries import pupils_visible_to
from trusts.models import School, User

from .models import RegisterChange, RegisterEntry, SenStatus

FLAG_FIELDS = {
    "eal": "EAL",
    "fsm": "Free school meals",
    "pupil_premium": "Pupil premium",
    "looked_after": "Looked after",
}
SORTS = {
    "name": ["legal_surname", "legal_forename"],
    "year": ["year_group", "legal_surname"],
    "status": ["register_entry__status", "legal_surname"],
    "need": ["register_entry__primary_need", "legal_surname"],
    "since": ["register_entry__since", "legal_surname"],
}
ON_REGISTER_STATUSES = [SenStatus.MONITORING, SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN]


@dataclass(frozen=True)
class RegisterFilters:
    status: str = "on"  # "on" = monitoring, K or E; "all"; or one SenStatus code
    need: str = ""
    year: str = ""
    group: int | None = None
    flags: tuple[str, ...] = ()
    sort: str = "name"
    descending: bool = False


def school_pupils(school: School) -> QuerySet[Pupil]:
    """Pupils on roll at the school, with their register entry joined (one query for a page)."""
    return Pupil.objects.filter(school=school, leaving_date=None).select_related("register_entry")


def _status_q(status: str) -> Q:
    if status == "all":
        return Q()
    if status == "on":
        return Q(register_entry__status__in=ON_REGISTER_STATUSES)
    if status == SenStatus.NONE:
        return Q(register_entry__isnull=True) | Q(register_entry__status=SenStatus.NONE)
    return Q(register_entry__status=status)


def register_page(school: School, filters: RegisterFilters) -> QuerySet[Pupil]:
    qs = school_pupils(school).filter(_status_q(filters.status))
    if filters.need:
        qs = qs.filter(Q(register_entry__primary_need=filters.need) | Q(register_entry__secondary_need=filters.need))
    if filters.year:
        qs = qs.filter(year_group=filters.year)
    if filters.group:
        qs = qs.filter(group_memberships__group_id=filters.group)
    for flag in filters.flags:
        if flag in FLAG_FIELDS:
            qs = qs.filter(**{flag: True})
    order = SORTS.get(filters.sort, SORTS["name"])
    if filters.descending:
        order = [f"-{order[0]}", *order[1:]]
    if filters.sort == "year":
        # NC years sort as N1, N2, R, 1..14, not as text.
        from django.db.models import Case, IntegerField, Value, When

        year_rank = Case(
            *[When(year_group=code, then=Value(rank)) for code, rank in YEAR_ORDER.items()],
            output_field=IntegerField(),
        )
        qs = qs.annotate(year_rank=year_rank)
        order = ["-year_rank" if filters.descending else "year_rank", "legal_surname"]
    return qs.order_by(*order, "pk")


def status_counts(school: School) -> dict[str, int]:
    """Pupils on roll by register status, in one query (pupils with no entry count as N)."""
    rows = (
        school_pupils(school).values(code=F("register_entry__status")).annotate(n=Count("pk")).values_list("code", "n")
    )
    counts = {s.value: 0 for s in SenStatus}
    for code, n in rows:
        counts[code or SenStatus.NONE] += n
    counts["total"] = sum(counts[s.value] for s in SenStatus)
    return counts


def groups_for_filter(school: School) -> QuerySet[TeachingGroup]:
    return TeachingGroup.objects.filter(school=school).order_by("name")


def census_rows(school: School) -> list[list[str]]:
    """The register in census shape: UPN, SEN provision (K or E), need type ranked 1 and 2.

    Monitoring is a school list, not a census code, so only K and E are exported.
    """
    entries = (
        RegisterEntry.objects.filter(
            pupil__school=school,
            pupil__leaving_date=None,
            status__in=[SenStatus.SEN_SUPPORT, SenStatus.EHC_PLAN],
        )
        .select_related("pupil")
        .order_by("pupil__upn")
    )
    return [[e.pupil.upn, e.status, e.primary_need, e.secondary_need] for e in entries]


def register_history(pupil: Pupil) -> QuerySet[RegisterChange]:
    return RegisterChange.objects.filter(pupil=pupil).select_related("changed_by").order_by("-effective_date", "-id")


def visible_pupil(user: User, pk: int) -> QuerySet[Pupil]:
    return pupils_visible_to(user).filter(pk=pk).select_related("school", "register_entry")
