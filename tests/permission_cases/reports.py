"""Permission cases for the dashboards."""

from __future__ import annotations

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
