"""Every page that shows a child's casework writes a read entry to the access log, with the address it
came from: each URL that takes a pupil, support cycle, plan, review, concern, assessment, deadline or
document id, opened by the school's SENCO."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.test_permission_matrix import CASES
from trusts.models import AuditEntry

pytestmark = pytest.mark.django_db
CASEWORK_APPS = ("pupils:", "register:", "graduated:", "ehcp:", "reviews:", "reports:")
READ_ACTIONS = ("view", "download", "export")
# Pages with an id that are not one child's casework.
NOT_CHILD = {
    "ehcp:setting_edit",  # a trust's deadline settings
    "graduated:provision_edit",  # the school's provision catalogue entry
    "graduated:provision_delete",
    "pupils:import_confirm",  # an MIS upload awaiting confirmation (audited when confirmed)
    "pupils:import_preview",
    "reports:board_report_status",  # aggregates only
    "reports:board_report_download",
    "reports:sen_information_version",  # the school's report: its own words and hidden-small-number figures
    "reports:public_sen_information",  # the same, published for anyone
    "reports:public_sen_information_pdf",
}
CASES_WITH_IDS = [
    c
    for c in CASES
    if c.kwargs is not None
    and c.method == "get"
    and c.name.startswith(CASEWORK_APPS)
    and c.name not in NOT_CHILD
    and "senco.acorn@oak.test" in c.own
]


@pytest.mark.parametrize("case", CASES_WITH_IDS, ids=lambda c: c.name)
def test_opening_a_childs_casework_is_in_the_access_log(demo, case) -> None:
    kwargs = case.kwargs(demo, demo.acorn)
    client = Client(REMOTE_ADDR="203.0.113.7")
    client.force_login(demo.user("senco.acorn@oak.test"))
    with scopes_disabled():
        before = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.get(reverse(case.name, kwargs=kwargs))
    assert response.status_code in case.ok
    with scopes_disabled():
        reads = list(AuditEntry.objects.filter(pk__gt=before, action__in=READ_ACTIONS))
    assert reads, f"{case.name} showed casework without an access-log entry"
    assert all(r.ip_address == "203.0.113.7" for r in reads)
    assert all(r.actor_id == demo.user("senco.acorn@oak.test").pk for r in reads)
