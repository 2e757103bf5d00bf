"""The demo trusts, schools and accounts (used by `seed_demo` and by the test fixtures)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import Membership, Role, School, SingleSignOn, Trust, User

DEMO_PASSWORD = "send-demo-2026"


@dataclass(frozen=True)
class DemoSchool:
    key: str
    trust: str
    name: str
    urn: str
    la_code: str
    establishment_number: str
    phase: str
    local_authority: str


SCHOOLS = [
    DemoSchool("acorn", "Oak Learning Trust", "Acorn Primary", "141001", "893", "2101", "primary", "Shropshire"),
    DemoSchool("beech", "Oak Learning Trust", "Beech Academy", "141002", "893", "4102", "secondary", "Shropshire"),
    DemoSchool(
        "willow",
        "River Schools Trust",
        "Willow Primary",
        "142003",
        "885",
        "2203",
        "primary",
        "Worcestershire",
    ),
]

# (email, full name, trust, role, school key or None)
ACCOUNTS = [
    ("lead@oak.test", "Helen Marsh", "Oak Learning Trust", Role.INCLUSION_LEAD, None),
    ("trustee@oak.test", "David Okafor", "Oak Learning Trust", Role.TRUSTEE, None),
    ("head.acorn@oak.test", "Sarah Whitfield", "Oak Learning Trust", Role.HEADTEACHER, "acorn"),
    ("senco.acorn@oak.test", "Priya Sharma", "Oak Learning Trust", Role.SENCO, "acorn"),
    ("teacher.acorn@oak.test", "Tom Brennan", "Oak Learning Trust", Role.TEACHER, "acorn"),
    ("ta.acorn@oak.test", "Lucy Evans", "Oak Learning Trust", Role.TEACHING_ASSISTANT, "acorn"),
    ("governor.acorn@oak.test", "Margaret Hill", "Oak Learning Trust", Role.GOVERNOR, "acorn"),
    ("parent.acorn@oak.test", "Emma Clarke", "Oak Learning Trust", Role.PARENT, "acorn"),
    ("senco.beech@oak.test", "James Fletcher", "Oak Learning Trust", Role.SENCO, "beech"),
    ("lead@river.test", "Fiona Grant", "River Schools Trust", Role.INCLUSION_LEAD, None),
    ("senco.willow@river.test", "Aisha Rahman", "River Schools Trust", Role.SENCO, "willow"),
    ("teacher.willow@river.test", "Ben Carter", "River Schools Trust", Role.TEACHER, "willow"),
    ("parent.willow@river.test", "Karen Doyle", "River Schools Trust", Role.PARENT, "willow"),
]


@transaction.atomic
def seed_tenancy(password: str = DEMO_PASSWORD) -> dict[str, object]:
    """Create (or leave as they are) the demo trusts, schools and accounts. Idempotent.

    Runs with the tenant scope disabled by its caller; returns the objects by key for later seeders.
    """
    trusts: dict[str, Trust] = {}
    schools: dict[str, School] = {}
    users: dict[str, User] = {}
    for s in SCHOOLS:
        trust = trusts.get(s.trust) or Trust.objects.get_or_create(name=s.trust)[0]
        trusts[s.trust] = trust
        schools[s.key], _ = School.objects.get_or_create(
            urn=s.urn,
            defaults={
                "trust": trust,
                "name": s.name,
                "la_code": s.la_code,
                "establishment_number": s.establishment_number,
                "phase": s.phase,
                "local_authority": s.local_authority,
            },
        )
    for email, name, trust_name, role, school_key in ACCOUNTS:
        trust = trusts[trust_name]
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, password, full_name=name, trust=trust)
        users[email] = user
        Membership.objects.get_or_create(
            user=user,
            role=role,
            school=schools[school_key] if school_key else None,
            defaults={"trust": trust},
        )
    _confirm_demo_addresses(list(users.values()))
    return {"trusts": trusts, "schools": schools, "users": users}


def _confirm_demo_addresses(users: list[User]) -> None:
    """Demo addresses count as confirmed (nobody receives mail at *.test), so the demo can sign in."""
    from allauth.account.models import EmailAddress

    confirmed = set(EmailAddress.objects.filter(user__in=users).values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users if u.pk not in confirmed]
    )


def seed_single_sign_on(trusts: dict[str, Trust]) -> str:
    """River Schools Trust has single sign-on set up, pointing at an identity provider that does not exist
    (*.invalid), so the People and sign-in pages show it; everyone still signs in with a password."""
    from .sso import encrypt_secret, provider_id_for

    river = trusts["River Schools Trust"]
    SingleSignOn.objects.get_or_create(
        trust=river,
        defaults={
            "provider_id": provider_id_for(river.pk),
            "kind": SingleSignOn.Kind.MICROSOFT,
            "issuer": "https://login.river-schools.invalid/v2.0",
            "client_id": "demo-client-id",
            "client_secret_encrypted": encrypt_secret("demo-secret"),
            "allowed_domains": "riverschools.invalid",
            "idp_mfa_counts": True,
        },
    )
    return "River Schools Trust has a demo single sign-on (not reachable)."
