"""Demo pupils, groups, parents and a realistic SEN register for the demo schools (idempotent)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from pupils.models import Contact, GroupMember, GroupStaff, Pupil, TeachingGroup
from pupils.upn import make_upn
from trusts.dates import academic_year_of

from .family_concerns import default_reply
from .models import CauseForConcern, NeedType, SenStatus
from .services import change_status

FORENAMES = (
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace Daisy "
    "Sienna Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Aisha Zara Maryam Amira "
    "Noah Muhammad Oliver George Arthur Leo Harry Oscar Archie Henry Theodore Freddie Jack Charlie "
    "Theo Alfie Jacob Thomas Finley Ibrahim Yusuf Kai Reuben Ezra Caleb Joshua Ollie Tommy Dylan "
    "Kacper Mateo Amir Ravi Priya Ananya Chloe"
).split()
SURNAMES = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker "
    "White Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis James Phillips Mason Mitchell "
    "Rose Davis Rodriguez Cox Alexander Morgan Ahmed Hussain Ali Begum Kaur Singh Nowak Kowalski "
    "Murphy Kelly O'Brien Campbell Stewart Hughes Edwards Turner Hill Cooper Ward Morris Moore "
    "Harris Clark Baker Price Bennett Gray Shaw Hunt Okafor Mensah Adeyemi Nguyen Chen Silva Santos"
).split()
# Weights roughly follow the national profile: SLCN most common at SEN support, ASD for EHC plans.
SUPPORT_NEEDS = ["SLCN"] * 6 + ["SEMH"] * 5 + ["MLD"] * 4 + ["SPLD"] * 4 + ["ASD"] * 3 + ["OTH", "PD", "HI", "NSA"]
EHC_NEEDS = ["ASD"] * 5 + ["SLCN"] * 2 + ["SEMH"] * 2 + ["SLD", "PD", "MLD", "PMLD", "DS", "VI"]
PRIMARY_YEARS = ["R", "1", "2", "3", "4", "5", "6"]
SECONDARY_YEARS = ["7", "8", "9", "10", "11"]
SIZES = {"acorn": 200, "beech": 600, "willow": 150}


def _birth_date(rng: random.Random, year_group: str, academic_year: int) -> date:
    age_on_1_sept = {"R": 4}.get(year_group, int(year_group) + 4 if year_group.isdigit() else 4)
    born_year = academic_year - age_on_1_sept - 1
    return date(born_year, 9, 1) + timedelta(days=rng.randrange(365))


@transaction.atomic
def seed_school(school: Any, key: str, users: dict[str, Any], rng: random.Random, today: date) -> tuple[int, int, int]:
    if Pupil.objects.filter(school=school).exists():
        return 0, 0, 0
    years = SECONDARY_YEARS if school.phase == "secondary" else PRIMARY_YEARS
    academic_year = academic_year_of(today)
    per_year = SIZES[key] // len(years)
    pupils: list[Pupil] = []
    serial = 0
    for year in years:
        forms = ["A", "B", "C", "D"] if school.phase == "secondary" else ["A", "B"] if per_year > 25 else ["A"]
        for i in range(per_year):
            serial += 1
            form = forms[i % len(forms)]
            pupils.append(
                Pupil(
                    trust_id=school.trust_id,
                    school=school,
                    upn=make_upn(
                        int(school.la_code),
                        int(school.establishment_number),
                        (academic_year - 2000) % 100,
                        serial,
                    ),
                    legal_surname=rng.choice(SURNAMES),
                    legal_forename=rng.choice(FORENAMES),
                    date_of_birth=_birth_date(rng, year, academic_year),
                    gender=rng.choice("FM"),
                    year_group=year,
                    reg_group=f"{year}{form}",
                    # Never after today: in the first week of September this year's joiners have not started.
                    admission_date=min(date(academic_year - rng.randrange(0, 3), 9, rng.randrange(2, 8)), today),
                    eal=rng.random() < 0.18,
                    fsm=rng.random() < 0.22,
                    pupil_premium=rng.random() < 0.25,
                    looked_after=rng.random() < 0.01,
                )
            )
    Pupil.objects.bulk_create(pupils)
    pupils = list(Pupil.objects.filter(school=school).order_by("pk"))
    groups = {}
    for reg in sorted({p.reg_group for p in pupils}):
        groups[reg] = TeachingGroup.objects.create(trust_id=school.trust_id, school=school, name=reg, kind="class")
    GroupMember.objects.bulk_create(
        GroupMember(trust_id=school.trust_id, group=groups[p.reg_group], pupil=p) for p in pupils
    )
    # The demo teachers and TAs teach real classes.
    staff = {
        "acorn": [
            ("teacher.acorn@oak.test", "4B", "teacher"),
            ("ta.acorn@oak.test", "4B", "ta"),
            ("ta.acorn@oak.test", "3A", "ta"),
        ],
        "willow": [("teacher.willow@river.test", "3A", "teacher")],
    }.get(key, [])
    for email, group, role in staff:
        if group in groups:
            GroupStaff.objects.create(trust_id=school.trust_id, group=groups[group], user=users[email], role=role)

    senco = next((u for e, u in users.items() if e.startswith(f"senco.{key}@")), None)
    support = ehc = 0
    for p in rng.sample(pupils, k=len(pupils)):
        roll = rng.random()
        if roll < 0.04:
            status, need = SenStatus.SEN_SUPPORT, rng.choice(EHC_NEEDS)  # E needs a plan record: K here
            ehc += 1
        elif roll < 0.19:
            status, need = SenStatus.SEN_SUPPORT, rng.choice(SUPPORT_NEEDS)
            support += 1
        elif roll < 0.23:
            status, need = SenStatus.MONITORING, ""
        else:
            continue
        start = max(p.admission_date or today, today - timedelta(days=rng.randrange(30, 700)))
        start = min(start, today)
        secondary = (
            rng.choice([n for n in SUPPORT_NEEDS if n not in (need, NeedType.NSA)])
            if need and rng.random() < 0.3
            else ""
        )
        change_status(
            pupil=p,
            to_status=status,
            actor=senco,
            reason="Identified through the graduated approach"
            if status != SenStatus.MONITORING
            else "Teacher concern: watching progress this term",
            effective_date=start,
            primary_need=need,
            secondary_need=secondary if need != NeedType.NSA else "",
            parents_told_on=start if status != SenStatus.MONITORING else None,
            check_permission=False,
        )
    return len(pupils), support, ehc


def link_demo_parents(schools: dict[str, Any], users: dict[str, Any]) -> None:
    for key, email, group in (
        ("acorn", "parent.acorn@oak.test", "4B"),
        ("willow", "parent.willow@river.test", "3A"),
    ):
        parent = users[email]
        if Contact.objects.filter(user=parent).exists():
            continue
        child = (
            Pupil.objects.filter(
                school=schools[key],
                group_memberships__group__name=group,
                register_entry__status=SenStatus.SEN_SUPPORT,
            )
            .order_by("pk")
            .first()
        )
        if child is None:
            continue
        Contact.objects.create(
            trust_id=child.trust_id,
            pupil=child,
            name=parent.full_name,
            relationship="Mother",
            parental_responsibility=True,
            email=parent.email,
            user=parent,
        )


def seed_pupils_and_register(objects: dict[str, Any]) -> str:
    """Seed every demo school; returns a one-line summary. Runs with scopes disabled (seed_demo)."""
    rng = random.Random(2026)
    today = timezone.localdate()
    totals = [0, 0, 0]
    for key, school in objects["schools"].items():
        counts = seed_school(school, key, objects["users"], rng, today)
        totals = [a + b for a, b in zip(totals, counts, strict=True)]
    link_demo_parents(objects["schools"], objects["users"])
    seed_family_concerns(objects["users"])
    return (
        f"{totals[0]} pupils added ({totals[1] + totals[2]} on SEN support)."
        if totals[0]
        else "Pupils were already there."
    )


def seed_family_concerns(users: dict[str, Any]) -> None:
    """Acorn's demo parent has raised two concerns in the portal: one answered, one waiting in the SENCO's
    queue (marked "from a parent or carer"). Idempotent: nothing is added once the parent has raised one."""
    parent, senco = users["parent.acorn@oak.test"], users["senco.acorn@oak.test"]
    child = Pupil.objects.filter(contacts__user=parent).order_by("pk").first()
    if child is None or CauseForConcern.objects.filter(raised_by=parent, from_portal=True).exists():
        return
    now = timezone.now()
    common = {
        "trust_id": child.trust_id,
        "school_id": child.school_id,
        "pupil": child,
        "raised_by": parent,
        "source": CauseForConcern.Source.PARENT,
        "from_portal": True,
        "parents_spoken_to": True,
    }
    answered = CauseForConcern.objects.create(
        **common,
        observations="My child gets very upset before school on Mondays and says the classroom is too noisy.",
        noticed_since=now.date() - timedelta(days=120),
        helps_at_home="A quiet corner and telling them the plan for the day the night before.",
        wanted_from_school="Could they have somewhere quiet to go when it gets too much?",
        pupil_view="It is too loud and I can't think.",
        status=CauseForConcern.Status.CLOSED,
        outcome=CauseForConcern.Outcome.MONITOR,
        outcome_notes="Spoke to class teacher: ear defenders and a calm corner trialled; review at half term.",
        family_reply=default_reply(CauseForConcern.Outcome.MONITOR)
        + " They can use the calm corner in class when it gets too loud.",
        triaged_by=senco,
        triaged_at=now - timedelta(days=20),
    )
    CauseForConcern.objects.filter(pk=answered.pk).update(created_at=now - timedelta(days=34))
    CauseForConcern.objects.create(
        **common,
        observations="Homework takes a very long time and my child mixes up letters like b and d.",
        noticed_since=now.date() - timedelta(days=60),
        helps_at_home="Reading together every night and breaking homework into short bits.",
        wanted_from_school="Please check whether they need help with reading and spelling.",
    )


DEMO_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _demo_contact(pupil: Pupil) -> Contact:
    contact = Contact.objects.filter(pupil=pupil).order_by("pk").first()
    if contact is None:
        contact = Contact.objects.create(
            trust_id=pupil.trust_id, pupil=pupil, name=f"Sam {pupil.legal_surname}", relationship="Father"
        )
    return contact


@transaction.atomic
def seed_referrals(objects: dict[str, Any]) -> str:
    """Acorn's referrals to outside agencies, in several states: waiting for consent, referred and overdue
    (no response after the overdue weeks), an appointment booked (parent.acorn's child, seen in the portal),
    and a report received. Through the services, so every rule holds. Idempotent."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_scopes import scope

    from pupils.documents import upload_document

    from . import referral_steps as steps
    from . import referrals
    from .models import Referral

    school, users = objects["schools"]["acorn"], objects["users"]
    senco = users["senco.acorn@oak.test"]
    with scope(trust=school.trust_id):
        if Referral.objects.filter(school=school).exists():
            return ""
        today = timezone.localdate()
        parent_child = Pupil.objects.filter(contacts__user=users["parent.acorn@oak.test"]).first()
        others = list(
            Pupil.objects.filter(school=school, register_entry__status=SenStatus.SEN_SUPPORT)
            .exclude(pk__in=[parent_child.pk] if parent_child else [])
            .order_by("pk")[:3]
        )
        if len(others) < 3:
            return ""
        plans = [
            (others[0], Referral.Agency.EP, "waiting"),
            (others[1], Referral.Agency.SALT, "overdue"),
            (parent_child or others[2], Referral.Agency.OT, "appointment"),
            (others[2], Referral.Agency.CAMHS, "report"),
        ]
        reasons = {
            Referral.Agency.EP: "Reading and working memory well below peers after two cycles of SEN support.",
            Referral.Agency.SALT: "Speech sounds hard to understand; few words joined together in class.",
            Referral.Agency.OT: "Handwriting and dressing for PE are very hard; tires quickly when writing.",
            Referral.Agency.CAMHS: "Anxiety before school most days; avoids the classroom after break.",
        }
        for pupil, agency, state in plans:
            referral = referrals.create_referral(pupil=pupil, actor=senco, agency=agency, reason=reasons[agency])
            if state == "waiting":
                continue
            weeks = {"overdue": 9, "appointment": 12, "report": 20}[state]
            consent_on = today - timedelta(weeks=weeks, days=3)
            referrals.record_consent(
                referral=referral,
                actor=senco,
                contact=_demo_contact(pupil),
                given_on=consent_on,
                how="meeting" if state != "overdue" else "writing",
                purposes=["sharing", "assessment", "observation"] if state != "report" else ["sharing", "assessment"],
            )
            steps.mark_referred(referral=referral, actor=senco, referred_on=today - timedelta(weeks=weeks))
            form = upload_document(
                pupil=pupil,
                uploaded_file=SimpleUploadedFile("referral-form.pdf", DEMO_PDF, content_type="application/pdf"),
                category="other",
                visibility="staff",
                title=f"{referral.get_agency_display()} referral form",
                actor=senco,
            )
            steps.mark_paperwork_sent(
                referral=referral, actor=senco, documents=[form], sent_on=today - timedelta(weeks=weeks)
            )
            if state == "overdue":
                continue
            steps.record_response(
                referral=referral,
                actor=senco,
                response="accepted",
                response_on=today - timedelta(weeks=weeks - 3),
            )
            steps.add_appointment(
                referral=referral,
                actor=senco,
                on=today + timedelta(days=10) if state == "appointment" else today - timedelta(weeks=6),
                note="Observation in class, then a meeting with parents" if state == "appointment" else "Clinic",
            )
            if state == "report":
                steps.receive_report(
                    referral=referral,
                    actor=senco,
                    uploaded_file=SimpleUploadedFile("camhs-report.pdf", DEMO_PDF, content_type="application/pdf"),
                    title="CAMHS assessment report",
                    received_on=today - timedelta(weeks=2),
                )
    return "4 referrals at Acorn."
