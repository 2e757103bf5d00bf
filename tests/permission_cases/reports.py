"""Permission cases for the dashboards."""

from __future__ import annotations

from typing import Any

from .base import Case

AGGREGATES = {"lead@oak.test", "head.acorn@oak.test", "senco.acorn@oak.test", "governor.acorn@oak.test"}
TRUST = {"lead@oak.test", "trustee@oak.test"}

CASES = [
    Case("reports:school_dashboard", own=AGGREGATES),
    Case("reports:trust_dashboard", own=TRUST),
]
COVERED_ELSEWHERE = {"reports:trust_csv": "tests/reports/test_dashboards.py::test_trust_dashboard_and_csv"}

CASES += [Case("reports:board_reports", own=TRUST), Case("reports:portal", own={"parent.acorn@oak.test"})]
COVERED_ELSEWHERE |= {
    "reports:board_report_status": "tests/reports/test_board_report.py",
    "reports:board_report_download": "tests/reports/test_board_report.py",
    "reports:portal_child": "tests/reports/test_portal.py",
    "reports:portal_document": "tests/reports/test_portal.py",
}

CASES += [
    Case("reports:sen_information", own=AGGREGATES),
    Case("reports:sen_information_pdf", own=AGGREGATES),
]
COVERED_ELSEWHERE |= {"reports:evidence_pack": "tests/reports/test_evidence_pack.py"}

# Large print (pupils.Contact.large_print): the parent's own choice and their child's documents.


def _child_with_plan(demo: Any, school: Any) -> dict[str, Any]:
    from tests.permission_cases.graduated import active_cycle

    return {"pk": active_cycle(demo, school).pupil_id}


CASES += [
    Case("reports:portal_large_print", own={"parent.acorn@oak.test"}, method="post", ok=(302,)),
    # Only the child's own parent; Beech's pupil has no parent account among the roles.
    Case("reports:portal_plan_pdf", kwargs=_child_with_plan, own={"parent.acorn@oak.test"}),
]
COVERED_ELSEWHERE |= {"reports:portal_review_pdf": "tests/pupils/test_large_print.py"}


# Promised versus delivered (reports.delivery): a pupil's and a school's for the school's casework roles (the
# inclusion lead too); the trust's table, with small numbers hidden, for the inclusion lead and trustees.
CASEWORK = {"lead@oak.test", "head.acorn@oak.test", "senco.acorn@oak.test"}


def _pupil_with_plan(demo: Any, school: Any) -> dict[str, Any]:
    from tests.permission_cases.ehcp import make_plan

    return {"pupil_id": make_plan(demo, school).pupil_id}


CASES += [
    Case("reports:delivery_school", own=CASEWORK),
    Case("reports:delivery_csv", own=CASEWORK),
    Case("reports:delivery_trust", own=TRUST),
    Case("reports:delivery_pupil", kwargs=_pupil_with_plan, own=CASEWORK, other_school={"lead@oak.test"}),
]
