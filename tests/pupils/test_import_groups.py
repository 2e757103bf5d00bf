"""The teaching groups import: groups created when new, pupils added, staff linked by their school role."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from pupils.importing import FileProblem, import_groups, plan_group_import
from pupils.models import GroupMember, GroupStaff, TeachingGroup
from tests.factories import make_group, make_pupil
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db


def csv_bytes(rows: list[tuple[str, str, str]], header: str = "UPN,Group,Teacher Email") -> bytes:
    return ("\r\n".join([header, *(",".join(r) for r in rows)]) + "\r\n").encode()


def run(school, rows, **kwargs):
    with scope(trust=school.trust_id):
        return import_groups(school=school, content=csv_bytes(rows, **kwargs), actor=None)


def staff_of(group_name: str, school) -> dict[str, str]:
    with scopes_disabled():
        return {
            s.user.email: s.role
            for s in GroupStaff.objects.filter(group__school=school, group__name=group_name).select_related("user")
        }


def members_of(group_name: str, school) -> set[str]:
    with scopes_disabled():
        return set(
            GroupMember.objects.filter(group__school=school, group__name=group_name).values_list(
                "pupil__upn", flat=True
            )
        )


@pytest.fixture
def pupils(demo):
    return [make_pupil(demo.acorn) for _ in range(3)]


def test_groups_are_created_and_staff_roles_follow_their_membership(demo, pupils) -> None:
    a, b, c = (p.upn for p in pupils)
    rows = [
        (a, "4B", "teacher.acorn@oak.test"),
        (b, "4B", "TA.Acorn@oak.test"),
        (c, "4B", ""),
        (a, "Phonics 1", "senco.acorn@oak.test"),
    ]
    plan = run(demo.acorn, rows)
    assert plan.summary() == "4 created, 0 updated, 0 unchanged; 2 new groups; 3 staff links added or changed"
    assert members_of("4B", demo.acorn) == {a, b, c}
    assert staff_of("4B", demo.acorn) == {"teacher.acorn@oak.test": "teacher", "ta.acorn@oak.test": "ta"}
    assert staff_of("Phonics 1", demo.acorn) == {"senco.acorn@oak.test": "teacher"}


def test_importing_the_same_groups_file_twice_changes_nothing(demo, pupils) -> None:
    rows = [(p.upn, "4B", "teacher.acorn@oak.test") for p in pupils]
    assert (
        run(demo.acorn, rows).summary()
        == "3 created, 0 updated, 0 unchanged; 1 new group; 1 staff link added or changed"
    )
    assert run(demo.acorn, rows).summary() == "0 created, 0 updated, 3 unchanged"
    with scopes_disabled():
        assert TeachingGroup.objects.filter(school=demo.acorn).count() == 1


def test_existing_group_is_matched_whatever_the_case_and_a_wrong_staff_role_is_corrected(demo, pupils) -> None:
    make_group(demo.acorn, "4B", tas=[demo.user("teacher.acorn@oak.test")], pupils=[pupils[0]])
    plan = run(demo.acorn, [(pupils[0].upn, "4b", "teacher.acorn@oak.test"), (pupils[1].upn, "4b", "")])
    assert plan.summary() == "1 created, 1 updated, 0 unchanged; 1 staff link added or changed"
    assert staff_of("4B", demo.acorn) == {"teacher.acorn@oak.test": "teacher"}
    assert members_of("4B", demo.acorn) == {pupils[0].upn, pupils[1].upn}


def test_bad_rows_are_reported_by_row_and_column(demo, pupils) -> None:
    beech_pupil = make_pupil(demo.beech)
    rows = [
        (pupils[0].upn, "4B", "teacher.acorn@oak.test"),  # row 2: good
        ("B80120000500", "4B", ""),  # row 3: short UPN
        (beech_pupil.upn, "4B", ""),  # row 4: pupil of another school
        (pupils[1].upn, "", ""),  # row 5: no group
        (pupils[1].upn, "4B", "senco.beech@oak.test"),  # row 6: staff of another school
        (pupils[1].upn, "4B", "teacher.willow@river.test"),  # row 7: staff of another trust
        (pupils[1].upn, "4B", "nobody@oak.test"),  # row 8: nobody
        (pupils[1].upn, "4B", "governor.acorn@oak.test"),  # row 9: not a teaching role
        (pupils[2].upn, "G" * 51, ""),  # row 10: name too long
    ]
    plan = run(demo.acorn, rows)
    assert [(p.row, p.column) for p in plan.problems] == [
        (3, "UPN"),
        (4, "UPN"),
        (5, "Group"),
        (6, "Teacher Email"),
        (7, "Teacher Email"),
        (8, "Teacher Email"),
        (9, "Teacher Email"),
        (10, "Group"),
    ]
    assert (
        plan.problems[1].message
        == f"No pupil of Acorn Primary has UPN {beech_pupil.upn}: import the pupils file first."
    )
    assert plan.problems[3].message.startswith(
        "senco.beech@oak.test is not a teacher, teaching assistant or SENCO at Acorn"
    )
    assert plan.summary().startswith("1 created, 0 updated, 0 unchanged; 8 rows not imported")
    assert members_of("4B", demo.acorn) == {pupils[0].upn}


def test_email_column_is_optional(demo, pupils) -> None:
    plan = run(demo.acorn, [(pupils[0].upn, "Set 1")], header="upn,class")
    assert plan.summary() == "1 created, 0 updated, 0 unchanged; 1 new group"


def test_groups_file_without_a_group_column_is_refused(demo) -> None:
    with scope(trust=demo.oak.pk), pytest.raises(FileProblem, match="no Group column"):
        plan_group_import(school=demo.acorn, content=b"UPN,Teacher Email\r\nB801200005001,a@b.test\r\n")


def test_groups_import_is_audited(demo, pupils) -> None:
    run(demo.acorn, [(pupils[0].upn, "4B", "")])
    with scope(trust=demo.oak.pk):
        entry = AuditEntry.objects.get(object_type="trusts.School")
    assert entry.summary == "Teaching groups imported: 1 created, 0 updated, 0 unchanged; 1 new group"
