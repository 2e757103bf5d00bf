"""The one permission map: which role may do what, and where.

`can(user, action, target)` is used by views, templates (the `can` filter) and services alike.
A target is a School, a Trust, an object with a `school` (a pupil, a concern...), or None for
"anywhere in my trust". School roles act in their own school only; trust-wide roles act in every
school of their trust. Nothing here ever crosses trusts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Union

from django_scopes import scope

from .hooks import Hooks
from .models import TRUST_WIDE_ROLES, Membership, Role, School, Trust, User

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

# Permission checks are asked about anyone, signed in or not (an anonymous visitor may do nothing).
AnyUser = Union["User", "AnonymousUser"]

CASEWORK = frozenset(
    {
        "casework.view",  # see every pupil of the school and their SEN records
        "register.change",
        "concern.triage",
        "pupils.import",
        "documents.manage",
        "access.grant",
        "plan.change",
        "delivery.log",
        "ehcp.change",
        "review.change",
        "deadline.view",
        "deadline.change",
        "audit.view",
        "calendar.change",
        "parents.invite",
        "school.dashboard",
        "provision.view",
        "sen_report.change",
    }
)
OWN_PUPILS = frozenset({"pupils.view_own", "concern.raise", "plan.view_own", "delivery.log_own"})

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.INCLUSION_LEAD: CASEWORK
    | {
        "trust.dashboard",
        "trust.casework",
        "board.report",
        "school.aggregates",
        "people.manage",
        "sso.manage",
        # The trust's data protection lead (retention, legal holds, subject access), unless the trust
        # names someone else (`DATA_PROTECTION_LEAD`).
        "data.protection",
    },
    Role.TRUSTEE: frozenset({"trust.dashboard", "board.report"}),
    Role.HEADTEACHER: CASEWORK | {"school.aggregates", "people.manage"},
    # A SENCO records and answers subject access requests for their school (the data protection lead: any).
    Role.SENCO: CASEWORK | OWN_PUPILS | {"school.aggregates", "subject_access.handle"},
    Role.TEACHER: OWN_PUPILS,
    Role.TEACHING_ASSISTANT: OWN_PUPILS,
    Role.GOVERNOR: frozenset({"school.aggregates"}),
    Role.PARENT: frozenset(
        {
            "portal.view",
            # Family portal part 1c (meetings): a parent answers the meetings the school sets for their child.
            "portal.meetings.reply",
        }
    ),
}

# Medical conditions and individual health care plans (pupils.health; issue #16, health) -----------------
# Special-category health data. The pupil's casework roles read and write it; the teachers and TAs of the
# pupil's own groups read the emergency summary and the plan (pupils.health.health_access adds "own group");
# governors and trustees never see any of it; parents read their own child's plan in the portal.
HEALTH_ACTIONS = frozenset({"health.view", "health.change"})
for _role in (Role.INCLUSION_LEAD, Role.HEADTEACHER, Role.SENCO):
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | HEALTH_ACTIONS
for _role in (Role.TEACHER, Role.TEACHING_ASSISTANT):
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | {"health.view_own"}
# Told when a plan's review is near or overdue (the SENCO and the headteacher of the pupil's school).
HEALTH_REVIEW_RECIPIENT_ROLES = (Role.SENCO, Role.HEADTEACHER)
# Exam access arrangements and reasonable adjustments (issue #16, graduated.services.arrangements): the
# SENCO, headteacher and inclusion lead record them and keep the school's list (the exams office's work); a
# pupil's own teachers and teaching assistants read them (the pupil passport). Governors and trustees never.
ARRANGEMENT_ACTIONS: dict[Role, frozenset[str]] = {
    Role.INCLUSION_LEAD: frozenset({"arrangements.manage"}),
    Role.HEADTEACHER: frozenset({"arrangements.manage"}),
    Role.SENCO: frozenset({"arrangements.manage", "arrangements.view_own"}),
    Role.TEACHER: frozenset({"arrangements.view_own"}),
    Role.TEACHING_ASSISTANT: frozenset({"arrangements.view_own"}),
}
for _arranger, _actions in ARRANGEMENT_ACTIONS.items():
    ROLE_ACTIONS[_arranger] = ROLE_ACTIONS[_arranger] | _actions
# Parents' views before a review (issue #16, views): a parent gives their views about their own child before
# a SEN support plan review or an annual review, and adds their own reports (pupils.contributions). Staff
# ask for and copy them with the review's own permission (plan.change, review.change).
ROLE_ACTIONS[Role.PARENT] = ROLE_ACTIONS[Role.PARENT] | {"portal.give_views"}
# Concerns from families (issue #16): a parent raises a concern about their own child in the portal
# (which child is `pupils.queries.children_of`'s rule) and reads the school's answer there.
ROLE_ACTIONS[Role.PARENT] = ROLE_ACTIONS[Role.PARENT] | {"portal.concern"}
# Pupil voice: the "All about me" one-page profile (pupils.voice). The pupil completes it with an adult who
# works with them: any pupil of the school for casework roles ("voice.record"), their own pupils for teachers
# and teaching assistants ("voice.record_own", with the teaching-group check in pupils.voice); parents read
# their own child's and may complete it with them at home ("voice.family"). Governors and trustees: never.
VOICE_ACTIONS: dict[Role, frozenset[str]] = {
    Role.INCLUSION_LEAD: frozenset({"voice.record"}),
    Role.HEADTEACHER: frozenset({"voice.record"}),
    Role.SENCO: frozenset({"voice.record"}),
    Role.TEACHER: frozenset({"voice.record_own"}),
    Role.TEACHING_ASSISTANT: frozenset({"voice.record_own"}),
    Role.PARENT: frozenset({"voice.family"}),
}
for _voicer, _voice_actions in VOICE_ACTIONS.items():
    ROLE_ACTIONS[_voicer] = ROLE_ACTIONS[_voicer] | _voice_actions
# Referrals to outside agencies, with parental consent (register.referrals): the casework roles of the pupil's
# school see and make them. Teachers, TAs and governors never see them (CAMHS or social care is the family's
# business); parents see their own child's in the portal and may withdraw the consent they gave there.
REFERRALS = frozenset({"referral.view", "referral.change"})
for _role in (Role.INCLUSION_LEAD, Role.HEADTEACHER, Role.SENCO):
    ROLE_ACTIONS[_role] = ROLE_ACTIONS[_role] | REFERRALS

# Which home page a person lands on when they hold several roles: the broadest first.
HOME_PRECEDENCE = [
    Role.INCLUSION_LEAD,
    Role.SENCO,
    Role.HEADTEACHER,
    Role.TEACHER,
    Role.TEACHING_ASSISTANT,
    Role.GOVERNOR,
    Role.TRUSTEE,
    Role.PARENT,
]


def memberships_of(user: AnyUser) -> list[Membership]:
    """The user's memberships, loaded once per request and cached on the user object."""
    if not isinstance(user, User) or not user.is_authenticated or user.trust_id is None:
        return []
    cached: list[Membership] | None = getattr(user, "_membership_cache", None)
    if cached is None:
        # The user's own trust, explicitly: permission checks work the same inside or outside a request.
        with scope(trust=user.trust_id):
            cached = list(Membership.objects.filter(user=user).select_related("school", "trust"))
        setattr(user, "_membership_cache", cached)  # noqa: B010 - a cache on the user object, not a field
        # The header names the trust on every page: take it from the same query rather than asking again.
        if cached and cached[0].trust_id == user.trust_id and not User.trust.is_cached(user):
            User.trust.field.set_cached_value(user, cached[0].trust)
    return cached


def roles_of(user: AnyUser) -> set[str]:
    return {m.role for m in memberships_of(user)}


def _school_id_of(target: Any) -> int | None:
    if isinstance(target, School):
        return target.pk
    school_id = getattr(target, "school_id", None)
    return int(school_id) if school_id is not None else None


def _trust_id_of(target: Any) -> int | None:
    if isinstance(target, Trust):
        return target.pk
    trust_id = getattr(target, "trust_id", None)
    return int(trust_id) if trust_id is not None else None


DATA_PROTECTION = "data.protection"
# The user the trust names as its data protection lead, if any: pupils answers (trust id -> user id | None).
# When a trust names someone, they alone hold `data.protection`; otherwise its inclusion leads do.
DATA_PROTECTION_LEAD: Hooks[Callable[[int], int | None]] = Hooks(
    "trusts.permissions.DATA_PROTECTION_LEAD",
    rule="only the data protection lead a trust names signs off the destruction of pupils' records",
    filled_by="pupils",
)


def _named_data_protection_lead(user: User, trust_id: int) -> int | None:
    cached: tuple[int | None] | None = getattr(user, "_dp_lead_cache", None)
    if cached is None:
        cached = (next((found for hook in DATA_PROTECTION_LEAD if (found := hook(trust_id)) is not None), None),)
        setattr(user, "_dp_lead_cache", cached)  # noqa: B010 - a cache on the user object, not a field
    return cached[0]


def can(user: AnyUser, action: str, target: Any = None) -> bool:
    """May `user` do `action` on `target`? Unknown actions are refused."""
    memberships = memberships_of(user)
    if not memberships:
        return False
    if action == DATA_PROTECTION and isinstance(user, User):
        target_trust = _trust_id_of(target)
        if target_trust is not None and target_trust != memberships[0].trust_id:
            return False
        named = _named_data_protection_lead(user, memberships[0].trust_id)
        if named is not None:
            return named == user.pk
    target_trust = _trust_id_of(target)
    if target_trust is not None and target_trust != memberships[0].trust_id:
        return False
    target_school = _school_id_of(target)
    for m in memberships:
        if action not in ROLE_ACTIONS.get(m.role, frozenset()):
            continue
        if m.role in TRUST_WIDE_ROLES or target is None or isinstance(target, Trust):
            return True
        if target_school is not None and m.school_id == target_school:
            return True
    return False


def schools_where(user: AnyUser, action: str) -> list[School]:
    """The schools of the user's trust in which they may do `action`."""
    memberships = memberships_of(user)
    if any(m.role in TRUST_WIDE_ROLES and action in ROLE_ACTIONS[m.role] for m in memberships):
        with scope(trust=memberships[0].trust_id):
            return list(School.objects.all())
    seen: dict[int, School] = {}
    for m in memberships:
        if m.school is not None and action in ROLE_ACTIONS.get(m.role, frozenset()):
            seen[m.school.pk] = m.school
    return sorted(seen.values(), key=lambda s: s.name)


def home_role(user: AnyUser) -> str | None:
    roles = roles_of(user)
    for role in HOME_PRECEDENCE:
        if role in roles:
            return role
    return None


# Who sees casework without a membership (a per-pupil grant): pupils answers (user -> bool).
CASEWORK_ACCESS_CHECKS: Hooks[Callable[[Any], bool]] = Hooks(
    "trusts.permissions.CASEWORK_ACCESS_CHECKS",
    rule="anyone who can open a pupil's casework (grantees included) must use MFA when it is required",
    filled_by="pupils",
)


def is_staff_member(user: AnyUser) -> bool:
    """Staff, or anyone else who can open a pupil's casework: they must use MFA when it is required."""
    if any(m.role != Role.PARENT for m in memberships_of(user)):
        return True
    return any(check(user) for check in CASEWORK_ACCESS_CHECKS)


def role_labels(memberships: Iterable[Membership]) -> str:
    labels = []
    for m in memberships:
        label = m.get_role_display()
        labels.append(f"{label}, {m.school.name}" if m.school else label)
    return "; ".join(labels)


def user_trust_id(user: User) -> int | None:
    return user.trust_id
