"""Importing teaching groups: their pupils and staff, planned first, then written in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from trusts import audit
from trusts.models import Membership, Role, School, User

from ..models import GroupMember, GroupStaff, Pupil, TeachingGroup
from ._common import _from, _plural, _upn_problems
from .files import GROUP_COLUMNS, TEXT_LIMITS, FileProblem, Problem, Table, read_table


@dataclass
class GroupPlan:
    """What a teaching groups file would do: new groups, pupils added to groups, staff added or changed."""

    school: School
    table: Table
    problems: list[Problem] = field(default_factory=list)
    new_groups: list[TeachingGroup] = field(default_factory=list)
    new_members: list[GroupMember] = field(default_factory=list)
    new_staff: list[GroupStaff] = field(default_factory=list)
    changed_staff: list[GroupStaff] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rows_not_imported(self) -> int:
        return len({p.row for p in self.problems})

    def summary(self) -> str:
        parts = [f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"]
        if self.rows_not_imported:
            parts.append(_plural(self.rows_not_imported, "row") + " not imported")
        if self.new_groups:
            parts.append(_plural(len(self.new_groups), "new group"))
        if self.new_staff or self.changed_staff:
            parts.append(_plural(len(self.new_staff) + len(self.changed_staff), "staff link") + " added or changed")
        return "; ".join(parts)


GROUP_ROLE_OF = {
    Role.TEACHER: GroupStaff.Role.TEACHER,
    Role.SENCO: GroupStaff.Role.TEACHER,
    Role.TEACHING_ASSISTANT: GroupStaff.Role.TA,
}


def _staff_of(school: School) -> dict[str, tuple[User, str]]:
    """Email -> (user, group role) for the school's teachers, TAs and SENCOs; a teacher role wins over TA."""
    staff: dict[str, tuple[User, str]] = {}
    memberships = Membership.objects.filter(
        school=school, role__in=list(GROUP_ROLE_OF), user__trust_id=school.trust_id, user__is_active=True
    ).select_related("user")
    for m in memberships:
        role = GROUP_ROLE_OF[Role(m.role)]
        key = m.user.email.casefold()
        if key not in staff or role == GroupStaff.Role.TEACHER:
            staff[key] = (m.user, role)
    return staff


def plan_group_import(*, school: School, content: bytes) -> GroupPlan:
    """Compare a teaching groups file with the school's groups; write nothing.

    Each row puts a pupil of the school in a group (created if new) and, if an email is given, links
    a teacher, TA or SENCO of the school to the group; their membership role decides teacher or TA.
    Nothing is ever removed. Raises FileProblem when the whole file is unusable.
    """
    table = read_table(content, GROUP_COLUMNS)
    plan = GroupPlan(school=school, table=table)
    upns, plan.problems = _upn_problems(table)
    pupils = dict(Pupil.objects.filter(school=school).values_list("upn", "pk"))
    groups = {g.name.casefold(): g for g in TeachingGroup.objects.filter(school=school)}
    members = set(GroupMember.objects.filter(group__school=school).values_list("group_id", "pupil_id"))
    staff_links = {(s.group_id, s.user_id): s for s in GroupStaff.objects.filter(group__school=school)}
    staff = _staff_of(school) if "teacher_email" in table.headings else {}
    new_members: set[tuple[str, int]] = set()
    new_staff: dict[tuple[str, int], GroupStaff] = {}
    for row, cells in table.rows:
        problems: list[Problem] = []
        upn, name = upns.get(row), cells["group"]
        pupil_id = pupils.get(upn or "")
        if upn and pupil_id is None:
            problems.append(
                Problem(
                    row,
                    table.headings["upn"],
                    f"No pupil of {school.name} has UPN {upn}: import the pupils file first.",
                )
            )
        if not name:
            problems.append(Problem(row, table.headings["group"], "The group is blank: give the group's name."))
        elif len(name) > TEXT_LIMITS["group"]:
            problems.append(Problem(row, table.headings["group"], "The group name is longer than 50 characters."))
        email = cells.get("teacher_email", "").casefold()
        person = staff.get(email) if email else None
        if email and person is None:
            problems.append(
                Problem(
                    row,
                    table.headings["teacher_email"],
                    f"{email} is not a teacher, teaching assistant or SENCO at {school.name}: "
                    "check the address, or give them a role in the school first.",
                )
            )
        plan.problems += problems
        if problems or upn is None or pupil_id is None:
            continue
        key = name.casefold()
        group = groups.get(key)
        if group is None:
            group = groups[key] = TeachingGroup(trust_id=school.trust_id, school=school, name=name)
            plan.new_groups.append(group)
        outcome = "unchanged"
        if group.pk is None or (group.pk, pupil_id) not in members:
            if (key, pupil_id) not in new_members:
                new_members.add((key, pupil_id))
                plan.new_members.append(GroupMember(trust_id=school.trust_id, group=group, pupil_id=pupil_id))
                outcome = "created"
        if person is not None:
            user, role = person
            link = staff_links.get((group.pk, user.pk)) if group.pk else None
            if link is None and (key, user.pk) not in new_staff:
                new_staff[(key, user.pk)] = GroupStaff(trust_id=school.trust_id, group=group, user=user, role=role)
                outcome = "updated" if outcome == "unchanged" else outcome
            elif link is not None and link.role != role:
                link.role = role
                plan.changed_staff.append(link)
                outcome = "updated" if outcome == "unchanged" else outcome
        setattr(plan, outcome, getattr(plan, outcome) + 1)
    plan.new_staff = list(new_staff.values())
    plan.problems.sort(key=lambda p: p.row)
    return plan


def import_groups(*, school: School, content: bytes, actor: User | None, source: str = "") -> GroupPlan:
    """Import a teaching groups file into `school`: new groups, pupils added to groups, staff linked.

    Plans again and writes every good row in one transaction; bad rows are reported in the returned plan.
    Audited with a summary of the counts. Never removes a pupil or a member of staff from a group.
    """
    try:
        with transaction.atomic():
            plan = plan_group_import(school=school, content=content)
            TeachingGroup.objects.bulk_create(plan.new_groups)
            GroupMember.objects.bulk_create(plan.new_members, batch_size=500)
            GroupStaff.objects.bulk_create(plan.new_staff, batch_size=500)
            if plan.changed_staff:
                GroupStaff.objects.bulk_update(plan.changed_staff, ["role"], batch_size=500)
            audit.record(
                actor=actor,
                action=audit.Action.CHANGE,
                obj=school,
                summary=f"Teaching groups imported{_from(source)}: {plan.summary()}",
            )
    except IntegrityError as exc:
        raise FileProblem(
            "Someone else changed these groups while the file was being imported. Nothing was saved: try again."
        ) from exc
    return plan
