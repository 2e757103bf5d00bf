"""A trust's own targets and reminders for each statutory rule (never later than the law)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from trusts import audit
from trusts.models import User

from .. import rules
from ..deadlines import internal_due_date, setting_problems
from ..models import Deadline, DeadlineSetting


@transaction.atomic
def save_deadline_setting(
    *,
    trust_id: int,
    rule_id: str,
    target_amount: int | None,
    target_unit: str,
    reminder_days: list[int],
    actor: User,
) -> DeadlineSetting:
    """Set a trust's internal target and reminders for one rule, then recompute its open deadlines.

    A target can only be stricter than the law (refused otherwise); the statutory date never moves.
    """
    problems = setting_problems(
        rule_id=rule_id, target_amount=target_amount, target_unit=target_unit, reminder_days=reminder_days
    )
    if problems:
        raise ValidationError(problems)
    setting, _ = DeadlineSetting.objects.update_or_create(
        trust_id=trust_id,
        rule_id=rule_id,
        defaults={
            "target_amount": target_amount or None,
            "target_unit": target_unit,
            "reminder_days": sorted(set(reminder_days), reverse=True),
        },
    )
    for d in Deadline.objects.select_for_update().filter(
        trust_id=trust_id, rule_id=rule_id, status=Deadline.Status.OPEN
    ):
        internal = internal_due_date(
            setting=setting, rule_id=rule_id, trigger_date=d.trigger_date, meeting_date=d.meeting_date
        )
        if internal is not None and internal >= d.statutory_due:
            internal = None
        due = rules.stricter(d.statutory_due, internal)
        if (internal, due) != (d.internal_due, d.due):
            d.internal_due, d.due, d.reminder_offset_sent = internal, due, None
            d.save(update_fields=["internal_due", "due", "reminder_offset_sent", "updated_at"])
    audit.record(actor=actor, action=audit.Action.CHANGE, obj=setting, trust_id=trust_id, summary=f"{rule_id} settings")
    return setting
