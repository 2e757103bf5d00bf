"""Business actions of the graduated approach. Every write is here: checked, audited, all or nothing.

Each function raises ValidationError listing what is wrong in plain words; nothing is written then.
"""

from .arrangement_review import move_arrangements, sweep_arrangements
from .arrangements import record_arrangement, update_arrangement
from .assess import ASSESS_FIELDS, add_assessment_result, update_assessment
from .catalogue import MAX_RATE, save_provision, set_rates
from .cycles import PROFILE_FIELDS, SUPPORT_STATUSES, default_review_date, start_cycle
from .delivery import GroupEntry, log_delivery, log_group_session
from .parent_meetings import record_parent_meeting
from .planning import (
    LONGEST_PLAN_DAYS,
    add_outcome,
    add_strategy,
    allocate_provision,
    confirm_plan,
    remove_item,
    update_outcome,
)
from .review import record_review

__all__ = [
    "GroupEntry",
    "log_group_session",
    "ASSESS_FIELDS",
    "LONGEST_PLAN_DAYS",
    "MAX_RATE",
    "PROFILE_FIELDS",
    "SUPPORT_STATUSES",
    "add_assessment_result",
    "add_outcome",
    "add_strategy",
    "allocate_provision",
    "move_arrangements",
    "record_arrangement",
    "sweep_arrangements",
    "update_arrangement",
    "confirm_plan",
    "default_review_date",
    "log_delivery",
    "record_parent_meeting",
    "record_review",
    "remove_item",
    "save_provision",
    "set_rates",
    "start_cycle",
    "update_assessment",
    "update_outcome",
]
