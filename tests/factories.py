"""Test data builders. They work with the tenant scope disabled (fixtures only) and return saved objects."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from django_scopes import scopes_disabled

from pupils.models import Contact, GroupMember, GroupStaff, Pupil, TeachingGroup
from pupils.upn import make_upn

_serial = itertools.count(1)


def make_pupil(school: Any, **fields: Any) -> Pupil:
    n = next(_serial)
    defaults = {
        "trust_id": school.trust_id,
        "school": school,
        "upn": make_upn(int(school.la_code), int(school.establishment_number), 19, n % 1000),
        "legal_surname": f"Testpupil{n}",
        "legal_forename": f"Alex{n}",
        "date_of_birth": date(2017, 3, 14),
        "gender": "F",
        "year_group": "4",
        "admission_date": date(2021, 9, 1),
    }
    defaults.update(fields)
    with scopes_disabled():
        return Pupil.objects.create(**defaults)


def make_group(school: Any, name: str, *, teachers: list[Any] = (), tas: list[Any] = (), pupils: list[Any] = ()):
    with scopes_disabled():
        group, _ = TeachingGroup.objects.get_or_create(
            school=school, name=name, defaults={"trust_id": school.trust_id, "kind": "class"}
        )
        for user in teachers:
            GroupStaff.objects.get_or_create(group=group, user=user, defaults={"trust_id": school.trust_id})
        for user in tas:
            GroupStaff.objects.get_or_create(
                group=group, user=user, defaults={"trust_id": school.trust_id, "role": "ta"}
            )
        for pupil in pupils:
            GroupMember.objects.get_or_create(group=group, pupil=pupil, defaults={"trust_id": school.trust_id})
    return group


def link_parent(pupil: Pupil, user: Any, relationship: str = "mother") -> Contact:
    with scopes_disabled():
        return Contact.objects.create(
            trust_id=pupil.trust_id, pupil=pupil, name=user.full_name, relationship=relationship, user=user
        )


def pupil_at(demo: Any, school: Any, **fields: Any) -> Pupil:
    """A pupil of `school`; at Acorn they are in 4B, taught by teacher.acorn and supported by ta.acorn,
    and the child of parent.acorn; at Willow in W4 with teacher.willow and parent.willow. This makes the
    permission matrix's "own school" the teacher's and parent's own pupil."""
    pupil = make_pupil(school, **fields)
    if school.pk == demo.acorn.pk:
        make_group(
            school,
            "4B",
            teachers=[demo.user("teacher.acorn@oak.test")],
            tas=[demo.user("ta.acorn@oak.test")],
            pupils=[pupil],
        )
        link_parent(pupil, demo.user("parent.acorn@oak.test"))
    elif school.pk == demo.willow.pk:
        make_group(school, "W4", teachers=[demo.user("teacher.willow@river.test")], pupils=[pupil])
        link_parent(pupil, demo.user("parent.willow@river.test"))
    return pupil
