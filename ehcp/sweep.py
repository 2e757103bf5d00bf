"""The deadline sweep for one trust: reminders at the trust's offsets, missed deadlines marked and escalated.

Idempotent by construction. Each deadline's progress is claimed with a compare-and-set update
(`reminder_offset_sent`, `status`) and every notification carries a dedupe key unique per
(deadline, stage, recipient), so running twice, concurrently, or after days of downtime sends nothing
twice and misses nothing: only the LATEST stage that is due and not yet sent is sent (never "7 days
before" after "1 day before"), and a met or waived deadline gets nothing more.

The windows that are the parent's own (A4, R7: `ehcp.parent_dates`) also remind the child's linked parents
(contacts with an account and parental responsibility, in the child's trust), in plain words and with no
pupil name, at the same stages and under the same claim; the SENCO's reminders are unchanged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from pupils.meeting_replies import parent_link
from pupils.models import Contact
from trusts import audit
from trusts.models import Membership, Notification, Role, User

from .deadlines import deadline_link, reminder_days_for
from .models import DEFAULT_REMINDER_DAYS, NOT_ON_ROLL, Deadline, DeadlineSetting, Responsible
from .parent_dates import PARENT_RULES, parent_reminder_text

Status = Deadline.Status


@dataclass
class SweepResult:
    reminders: int = 0
    missed: int = 0
    notifications: int = 0
    phase_transfers: int = 0

    def add(self, other: SweepResult) -> None:
        self.reminders += other.reminders
        self.missed += other.missed
        self.notifications += other.notifications
        self.phase_transfers += other.phase_transfers


class Recipients:
    """SENCOs and headteachers of each school of the trust, loaded once per sweep (inclusion leads when a
    school has no SENCO, so a deadline is never tracked by nobody)."""

    def __init__(self, trust_id: int) -> None:
        self.sencos: dict[int, list[User]] = defaultdict(list)
        self.heads: dict[int, list[User]] = defaultdict(list)
        self.leads: list[User] = []
        memberships = Membership.objects.filter(
            trust_id=trust_id,
            role__in=[Role.SENCO, Role.HEADTEACHER, Role.INCLUSION_LEAD],
            user__is_active=True,
        ).select_related("user")
        for m in memberships:
            if m.role == Role.INCLUSION_LEAD:
                self.leads.append(m.user)
            elif m.school_id is not None:
                (self.sencos if m.role == Role.SENCO else self.heads)[m.school_id].append(m.user)

    def trackers(self, school_id: int) -> list[User]:
        return self.sencos.get(school_id) or self.leads

    def for_reminder(self, d: Deadline) -> list[User]:
        # School deadlines go to the SENCO(s); LA and parent deadlines too, as the people who track them.
        # The headteacher's own deadline (R5, the review report) goes to them as well.
        people = list(self.trackers(d.school_id))
        if d.responsible == Responsible.HEADTEACHER:
            people += self.heads.get(d.school_id, [])
        return _unique(people)

    def for_missed(self, d: Deadline) -> list[User]:
        # Missed: the SENCO is told and the headteacher is told as an escalation.
        return _unique(list(self.trackers(d.school_id)) + self.heads.get(d.school_id, []))


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for u in users:
        seen.setdefault(u.pk, u)
    return list(seen.values())


def latest_reminder_due(d: Deadline, offsets: tuple[int, ...], today: date) -> int | None:
    """The smallest offset whose reminder date (due - offset) has come, while the deadline is not yet past."""
    if today > d.due:
        return None
    due_offsets = [o for o in offsets if d.due - timedelta(days=o) <= today]
    return min(due_offsets) if due_offsets else None


def _who(d: Deadline) -> str:
    return {
        Responsible.LA: "The local authority",
        Responsible.SCHOOL: "The school",
        Responsible.PARENT: "The parent",
        Responsible.HEADTEACHER: "The headteacher",
    }[Responsible(d.responsible)]


def _pupil_label(d: Deadline) -> str:
    # Notifications are emailed: they say which year group, never the pupil's name (data minimisation).
    if d.pupil is None:  # a consultation before admission (A5)
        return f"{NOT_ON_ROLL} at {d.school.name}"
    return f"a {d.pupil.get_year_group_display()} pupil at {d.school.name}"


def reminder_text(d: Deadline, today: date) -> str:
    # The days really left, not the reminder step: a catch-up sweep sends the 14-day reminder 8 days out.
    days = (d.due - today).days
    left = "today" if days <= 0 else ("tomorrow" if days == 1 else f"in {days} days")
    return (
        f"Due {left}: {d.rule_id} for {_pupil_label(d)}. {_who(d)}: {d.rule.action.lower()}, "
        f"by {d.due:%A %-d %B %Y} ({d.wording}; {d.source})."
    )


def missed_text(d: Deadline) -> str:
    owner = "The local authority has missed" if d.is_la else "Missed"
    text = (
        f"{owner}: {d.rule_id} for {_pupil_label(d)}. {d.rule.action} was due by {d.due:%A %-d %B %Y} "
        f"({d.wording}; {d.source})."
    )
    if d.is_la:
        text += " Keep this as evidence for escalation."
    if d.exception_kind:
        text += f" An exception is recorded: {d.exception_label.lower()}."
    return text


def _notes(users: list[User], *, kind: str, text: str, link: str, key: str) -> list[Notification]:
    return [
        Notification(trust_id=u.trust_id, recipient=u, kind=kind, text=text[:500], link=link, dedupe_key=key)
        for u in users
        if u.trust_id is not None
    ]


def _parents_of(deadlines: list[Deadline]) -> dict[int, list[User]]:
    """The linked parents of each deadline's child (one query for the chunk): an account, parental
    responsibility, active, and in the child's own trust (a parent account of another trust never)."""
    pupil_ids = {d.pupil_id for d in deadlines if d.pupil_id is not None}
    if not pupil_ids:
        return {}
    parents: dict[int, list[User]] = defaultdict(list)
    contacts = Contact.objects.filter(
        pupil_id__in=pupil_ids,
        parental_responsibility=True,
        user__isnull=False,
        user__is_active=True,
        user__trust_id=F("trust_id"),
    ).select_related("user")
    for c in contacts:
        if c.user is not None:
            parents[c.pupil_id].append(c.user)
    return {pupil_id: _unique(users) for pupil_id, users in parents.items()}


CHUNK = 200  # default; DEADLINE_SWEEP_CHUNK overrides it (the fault tests use tiny chunks)


def sweep_trust(*, trust_id: int, today: date) -> SweepResult:
    """Run the sweep for one trust (the caller has activated its scope).

    The deadlines that may need something are read first; then, CHUNK at a time, each chunk is locked
    (rows another worker holds are skipped: that worker is doing them), re-read, and in one transaction
    its reminders and misses are claimed (bulk update) and its notifications created (one INSERT, where a
    duplicate (recipient, dedupe_key) is a no-op). Running twice, on two workers, or after downtime sends
    nothing twice and misses nothing; a failure rolls back one chunk, which the next sweep does again.
    """
    from .services import ensure_phase_transfers

    result = SweepResult(phase_transfers=ensure_phase_transfers(today=today))
    settings = {s.rule_id: s for s in DeadlineSetting.objects.filter(trust_id=trust_id)}
    offsets = {rule_id: reminder_days_for(s) for rule_id, s in settings.items()}
    horizon = max([*DEFAULT_REMINDER_DAYS, *(o for offs in offsets.values() for o in offs)])
    candidate_ids = list(
        Deadline.objects.filter(trust_id=trust_id, status=Status.OPEN, due__lte=today + timedelta(days=horizon))
        .order_by("due", "id")
        .values_list("id", flat=True)
    )
    recipients: Recipients | None = None
    chunk = int(getattr(django_settings, "DEADLINE_SWEEP_CHUNK", CHUNK) or CHUNK)
    for start in range(0, len(candidate_ids), chunk):
        recipients = recipients or Recipients(trust_id)
        result.add(_sweep_chunk(candidate_ids[start : start + chunk], offsets, recipients, today))
    return result


@transaction.atomic
def _sweep_chunk(
    ids: list[int], offsets: dict[str, tuple[int, ...]], recipients: Recipients, today: date
) -> SweepResult:
    result = SweepResult()
    locked = (
        Deadline.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(pk__in=ids, status=Status.OPEN)
        .select_related("pupil", "school")
        .order_by("due", "id")
    )
    now = timezone.now()
    reminded: list[Deadline] = []
    missed: list[Deadline] = []
    notes: list[Notification] = []
    for d in locked:
        if d.due < today:
            d.status, d.updated_at = Status.MISSED, now
            missed.append(d)
            link = deadline_link(d)
            key = f"deadline:{d.pk}:missed-{d.due:%Y%m%d}"
            notes += _notes(recipients.for_missed(d), kind="deadline_missed", text=missed_text(d), link=link, key=key)
            continue
        offset = latest_reminder_due(d, offsets.get(d.rule_id, DEFAULT_REMINDER_DAYS), today)
        if offset is None or (d.reminder_offset_sent is not None and offset >= d.reminder_offset_sent):
            continue
        d.reminder_offset_sent, d.updated_at = offset, now
        reminded.append(d)
        key = f"deadline:{d.pk}:remind-{offset}-{d.due:%Y%m%d}"
        notes += _notes(
            recipients.for_reminder(d),
            kind="deadline_reminder",
            text=reminder_text(d, today),
            link=deadline_link(d),
            key=key,
        )
    parents_due = [d for d in reminded if d.rule_id in PARENT_RULES and d.pupil is not None]
    parents = _parents_of(parents_due)
    for d in parents_due:
        assert d.pupil is not None and d.reminder_offset_sent is not None
        key = f"deadline:{d.pk}:remind-{d.reminder_offset_sent}-{d.due:%Y%m%d}"
        notes += _notes(
            parents.get(d.pupil.pk, []),
            kind="deadline_reminder",
            text=parent_reminder_text(d, today),
            link=parent_link(d.pupil),
            key=key,
        )
    Deadline.objects.bulk_update(reminded, ["reminder_offset_sent", "updated_at"])
    Deadline.objects.bulk_update(missed, ["status", "updated_at"])
    for d in missed:
        audit.record(
            actor=None,
            action=audit.Action.CHANGE,
            obj=d,
            pupil_id=d.pupil_id,
            summary=f"Deadline {d.rule_id} missed (was due by {d.due:%-d %B %Y})",
        )
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    result.reminders, result.missed, result.notifications = len(reminded), len(missed), len(notes)
    return result
