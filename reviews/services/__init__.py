"""Business actions of annual reviews. Each records one step, opens, recomputes or meets the statutory
deadlines it triggers through the engine (`ehcp.deadlines`), writes an audit entry, and runs in one
transaction: a refused action raises ValidationError and writes nothing.

The deadlines of a review (subject_type "annual_review", subject_id = review id):
- R1 (CFA s.44; CoP 9.166) review within 12 months of the plan's issue or the last review. The first
  review meets the plan's own R1 (opened by ehcp when the plan is issued); each later review has its own,
  anchored on the meeting of the review before it. R2 (CoP 9.178) likewise for a child under 5
  (3 months, the earlier of "every 3 to 6").
- R3, R4 (Regs 20(3)-(4), 21(3)-(4)) invitations, and advice circulated, at least 2 weeks before the meeting.
- R5 (Regs 21(7)) report to the LA and everyone invited within 2 weeks of the meeting.
- R6 (Regs 20; Devon [2022] EWHC 493) the LA's decision within 4 weeks of the meeting.
- R7, R8 (Regs 22(2)-(3)) when the LA proposes amendments: 15 days for the parent's representations,
  8 weeks for the final amended plan.
- R9 (Regs 18(1)) a phase transfer: the amended plan naming the next school before 15 February
  (31 March into post-16). ehcp opens it per PhaseTransfer; a transfer review is due early enough for it.
"""

from ._common import ACTIVE, Status, review_deadline
from .after_meeting import record_amendments, record_la_decision, record_pdf_download, record_report_sent
from .meeting_record import MAX_ACTIONS, ActionInput, MeetingRecord, record_meeting
from .meetings import (
    MEETING_RULES,
    add_invitee,
    circulate_advice,
    record_advice,
    record_invitations,
    remove_invitee,
    schedule_meeting,
)
from .plan_changes import close_for_ceased_plan, follow_corrected_issue_date
from .pupil_voice import use_all_about_me
from .starting import cancel_review, start_review, transfer_meeting_due

__all__ = [
    "ACTIVE",
    "ActionInput",
    "MAX_ACTIONS",
    "MEETING_RULES",
    "MeetingRecord",
    "Status",
    "add_invitee",
    "cancel_review",
    "circulate_advice",
    "close_for_ceased_plan",
    "follow_corrected_issue_date",
    "record_advice",
    "record_amendments",
    "record_invitations",
    "record_la_decision",
    "record_meeting",
    "record_pdf_download",
    "record_report_sent",
    "remove_invitee",
    "review_deadline",
    "schedule_meeting",
    "start_review",
    "transfer_meeting_due",
    "use_all_about_me",
]
