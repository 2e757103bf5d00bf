"""Permission cases for the local authorities' record (reports.views.la_record).

The record: full numbers for the casework roles over the schools whose deadlines they see (the inclusion lead
the whole trust, a headteacher or SENCO their own school); the whole trust with small numbers hidden for
trustees; nobody else. The escalation letter to an LA: the inclusion lead only. Another trust's people see
nothing of this trust (tests/reports/test_la_record.py::test_another_trusts_lead_sees_nothing_of_this_trust).
"""

from __future__ import annotations

from .base import Case

CASES = [
    Case(
        "reports:la_record",
        own={"lead@oak.test", "trustee@oak.test", "head.acorn@oak.test", "senco.acorn@oak.test"},
    ),
    Case("reports:la_letter", own={"lead@oak.test"}),
]
