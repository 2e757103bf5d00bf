"""Business actions of EHC casework: needs assessments, EHC plans, phase transfers and trust settings.

Each records what happened and opens, meets or waives the statutory deadlines it triggers through
the engine (`ehcp.deadlines`). Keyword-only, one transaction, audited; a refused action writes nothing.
"""

from ..models import SECTIONS
from ._common import ASSESSMENT, PLAN, Decision, Outcome
from .assessments import EVENTS, correct_request_date, record_assessment_event, request_assessment
from .calendar_feeds import create_calendar_token, hash_calendar_token, revoke_calendar_token, user_for_calendar_token
from .cessation import CEASE_TO_STATUSES, PLAN_CEASED_HOOKS, cease_plan
from .deadline_settings import save_deadline_setting
from .leavers import open_records_transfer
from .pdfs import MAX_PDF_BYTES, attach_plan_pdf, check_pdf
from .plans import (
    PLAN_ISSUE_DATE_HOOKS,
    PROVISION_CARRIED_HOOKS,
    OutcomeInput,
    ProvisionInput,
    add_outcome,
    add_provision,
    amend_plan,
    correct_plan_issue_date,
    issue_plan,
)
from .transfers import ensure_phase_transfers, open_phase_transfer, transfer_due, transfer_kind

__all__ = [
    "ASSESSMENT",
    "CEASE_TO_STATUSES",
    "Decision",
    "EVENTS",
    "MAX_PDF_BYTES",
    "Outcome",
    "OutcomeInput",
    "PLAN",
    "PLAN_CEASED_HOOKS",
    "PLAN_ISSUE_DATE_HOOKS",
    "PROVISION_CARRIED_HOOKS",
    "ProvisionInput",
    "SECTIONS",
    "add_outcome",
    "add_provision",
    "amend_plan",
    "attach_plan_pdf",
    "cease_plan",
    "check_pdf",
    "correct_plan_issue_date",
    "correct_request_date",
    "create_calendar_token",
    "ensure_phase_transfers",
    "hash_calendar_token",
    "issue_plan",
    "open_phase_transfer",
    "open_records_transfer",
    "record_assessment_event",
    "request_assessment",
    "revoke_calendar_token",
    "save_deadline_setting",
    "transfer_due",
    "transfer_kind",
    "user_for_calendar_token",
]
