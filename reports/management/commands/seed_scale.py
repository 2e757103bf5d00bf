"""A large trust for benchmarks: `seed_scale --schools 50 --pupils-per-school 1000`. Refuses when DEBUG is off.

Bulk inserts only. About 15% of pupils on SEN support and 5% with EHC plans, three years of register
history, groups, concerns, and (through each app's `seed_scale_*` function) cycles, provision, delivery
logs, plans, annual reviews and at least 100,000 deadlines.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import Contact, GroupMember, GroupStaff, Pupil, TeachingGroup
from pupils.upn import make_upn
from register.demo import FORENAMES, SURNAMES
from register.models import CauseForConcern, RegisterChange, RegisterEntry
from trusts.demo import DEMO_PASSWORD
from trusts.models import Membership, Role, School, Trust, User

TRUST_NAME = "Scale Academies Trust"
NEEDS_K = ["SLCN"] * 6 + ["SEMH"] * 5 + ["MLD"] * 4 + ["SPLD"] * 4 + ["ASD"] * 3 + ["OTH", "PD", "HI"]
NEEDS_E = ["ASD"] * 5 + ["SLCN"] * 2 + ["SEMH"] * 2 + ["SLD", "PD", "MLD", "PMLD"]
BATCH = 5000


class Command(BaseCommand):
    help = "Create a large benchmark trust (bulk inserts). Refuses when DEBUG is off or when it already exists."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schools", type=int, default=50)
        parser.add_argument("--pupils-per-school", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_scale refuses to run when DEBUG is off.")
        if not 1 <= options["schools"] <= 200 or not 10 <= options["pupils_per_school"] <= 3000:
            raise CommandError("Use 1 to 200 schools and 10 to 3,000 pupils per school.")
        with scopes_disabled():
            if Trust.objects.filter(name=TRUST_NAME).exists():
                self.stdout.write(f"{TRUST_NAME} already exists: nothing to do.")
                return
            started = time.perf_counter()
            summary = seed(
                options["schools"], options["pupils_per_school"], random.Random(options["seed"]), self.stdout
            )
        self.stdout.write(self.style.SUCCESS(f"{summary} in {time.perf_counter() - started:.0f} s."))


def _years(school: School) -> list[str]:
    return ["7", "8", "9", "10", "11"] if school.phase == "secondary" else ["R", "1", "2", "3", "4", "5", "6"]


def _user(email: str, name: str, trust: Trust, password_hash: str) -> User:
    return User(email=email, full_name=name, trust=trust, password=password_hash)


@transaction.atomic
def seed(n_schools: int, per_school: int, rng: random.Random, out: Any) -> str:
    from django.contrib.auth.hashers import make_password

    today = timezone.localdate()
    password_hash = make_password(DEMO_PASSWORD)
    trust = Trust.objects.create(name=TRUST_NAME)
    schools = School.objects.bulk_create(
        School(
            trust=trust,
            name=f"Scale School {i:02d}",
            urn=f"9{i:05d}",
            la_code="999",
            establishment_number=f"{2000 + i:04d}",
            phase="secondary" if i % 4 == 0 else "primary",
            local_authority="Benchshire",
        )
        for i in range(1, n_schools + 1)
    )
    users = [
        _user("lead@scale.test", "Scale Lead", trust, password_hash),
        _user("trustee@scale.test", "Scale Trustee", trust, password_hash),
    ]
    for i, s in enumerate(schools, start=1):
        for role in ("senco", "head", "governor", "teacher", "parent"):
            users.append(_user(f"{role}.s{i:02d}@scale.test", f"{role.title()} {s.name}", trust, password_hash))
    User.objects.bulk_create(users, batch_size=BATCH)
    by_email = {u.email: u for u in User.objects.filter(trust=trust)}
    role_map = {
        "senco": Role.SENCO,
        "head": Role.HEADTEACHER,
        "governor": Role.GOVERNOR,
        "teacher": Role.TEACHER,
        "parent": Role.PARENT,
    }
    memberships = [
        Membership(trust=trust, user=by_email["lead@scale.test"], role=Role.INCLUSION_LEAD),
        Membership(trust=trust, user=by_email["trustee@scale.test"], role=Role.TRUSTEE),
    ]
    for i, s in enumerate(schools, start=1):
        for key, role in role_map.items():
            memberships.append(
                Membership(trust=trust, user=by_email[f"{key}.s{i:02d}@scale.test"], school=s, role=role)
            )
    Membership.objects.bulk_create(memberships)
    out.write(f"  {len(schools)} schools and {len(users)} staff")

    pupils: list[Pupil] = []
    for si, s in enumerate(schools):
        years = _years(s)
        for n in range(per_school):
            year = years[n % len(years)]
            pupils.append(
                Pupil(
                    trust=trust,
                    school=s,
                    upn=make_upn(999, 2000 + si + 1, 20 + n // 1000, n % 1000),
                    legal_surname=rng.choice(SURNAMES),
                    legal_forename=rng.choice(FORENAMES),
                    date_of_birth=date(2012, 1, 1) + timedelta(days=rng.randrange(3650)),
                    gender=rng.choice("FM"),
                    year_group=year,
                    reg_group=f"{year}{'ABCD'[n % 4]}",
                    admission_date=today - timedelta(days=rng.randrange(1200, 2000)),
                    eal=rng.random() < 0.18,
                    fsm=rng.random() < 0.22,
                    pupil_premium=rng.random() < 0.25,
                )
            )
    Pupil.objects.bulk_create(pupils, batch_size=BATCH)
    pupils = list(Pupil.objects.filter(trust=trust).order_by("pk"))
    out.write(f"  {len(pupils)} pupils")

    groups = TeachingGroup.objects.bulk_create(
        TeachingGroup(trust=trust, school=s, name=f"{year}{form}")
        for s in schools
        for year in _years(s)
        for form in "ABCD"
    )
    group_of = {(g.school_id, g.name): g for g in groups}
    GroupMember.objects.bulk_create(
        (GroupMember(trust=trust, group=group_of[(p.school_id, p.reg_group)], pupil=p) for p in pupils),
        batch_size=BATCH,
    )
    GroupStaff.objects.bulk_create(
        GroupStaff(
            trust=trust,
            group=group_of[(s.pk, "4A" if s.phase != "secondary" else "9A")],
            user=by_email[f"teacher.s{i:02d}@scale.test"],
        )
        for i, s in enumerate(schools, start=1)
    )

    entries: list[RegisterEntry] = []
    changes: list[RegisterChange] = []
    senco_of = {s.pk: by_email[f"senco.s{i:02d}@scale.test"] for i, s in enumerate(schools, start=1)}
    three_years_ago = today - timedelta(days=3 * 365)

    def change(p: Pupil, frm: str, to: str, when: date, reason: str, need: str = "") -> RegisterChange:
        return RegisterChange(
            trust=trust,
            school_id=p.school_id,
            pupil=p,
            from_status=frm,
            to_status=to,
            effective_date=when,
            reason=reason,
            primary_need=need,
            parents_told_on=when if "K" in (frm, to) else None,
            changed_by=senco_of[p.school_id],
        )

    for p in pupils:
        roll = rng.random()
        if roll >= 0.24:
            if roll < 0.30:  # left SEN support during the three years: history only
                start = three_years_ago + timedelta(days=rng.randrange(400))
                end = start + timedelta(days=rng.randrange(120, 500))
                changes.append(change(p, "N", "K", start, "Graduated approach", rng.choice(NEEDS_K)))
                changes.append(change(p, "K", "N", end, "Outcomes met"))
                entries.append(RegisterEntry(trust=trust, school_id=p.school_id, pupil=p, status="N", since=end))
            continue
        status = "E" if roll < 0.05 else "K" if roll < 0.20 else "M"
        need = rng.choice(NEEDS_E if status == "E" else NEEDS_K) if status != "M" else ""
        since = three_years_ago + timedelta(days=rng.randrange(3 * 365 - 10))
        if status == "E":
            changes.append(
                change(p, "N", "K", since - timedelta(days=rng.randrange(200, 500)), "Graduated approach", need)
            )
            changes.append(change(p, "K", "E", since, "EHC plan issued", need))
        else:
            changes.append(change(p, "N", status, since, "Graduated approach", need))
        entries.append(
            RegisterEntry(trust=trust, school_id=p.school_id, pupil=p, status=status, since=since, primary_need=need)
        )
    RegisterEntry.objects.bulk_create(entries, batch_size=BATCH)
    RegisterChange.objects.bulk_create(changes, batch_size=BATCH)
    out.write(f"  {len(entries)} register entries, {len(changes)} register changes")

    first_school = schools[0]
    child = next(
        p
        for p in pupils
        if p.school_id == first_school.pk and any(e.pupil_id == p.pk and e.status == "K" for e in entries[:2000])
    )
    Contact.objects.create(
        trust=trust, pupil=child, name="Parent S01", relationship="Mother", user=by_email["parent.s01@scale.test"]
    )
    concerns = [
        CauseForConcern(
            trust=trust,
            school_id=p.school_id,
            pupil=p,
            raised_by=by_email["teacher.s01@scale.test"],
            areas=["cognition"],
            observations="Progress slower than peers",
            noticed_since=today - timedelta(days=60),
            strategies_tried="Visual timetable; pre-teaching",
            strategies_effect="Some improvement",
            status=rng.choice(["new", "in_progress", "closed"]),
        )
        for p in rng.sample(pupils, k=min(len(pupils) // 50, 2000))
    ]
    CauseForConcern.objects.bulk_create(concerns, batch_size=BATCH)
    extra = []
    context = {
        "trust": trust,
        "schools": schools,
        "users": by_email,
        "pupils": pupils,
        "entries": entries,
        "rng": rng,
        "today": today,
        "out": out,
    }
    for hook in SCALE_HOOKS:
        extra.append(hook(context))
    return f"{TRUST_NAME}: {len(schools)} schools, {len(pupils)} pupils, {len(changes)} register changes" + "".join(
        f", {e}" for e in extra if e
    )


def _hooks() -> list[Any]:
    """Each casework app may provide `seed_scale(context) -> str` in its demo module."""
    import importlib

    hooks = []
    for module in ("graduated.demo", "ehcp.demo", "reviews.demo"):
        try:
            mod = importlib.import_module(module)
        except ImportError:
            continue
        if hasattr(mod, "seed_scale"):
            hooks.append(mod.seed_scale)
    return hooks


SCALE_HOOKS = _hooks()
