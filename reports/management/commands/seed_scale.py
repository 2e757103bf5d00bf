"""A large trust for benchmarks: `seed_scale --schools 50 --pupils-per-school 1000`. Refuses when DEBUG is off.

Bulk inserts only. About 15% of pupils on SEN support and 5% with EHC plans, three years of register
history, groups, concerns, and (through each app's `seed_scale_*` function) cycles, provision, delivery
logs, plans, annual reviews and at least 100,000 deadlines.
"""

from __future__ import annotations

import io
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
from trusts.bulk import BulkWriter, new, skip_foreign_key_checks
from trusts.demo import DEMO_PASSWORD
from trusts.models import Membership, Role, School, Trust, User

TRUST_NAME = "Scale Academies Trust"
NEEDS_K = ["SLCN"] * 6 + ["SEMH"] * 5 + ["MLD"] * 4 + ["SPLD"] * 4 + ["ASD"] * 3 + ["OTH", "PD", "HI"]
NEEDS_E = ["ASD"] * 5 + ["SLCN"] * 2 + ["SEMH"] * 2 + ["SLD", "PD", "MLD", "PMLD"]


class Command(BaseCommand):
    help = (
        "Create a large benchmark trust, or with --trusts N a national deployment of N trusts (bulk inserts, COPY on "
        "PostgreSQL). Refuses when DEBUG is off; a trust that already exists is left alone."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schools", type=int, default=50, help="schools of the benchmark trust")
        parser.add_argument("--pupils-per-school", type=int, default=1000, help="in the benchmark trust")
        parser.add_argument(
            "--trusts", type=int, default=1, help="more than 1: the benchmark trust and N-1 others (national)"
        )
        parser.add_argument("--pupils-total", type=int, default=1_000_000, help="national: pupils of all trusts")
        parser.add_argument("--max-trust-schools", type=int, default=60, help="national: the largest other trust")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_scale refuses to run when DEBUG is off.")
        if not 1 <= options["schools"] <= 200 or not 10 <= options["pupils_per_school"] <= 3000:
            raise CommandError("Use 1 to 200 schools and 10 to 3,000 pupils per school.")
        rng = random.Random(options["seed"])
        started = time.perf_counter()
        with scopes_disabled():
            if options["trusts"] > 1:
                plan = national_plan(
                    trusts=options["trusts"],
                    pupils_total=options["pupils_total"],
                    big=(options["schools"], options["pupils_per_school"]),
                    max_schools=options["max_trust_schools"],
                )
                summary = seed_national(plan, rng, self.stdout)
            elif Trust.objects.filter(name=TRUST_NAME).exists():
                self.stdout.write(f"{TRUST_NAME} already exists: nothing to do.")
                return
            else:
                summary = seed(options["schools"], options["pupils_per_school"], rng, self.stdout)
        self.stdout.write(self.style.SUCCESS(f"{summary} in {time.perf_counter() - started:.0f} s."))


def national_plan(*, trusts: int, pupils_total: int, big: tuple[int, int], max_schools: int) -> list[list[int]]:
    """Pupils per school of each trust. The first is the benchmark trust (`big`: schools x pupils, 50 x 1,000 by
    default); the others run from 1 school to `max_schools`, most of them small (the size grows with the cube
    of the trust's rank, as academy trusts do: many single-school trusts, a few very large ones), and share the
    rest of `pupils_total` evenly between their schools.

    >>> national_plan(trusts=3, pupils_total=100, big=(2, 20), max_schools=4)
    [[20, 20], [12], [12, 12, 12, 12]]
    """
    if not 2 <= trusts <= 999 or not 1 <= max_schools <= 99:
        raise CommandError("A national seed needs 2 to 999 trusts and 1 to 99 schools per trust.")
    others = trusts - 1
    counts = [1 + round((max_schools - 1) * (t / max(1, others - 1)) ** 3) for t in range(others)]
    rest = pupils_total - big[0] * big[1]
    per, extra = divmod(rest, sum(counts))
    if per < 1:
        raise CommandError(f"--pupils-total leaves {rest:,} pupils for {sum(counts):,} schools: give more.")
    sizes = [per + 1 if n < extra else per for n in range(sum(counts))]
    plan, at = [[big[1]] * big[0]], 0
    for c in counts:
        plan.append(sizes[at : at + c])
        at += c
    return plan


def seed_national(plan: list[list[int]], rng: random.Random, out: Any) -> str:
    """Each trust of `plan` in its own transaction (a failed or interrupted run keeps the trusts it finished, and
    a re-run adds only the missing ones), with one BulkWriter, so memory holds one trust's rows at a time."""
    writer = BulkWriter()
    made = pupils = 0
    for n, sizes in enumerate(plan):
        name, domain = (TRUST_NAME, "scale.test") if n == 0 else (f"National Trust {n:03d}", f"t{n:03d}.scale.test")
        # URNs are unique nationally: 9000NN for the benchmark trust, 8TTTSS (trust, school) for the others.
        urn = 900001 if n == 0 else 800001 + n * 100
        if Trust.objects.filter(name=name).exists():
            continue
        began = time.perf_counter()
        seed(
            len(sizes), sizes, random.Random(rng.random()), out, name=name, domain=domain, first_urn=urn, writer=writer
        )
        made, pupils = made + 1, pupils + sum(sizes)
        if n == 0 or n % 20 == 0 or n == len(plan) - 1:
            out.write(
                f"  {name}: {len(sizes)} schools, {sum(sizes):,} pupils in {time.perf_counter() - began:.1f} s; "
                f"{made} trusts, {pupils:,} pupils, {writer.rows:,} rows so far"
            )
    return f"{made} trusts, {pupils:,} pupils, {writer.rows:,} rows"


def _years(school: School) -> list[str]:
    return ["7", "8", "9", "10", "11"] if school.phase == "secondary" else ["R", "1", "2", "3", "4", "5", "6"]


def _user(email: str, name: str, trust: Trust, password_hash: str) -> User:
    return User(email=email, full_name=name, trust=trust, password=password_hash)


@transaction.atomic
def seed(
    n_schools: int,
    per_school: int | list[int],
    rng: random.Random,
    out: Any,
    *,
    name: str = TRUST_NAME,
    domain: str = "scale.test",
    first_urn: int = 900001,
    writer: BulkWriter | None = None,
) -> str:
    """One benchmark trust in one transaction: `n_schools` schools of `per_school` pupils each (or one count per
    school). Rows are built school by school in memory (at most one trust's) and written in bulk (`BulkWriter`:
    COPY on PostgreSQL). Staff emails are `<role>.sNN@<domain>` and `lead@`, `trustee@<domain>`."""
    from django.contrib.auth.hashers import make_password

    write = (writer or BulkWriter()).write
    skip_foreign_key_checks()
    sizes = per_school if isinstance(per_school, list) else [per_school] * n_schools
    today = timezone.localdate()
    password_hash = _password_hash(make_password)
    trust = Trust.objects.create(name=name)
    schools = write(
        School(
            trust=trust,
            name=f"{name.removesuffix(' Trust')} School {i:02d}" if name != TRUST_NAME else f"Scale School {i:02d}",
            urn=f"{first_urn + i - 1:06d}",
            la_code="999",
            establishment_number=f"{2000 + i:04d}",
            phase="secondary" if i % 4 == 0 else "primary",
            local_authority="Benchshire",
        )
        for i in range(1, n_schools + 1)
    )
    users = [
        _user(f"lead@{domain}", "Scale Lead", trust, password_hash),
        _user(f"trustee@{domain}", "Scale Trustee", trust, password_hash),
    ]
    for i, s in enumerate(schools, start=1):
        for role in ("senco", "head", "governor", "teacher", "parent"):
            users.append(_user(f"{role}.s{i:02d}@{domain}", f"{role.title()} {s.name}", trust, password_hash))
    by_email = {u.email: u for u in write(users)}
    role_map = {
        "senco": Role.SENCO,
        "head": Role.HEADTEACHER,
        "governor": Role.GOVERNOR,
        "teacher": Role.TEACHER,
        "parent": Role.PARENT,
    }
    memberships = [
        Membership(trust=trust, user=by_email[f"lead@{domain}"], role=Role.INCLUSION_LEAD),
        Membership(trust=trust, user=by_email[f"trustee@{domain}"], role=Role.TRUSTEE),
    ]
    for i, s in enumerate(schools, start=1):
        for key, role in role_map.items():
            memberships.append(Membership(trust=trust, user=by_email[f"{key}.s{i:02d}@{domain}"], school=s, role=role))
    write(memberships)

    pupils: list[Pupil] = []
    for si, s in enumerate(schools):
        years = _years(s)
        for n in range(sizes[si]):
            year = years[n % len(years)]
            pupils.append(
                new(
                    Pupil,
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
    write(pupils)

    groups = write(
        TeachingGroup(trust=trust, school=s, name=f"{year}{form}")
        for s in schools
        for year in _years(s)
        for form in "ABCD"
    )
    group_of = {(g.school_id, g.name): g for g in groups}
    write(new(GroupMember, trust=trust, group=group_of[(p.school_id, p.reg_group)], pupil=p) for p in pupils)
    write(
        GroupStaff(
            trust=trust,
            group=group_of[(s.pk, "4A" if s.phase != "secondary" else "9A")],
            user=by_email[f"teacher.s{i:02d}@{domain}"],
        )
        for i, s in enumerate(schools, start=1)
    )

    entries: list[RegisterEntry] = []
    changes: list[RegisterChange] = []
    senco_of = {s.pk: by_email[f"senco.s{i:02d}@{domain}"] for i, s in enumerate(schools, start=1)}
    three_years_ago = today - timedelta(days=3 * 365)

    def change(p: Pupil, frm: str, to: str, when: date, reason: str, need: str = "") -> RegisterChange:
        return new(
            RegisterChange,
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
                entries.append(new(RegisterEntry, trust=trust, school_id=p.school_id, pupil=p, status="N", since=end))
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
            new(
                RegisterEntry,
                trust=trust,
                school_id=p.school_id,
                pupil=p,
                status=status,
                since=since,
                primary_need=need,
            )
        )
    write(entries)
    write(changes)
    if writer is None:
        out.write(
            f"  {len(schools)} schools, {len(users)} staff, {len(pupils)} pupils, {len(entries)} register entries"
        )

    # The parent account of the first school: a child on SEN support there (any child of it in a tiny seed).
    first = schools[0].pk
    child = next((e.pupil for e in entries if e.school_id == first and e.status == "K"), None) or next(
        p for p in pupils if p.school_id == first
    )
    write(
        [
            Contact(
                trust=trust,
                pupil=child,
                name="Parent S01",
                relationship="Mother",
                user=by_email[f"parent.s01@{domain}"],
            )
        ]
    )
    write(
        CauseForConcern(
            trust=trust,
            school_id=p.school_id,
            pupil=p,
            raised_by=by_email[f"teacher.s01@{domain}"],
            areas=["cognition"],
            observations="Progress slower than peers",
            noticed_since=today - timedelta(days=60),
            strategies_tried="Visual timetable; pre-teaching",
            strategies_effect="Some improvement",
            status=rng.choice(["new", "in_progress", "closed"]),
        )
        for p in rng.sample(pupils, k=min(len(pupils) // 50, 2000))
    )
    extra = []
    context = {
        "trust": trust,
        "schools": schools,
        "users": by_email,
        "pupils": pupils,
        "entries": entries,
        "rng": rng,
        "today": today,
        "out": out if writer is None else io.StringIO(),
        "write": write,
    }
    for hook in SCALE_HOOKS:
        extra.append(hook(context))
    return f"{name}: {len(schools)} schools, {len(pupils)} pupils, {len(changes)} register changes" + "".join(
        f", {e}" for e in extra if e
    )


_HASH: dict[str, str] = {}


def _password_hash(make_password: Any) -> str:
    # One hash for every benchmark account (hashing is deliberately slow: thousands of accounts would take minutes).
    if "hash" not in _HASH:
        _HASH["hash"] = make_password(DEMO_PASSWORD)
    return _HASH["hash"]


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
