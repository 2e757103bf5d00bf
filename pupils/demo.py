"""Demo medical conditions and individual health care plans at Acorn Primary (`seed_health`).

Runs with the tenant scope disabled, after the register's demo has made the pupils and linked the demo
parent (seed_demo); idempotent. Through the real services, so the audit trail has the entries it would have.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from . import health
from .models import Contact, HealthCarePlan, MedicalCondition, Pupil


def _asthma(pupil: Pupil, senco: Any, today: date) -> None:
    asthma = health.record_condition(
        pupil=pupil,
        actor=senco,
        condition="Asthma",
        details="Moderate asthma; worse in cold weather and after running.",
        source=MedicalCondition.Source.GP,
        noted_on=today - timedelta(days=900),
        needs_ihcp=True,
    )
    inhaler = health.Medication(
        name="Salbutamol inhaler (blue) with spacer",
        dose="2 puffs, up to 10 in an attack",
        when="Before PE, and when wheezy or short of breath",
        given_by="Pupil, supervised by the class teacher or TA",
        kept_where="Classroom medical box (spare in the office)",
        expires_on=today + timedelta(days=200),
    )
    common: dict[str, Any] = {
        "pupil": pupil,
        "actor": senco,
        "condition_ids": [asthma.pk],
        "emergency_summary": "Asthma attack: sit upright, 2 puffs of the blue inhaler every 2 minutes up to 10. "
        "No better or can't speak: call 999, then parent.",
        "emergency_steps": "1. Keep calm and sit the pupil upright.\n2. Two puffs of the blue inhaler through the "
        "spacer, one at a time.\n3. A puff every 30 to 60 seconds, up to 10 puffs.\n4. If no better, or you are "
        "worried, call 999.\n5. Phone the parent.",
        "triggers": "Cold air, running games, dust, colds.",
        "daily_care": "Inhaler before PE.",
        "trips": "Inhaler and spacer go with the pupil; the trip leader carries the spare.",
        "exams": "Inhaler on the desk.",
        "contacts": "Mother: 07700 900123. GP: Castle Surgery 01743 000000. Asthma nurse: 01743 000001.",
        "professional_name": "Helen Marsh",
        "professional_role": "Asthma nurse",
        "medications": [inhaler],
    }

    def trained(days_ago: int) -> list[health.Training]:
        return [health.Training("Tom Brennan", "Asthma awareness and inhaler use", today - timedelta(days=days_ago))]

    # Last year's plan, then this year's review: the earlier version is kept.
    last_year = today - timedelta(days=335)
    first = health.write_plan(
        **common,
        review_due=today + timedelta(days=30),
        professional_agreed_on=last_year,
        training=trained(400),
        today=last_year,
    )
    HealthCarePlan.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(days=335))
    health.write_plan(
        **common,
        review_due=today + timedelta(days=330),
        professional_agreed_on=today,
        training=trained(30),
        today=today,
    )


def _epilepsy(pupil: Pupil, senco: Any, today: date) -> None:
    epilepsy = health.record_condition(
        pupil=pupil,
        actor=senco,
        condition="Epilepsy",
        details="Tonic-clonic seizures, about one a term.",
        source=MedicalCondition.Source.CONSULTANT,
        noted_on=today - timedelta(days=1400),
        needs_ihcp=True,
    )
    health.write_plan(
        pupil=pupil,
        actor=senco,
        condition_ids=[epilepsy.pk],
        emergency_summary="Seizure: time it, keep safe, cushion head, do not restrain. Over 5 minutes: "
        "buccal midazolam (trained staff) and call 999.",
        emergency_steps="1. Note the time.\n2. Move hard objects away; cushion the head.\n3. Do not restrain or put "
        "anything in the mouth.\n4. At 5 minutes, a trained adult gives buccal midazolam and someone calls "
        "999.\n5. Recovery position when the jerking stops; stay with the pupil.\n6. Phone the parent.",
        triggers="Tiredness, missed medication, illness with a high temperature.",
        daily_care="Morning medication at home. A quiet space to rest after a seizure.",
        trips="A trained adult and the midazolam go on every trip.",
        exams="Rest breaks; a seizure during an exam is reported for special consideration.",
        contacts="Father: 07700 900456. Epilepsy nurse: 01743 000002.",
        ehcp_section_c=False,
        review_due=today + timedelta(days=21),  # due soon: the SENCO and headteacher are reminded
        parent_agreed_by="Daniel Okafor",
        parent_agreed_on=today - timedelta(days=300),
        professional_name="Dr R. Patel",
        professional_role="Paediatric neurologist",
        professional_agreed_on=today - timedelta(days=300),
        medications=[
            health.Medication(
                name="Buccal midazolam",
                dose="10 mg",
                when="If a seizure lasts 5 minutes",
                given_by="Trained staff only",
                kept_where="Office medical cabinet (named bag)",
                expires_on=today + timedelta(days=120),
            )
        ],
        training=[
            health.Training("Priya Sharma", "Epilepsy and buccal midazolam", today - timedelta(days=310)),
            health.Training("Lucy Evans", "Epilepsy and buccal midazolam", today - timedelta(days=310)),
        ],
    )


def seed_health(objects: dict[str, Any]) -> str:
    """Acorn: the demo parent's child with asthma and an IHCP (inhaler), reviewed once; a pupil of 4B with
    epilepsy and an emergency plan due for review in three weeks; a condition with no plan."""
    acorn = objects["schools"]["acorn"]
    if HealthCarePlan.objects.filter(school=acorn).exists():
        return "Health care plans were already there."
    senco = objects["users"]["senco.acorn@oak.test"]
    today = timezone.localdate()
    parent = objects["users"]["parent.acorn@oak.test"]
    contact = Contact.objects.filter(user=parent, pupil__school=acorn).select_related("pupil").first()
    four_b = list(Pupil.objects.filter(school=acorn, group_memberships__group__name="4B").order_by("pk")[:3])
    if contact is None or len(four_b) < 3:
        return ""
    _asthma(contact.pupil, senco, today)
    others = [p for p in four_b if p.pk != contact.pupil.pk]
    _epilepsy(others[0], senco, today)
    health.record_condition(
        pupil=others[1],
        actor=senco,
        condition="Coeliac disease",
        source=MedicalCondition.Source.PARENT,
        details="Gluten-free diet; the kitchen knows.",
    )
    return "3 health care plan versions and 3 medical conditions added at Acorn."
