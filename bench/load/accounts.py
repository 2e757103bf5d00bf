"""People for the load test to sign in as, in the `seed_scale` trust, each with their own password sign-in and
(for staff) their own authenticator: `python bench/load/accounts.py --per-role 80 --out accounts.json`.

Every simulated person is a different account, because a TOTP code is accepted once per account (allauth
remembers a used code for its 30 seconds): two people sharing an account in the same half-minute would fail
the second factor, as they would in real life. Staff get a TOTP authenticator with a known secret, exactly what
setting up an authenticator app stores, so the load test passes the production second factor by typing the
code the app would show (`bench.load.totp`); nothing is relaxed. Parents sign in with a password only (MFA is
required of staff). Refuses when DEBUG is off, like `seed_scale`: it adds accounts with a known password.

Roles, spread round the trust's schools (school k mod n):
- senco: SENCO of the school; the JSON lists the school's pupils on the SEN register (for the pupil page).
- teacher, ta: teacher or teaching assistant of the school's class with the most pupils on an open support
  cycle; the JSON lists those pupils (a TA logs sessions for them).
- parent: linked as a contact to one pupil on SEN support of the school (a different one each).
- trustee: trust-wide trustee.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

ROLES = ("senco", "teacher", "ta", "parent", "trustee")
PREFIX = "load."
DOMAIN = "@scale.test"


def _email(role: str, k: int) -> str:
    return f"{PREFIX}{role}.{k:03d}{DOMAIN}"


def seed_load_accounts(*, per_role: int, trust_name: str = "Scale Academies Trust") -> dict[str, Any]:
    """Create `per_role` accounts of each role in the trust (or find them, when they exist) and return what the
    locustfile needs: {"password": ..., "accounts": {role: [{"email", "totp_secret", "pupils"}]}}. Bulk
    inserts in one transaction; run with the tenant scope disabled (a seeding command, like seed_scale)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from allauth.mfa.utils import decrypt, encrypt
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.db.models import Count, Q

    from graduated.models import Cycle
    from pupils.models import Contact, GroupMember, GroupStaff, TeachingGroup
    from register.models import RegisterEntry
    from trusts.demo import DEMO_PASSWORD
    from trusts.models import Membership, Role, School, Trust, User

    trust = Trust.objects.get(name=trust_name)
    schools = list(School.objects.filter(trust=trust).order_by("name"))
    active = Q(members__pupil__support_cycles__status=Cycle.Status.ACTIVE)
    group_of = {
        s.pk: TeachingGroup.objects.filter(school=s)
        .annotate(n=Count("members__pupil__support_cycles", filter=active))
        .order_by("-n", "name")
        .first()
        for s in schools
    }
    on_register = {
        s.pk: list(
            RegisterEntry.objects.filter(school=s, status__in=["K", "E"])
            .order_by("pupil_id")
            .values_list("pupil_id", flat=True)[:50]
        )
        for s in schools
    }
    in_group = {
        s.pk: sorted(
            set(
                GroupMember.objects.filter(
                    group=group_of[s.pk],
                    pupil__support_cycles__status=Cycle.Status.ACTIVE,
                    pupil__support_cycles__allocations__isnull=False,
                ).values_list("pupil_id", flat=True)
            )
        )
        for s in schools
    }
    role_of = {
        "senco": Role.SENCO,
        "teacher": Role.TEACHER,
        "ta": Role.TEACHING_ASSISTANT,
        "parent": Role.PARENT,
        "trustee": Role.TRUSTEE,
    }

    def school_of(k: int) -> School:
        return schools[k % len(schools)]

    with transaction.atomic():
        existing = {u.email: u for u in User.objects.filter(trust=trust, email__startswith=PREFIX)}
        wanted = [(role, k) for role in ROLES for k in range(per_role)]
        password = make_password(DEMO_PASSWORD)
        User.objects.bulk_create(
            User(email=_email(role, k), full_name=f"Load {role.title()} {k:03d}", trust=trust, password=password)
            for role, k in wanted
            if _email(role, k) not in existing
        )
        users = {u.email: u for u in User.objects.filter(trust=trust, email__startswith=PREFIX)}
        new = [(role, k) for role, k in wanted if _email(role, k) not in existing]
        Membership.objects.bulk_create(
            Membership(
                trust=trust,
                user=users[_email(role, k)],
                school=None if role == "trustee" else school_of(k),
                role=role_of[role],
            )
            for role, k in new
        )
        GroupStaff.objects.bulk_create(
            GroupStaff(
                trust=trust,
                group=group_of[school_of(k).pk],
                user=users[_email(role, k)],
                role=GroupStaff.Role.TA if role == "ta" else GroupStaff.Role.TEACHER,
            )
            for role, k in new
            if role in {"teacher", "ta"}
        )
        children: dict[int, list[int]] = {pk: list(ids) for pk, ids in on_register.items()}
        contacts = []
        for role, k in new:
            if role == "parent":
                pool = children[school_of(k).pk] or on_register[school_of(k).pk]
                child = pool.pop(0)
                contacts.append(
                    Contact(
                        trust=trust,
                        pupil_id=child,
                        name=f"Load Parent {k:03d}",
                        relationship="Parent",
                        user=users[_email(role, k)],
                    )
                )
        Contact.objects.bulk_create(contacts)
        EmailAddress.objects.bulk_create(
            EmailAddress(user=users[_email(role, k)], email=_email(role, k), verified=True, primary=True)
            for role, k in new
        )
        Authenticator.objects.bulk_create(
            Authenticator(
                user=users[_email(role, k)],
                type=Authenticator.Type.TOTP,
                data={"secret": encrypt(generate_totp_secret())},
            )
            for role, k in new
            if role != "parent"
        )

    secrets = {
        a.user_id: decrypt(a.data["secret"])
        for a in Authenticator.objects.filter(user__in=users.values(), type=Authenticator.Type.TOTP)
    }
    linked = dict(Contact.objects.filter(user__in=users.values()).values_list("user_id", "pupil_id"))
    accounts: dict[str, list[dict[str, Any]]] = {role: [] for role in ROLES}
    for role, k in wanted:
        user = users[_email(role, k)]
        school = school_of(k).pk
        pupils = {
            "senco": on_register[school],
            "teacher": in_group[school],
            "ta": in_group[school],
            "parent": [linked[user.pk]] if user.pk in linked else [],
            "trustee": [],
        }[role]
        accounts[role].append({"email": user.email, "totp_secret": secrets.get(user.pk, ""), "pupils": pupils})
    return {"password": DEMO_PASSWORD, "accounts": accounts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-role", type=int, default=80)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django_scopes import scopes_disabled

    if not settings.DEBUG:
        print("bench/load/accounts.py refuses to run when DEBUG is off: it adds accounts with a known password.")
        return 2
    with scopes_disabled():
        data = seed_load_accounts(per_role=args.per_role)
    args.out.write_text(json.dumps(data, indent=1))
    counts = ", ".join(f"{len(v)} {k}" for k, v in data["accounts"].items())
    print(f"load accounts: {counts} -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
