"""Reads of the graduated approach, reused by views, the SENCO home page, the parent portal and reports.

Every function runs a fixed number of queries whatever the number of pupils (prefetching, no loops of
queries), and who-sees-what lives here: `readable_pupils`, `may_log_delivery`, `plan_for_parent`.
"""

from trusts.dates import academic_year_bounds

from ._common import OPEN
from .access import can_edit_plans, loggable_pupils, may_log_delivery, on_roll, readable_pupils, visible_cycles
from .arrangements import (
    arrangement_pupils,
    arrangements_due_for_review,
    arrangements_for_parent,
    arrangements_for_passport,
    arrangements_of,
    may_manage_arrangements,
    school_arrangements,
)
from .catalogue import catalogue, provision_summary, rates_for, running_provisions
from .evidence import evidence_for_pupil
from .groups import GroupToLog, group_members, group_provision, groups_to_log, provisions_to_log, score_label
from .impact import NO_EVIDENCE, Impact, provision_impact
from .lists import (
    DUE_WITHIN_DAYS,
    MEETINGS_PER_YEAR,
    cycles_due_for_review,
    overdue_reviews,
    pupils_short_of_parent_meetings,
    reviews_due_or_overdue,
    support_counts,
    support_pupils,
)
from .parents import (
    PLAIN_NEXT_STEP,
    PLAIN_RESULT,
    SUPPORT_REVIEW,
    meetings_for_parent,
    plan_for_parent,
    support_reviews_for_parent,
)
from .provision_map import (
    MAP_PUPIL_FIELDS,
    MapFilters,
    MapRow,
    ProvisionMap,
    PupilTotal,
    counted_allocations,
    provision_map,
    provision_map_csv_rows,
)
from .pupil import (
    cycle_detail,
    cycles_of,
    open_cycle,
    parent_meetings,
    passport,
    recent_deliveries,
    scores_prefetch,
)
from .wording import outcome_findings

__all__ = [
    "outcome_findings",
    "scores_prefetch",
    "NO_EVIDENCE",
    "Impact",
    "provision_impact",
    "GroupToLog",
    "group_members",
    "group_provision",
    "groups_to_log",
    "provisions_to_log",
    "reviews_due_or_overdue",
    "score_label",
    "SUPPORT_REVIEW",
    "meetings_for_parent",
    "DUE_WITHIN_DAYS",
    "MAP_PUPIL_FIELDS",
    "MEETINGS_PER_YEAR",
    "MapFilters",
    "MapRow",
    "OPEN",
    "PLAIN_NEXT_STEP",
    "PLAIN_RESULT",
    "ProvisionMap",
    "PupilTotal",
    "academic_year_bounds",
    "arrangement_pupils",
    "arrangements_due_for_review",
    "arrangements_for_parent",
    "arrangements_for_passport",
    "arrangements_of",
    "may_manage_arrangements",
    "school_arrangements",
    "can_edit_plans",
    "catalogue",
    "cycle_detail",
    "cycles_due_for_review",
    "cycles_of",
    "evidence_for_pupil",
    "loggable_pupils",
    "may_log_delivery",
    "on_roll",
    "open_cycle",
    "overdue_reviews",
    "parent_meetings",
    "passport",
    "plan_for_parent",
    "provision_map",
    "counted_allocations",
    "provision_map_csv_rows",
    "provision_summary",
    "pupils_short_of_parent_meetings",
    "rates_for",
    "readable_pupils",
    "recent_deliveries",
    "running_provisions",
    "support_counts",
    "support_pupils",
    "support_reviews_for_parent",
    "visible_cycles",
]
