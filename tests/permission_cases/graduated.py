"""Permission cases for the graduated approach pages, and the builders their tests share.

Casework roles (SENCO, headteacher, inclusion lead) edit; a pupil's own teacher and teaching assistant
read the plan and passport and log sessions; governors, trustees and parents reach none of it.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_scopes import scope, scopes_disabled

from graduated import services
from graduated.models import Cycle, Provision
from pupils.models import Pupil
from register.models import RegisterEntry
from tests.factories import pupil_at
from trusts.models import Membership, Role, User

from .base import CASEWORK_ROLES, Case

TEACHING = {"teacher.acorn@oak.test", "ta.acorn@oak.test"}
LEAD = {"lead@oak.test"}


def casework_user(school: Any) -> User:
    """The school's SENCO (or the trust's inclusion lead) to act in builders."""
    with scopes_disabled():
        m = Membership.objects.filter(school=school, role=Role.SENCO).select_related("user").first() or (
            Membership.objects.filter(trust_id=school.trust_id, role=Role.INCLUSION_LEAD).select_related("user").first()
        )
    assert m is not None
    return m.user


def support_pupil(demo: Any, school: Any, *, status: str = "K", need: str = "SLCN", **fields: Any) -> Pupil:
    """A pupil on SEN support (K) at the school; at Acorn in teacher.acorn's and ta.acorn's group 4B."""
    pupil = pupil_at(demo, school, **fields)
    with scopes_disabled():
        RegisterEntry.objects.create(
            trust_id=school.trust_id,
            school=school,
            pupil=pupil,
            status=status,
            since=date(2024, 9, 2),
            primary_need=need,
        )
    return pupil


def provision(school: Any, name: str = "Phonics catch-up group", **fields: Any) -> Provision:
    """A provision of the school's catalogue (made once per name) with the demo rates set."""
    values: dict[str, Any] = {
        "wave": 2,
        "area": "cognition",
        "staff_role": "ta",
        "group_size": 4,
        "sessions_per_week": Decimal(3),
        "minutes_per_session": 20,
        "start_date": date(2024, 9, 2),
        "description": "Letter sounds practice in a small group.",
    }
    values.update(fields)
    with scope(trust=school.trust_id):
        existing = Provision.objects.filter(school=school, name=name).first()
        if existing is not None:
            return existing
        actor = casework_user(school)
        services.set_rates(
            school=school,
            actor=actor,
            rates={"ta": Decimal(18), "hlta": Decimal(22), "teacher": Decimal(40), "specialist": Decimal(60)},
        )
        return services.save_provision(school=school, actor=actor, name=name, **values)


def assessing_cycle(demo: Any, school: Any, **fields: Any) -> Cycle:
    pupil = support_pupil(demo, school, **fields)
    with scope(trust=school.trust_id):
        return services.start_cycle(
            pupil=pupil, actor=casework_user(school), started_on=timezone.localdate() - timedelta(days=20)
        )


def active_cycle(demo: Any, school: Any, *, review_in_days: int = 30, **fields: Any) -> Cycle:
    """A pupil on SEN support with a plan in place: one outcome, one strategy, one provision."""
    cycle = assessing_cycle(demo, school, **fields)
    catalogue_item = provision(school)
    actor = casework_user(school)
    today = timezone.localdate()
    with scope(trust=school.trust_id):
        services.add_outcome(
            cycle=cycle,
            actor=actor,
            description="Read the first 100 high-frequency words",
            baseline="Reads 40 of 100",
            target="Reads 80 of 100",
            measured_by="Weekly word check",
            baseline_score=Decimal(40),
            target_score=Decimal(80),
        )
        services.add_strategy(cycle=cycle, actor=actor, text="Give instructions one step at a time")
        services.allocate_provision(cycle=cycle, actor=actor, provision=catalogue_item)
        services.confirm_plan(
            cycle=cycle,
            actor=actor,
            review_date=today + timedelta(days=review_in_days),
            expected_impact="Reads more fluently in class",
            planned_on=today - timedelta(days=14),
        )
        cycle.refresh_from_db()
    return cycle


def _pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": support_pupil(demo, school).pk}


def _active_pupil(demo: Any, school: Any) -> dict[str, Any]:
    return {"pupil_id": active_cycle(demo, school).pupil_id}


def _cycle(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": assessing_cycle(demo, school).pk}


def _active(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": active_cycle(demo, school).pk}


def _outcome(demo: Any, school: Any) -> dict[str, Any]:
    cycle = active_cycle(demo, school)
    with scopes_disabled():
        return {"pk": cycle.pk, "outcome_id": cycle.outcomes.get().pk}


def _strategy_remove(demo: Any, school: Any) -> dict[str, Any]:
    cycle = active_cycle(demo, school)
    with scopes_disabled():
        return {"pk": cycle.pk, "kind": "strategy", "item_id": cycle.strategies.get().pk}


def _provision(demo: Any, school: Any) -> dict[str, Any]:
    return {"pk": provision(school).pk}


READERS = {"own": CASEWORK_ROLES | TEACHING, "other_school": LEAD}
EDITORS = {"own": CASEWORK_ROLES, "other_school": LEAD}

CASES: list[Case] = [
    Case("graduated:overview", own=CASEWORK_ROLES),
    Case("graduated:provision_map", own=CASEWORK_ROLES),
    Case("graduated:provision_map_csv", own=CASEWORK_ROLES),
    Case("graduated:provision_impact_csv", own=CASEWORK_ROLES),
    Case("graduated:catalogue", own=CASEWORK_ROLES),
    Case("graduated:provision_new", own=CASEWORK_ROLES),
    Case("graduated:rates", own=CASEWORK_ROLES),
    # Anyone who logs sessions: casework roles for their schools, teachers and TAs for their own pupils.
    Case("graduated:sessions", own=CASEWORK_ROLES | TEACHING),
    Case("graduated:provision_edit", kwargs=_provision, **EDITORS),
    Case("graduated:pupil", kwargs=_pupil, **READERS),
    Case("graduated:passport", kwargs=_active_pupil, **READERS),
    Case("graduated:plan_pdf", kwargs=_active_pupil, **READERS),
    Case("graduated:log_session", kwargs=_active_pupil, **READERS),
    Case("graduated:cycle_start", kwargs=_pupil, **EDITORS),
    Case("graduated:meeting_new", kwargs=_pupil, **EDITORS),
    Case("graduated:cycle", kwargs=_active, **READERS),
    Case("graduated:assess", kwargs=_cycle, **EDITORS),
    Case("graduated:assessment_new", kwargs=_cycle, **EDITORS),
    Case("graduated:outcome_new", kwargs=_cycle, **EDITORS),
    Case("graduated:outcome_edit", kwargs=_outcome, **EDITORS),
    Case("graduated:strategy_new", kwargs=_cycle, **EDITORS),
    Case("graduated:allocation_new", kwargs=_cycle, **EDITORS),
    Case("graduated:plan", kwargs=_cycle, **EDITORS),
    Case("graduated:review", kwargs=_active, **EDITORS),
    Case("graduated:item_remove", kwargs=_strategy_remove, method="post", ok=(302,), **EDITORS),
]
