"""Subject access: the request opens S1 (same day next month, UK GDPR art. 12(3)) in the deadline engine,
extension opens S2, third-party review gates sending, sending meets the deadline, and the export holds it all."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scope

from ehcp import rules
from ehcp.models import Deadline
from reports import subject_access
from reports.models import SubjectAccessRequest
from tests.factories import make_pupil
from tests.permission_cases.documents import make_document
from trusts import audit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("received", "months", "due"),
    [
        (date(2026, 9, 3), 1, date(2026, 10, 3)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2026, 9, 3), 3, date(2026, 12, 3)),
    ],
)
def test_the_rule_is_the_same_day_next_month(received, months, due):
    assert rules.due_date("S1" if months == 1 else "S2", received) == due


def _request(demo, pupil, received=date(2026, 9, 3)):
    with scope(trust=demo.oak.pk):
        return subject_access.record_request(
            pupil=pupil,
            requester_kind="parent",
            requester_name="Sam Parent",
            received_on=received,
            actor=demo.user("senco.acorn@oak.test"),
        )


@time_machine.travel(date(2026, 9, 10), tick=False)
def test_a_request_opens_its_deadline_and_sending_meets_it(demo):
    pupil = make_pupil(demo.acorn)
    sar = _request(demo, pupil)
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        deadline = Deadline.objects.get(subject_type="subject_access", subject_id=sar.pk)
        assert (deadline.rule_id, deadline.due, deadline.status) == ("S1", date(2026, 10, 3), "open")
        with pytest.raises(ValidationError, match="third-party"):
            subject_access.mark_sent(request=sar, sent_on=date(2026, 9, 10), actor=senco)
        subject_access.record_review(request=sar, keys=["notes", "bogus"], actor=senco)
        assert sar.reviewed == ["notes"]
        subject_access.mark_sent(request=sar, sent_on=date(2026, 9, 10), actor=senco)
        deadline.refresh_from_db()
        assert deadline.status == "met" and not deadline.met_late


@time_machine.travel(date(2026, 9, 10), tick=False)
def test_extension_within_the_first_month_opens_s2(demo):
    sar = _request(demo, make_pupil(demo.acorn))
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="complex"):
            subject_access.extend_request(request=sar, reason="", actor=demo.user("lead@oak.test"))
        extended = subject_access.extend_request(
            request=sar, reason="Ten years of records", actor=demo.user("lead@oak.test")
        )
        assert (extended.rule_id, extended.due) == ("S2", date(2026, 12, 3))
        assert Deadline.objects.get(subject_id=sar.pk, rule_id="S1").status == "waived"
        with pytest.raises(ValidationError, match="already been extended"):
            subject_access.extend_request(request=sar, reason="Again", actor=demo.user("lead@oak.test"))


def test_only_the_senco_or_the_lead_records_a_request(demo):
    pupil = make_pupil(demo.acorn)
    url = reverse("reports:sar_new", args=[pupil.pk])
    for email in ("teacher.acorn@oak.test", "head.acorn@oak.test", "senco.beech@oak.test", "lead@river.test"):
        assert demo.client_for(email).get(url).status_code == 404, email
    response = demo.client_for("senco.acorn@oak.test").post(url, {"requester_kind": "", "requester_name": ""})
    assert "Say who asked." in response.content.decode()
    with scope(trust=demo.oak.pk):
        assert not SubjectAccessRequest.objects.exists()


def test_the_export_holds_every_record_documents_and_the_access_log(demo):
    pupil = make_pupil(demo.acorn)
    document = make_document(pupil, title="EP report")
    with scope(trust=demo.oak.pk):
        audit.record(actor=demo.user("teacher.acorn@oak.test"), action=audit.Action.VIEW, obj=pupil, pupil_id=pupil.pk)
    sar = _request(demo, pupil, received=date(2026, 1, 5))
    client = demo.client_for("senco.acorn@oak.test")
    page = client.get(reverse("reports:sar_detail", args=[sar.pk])).content.decode()
    assert "EP report" in page and "Notes about other people" in page  # the third-party checklist
    assert demo.client_for("senco.beech@oak.test").get(reverse("reports:sar_detail", args=[sar.pk])).status_code == 404
    response = client.get(reverse("reports:sar_export", args=[sar.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert {"records.json", "access-log.json", "record.pdf", "evidence-pack.pdf"} <= set(names)
    assert f"documents/{document.pk} report.pdf" in names
    records = json.loads(archive.read("records.json"))
    assert records["pupils"][0]["upn"] == pupil.upn and records["documents"][0]["title"] == "EP report"
    log = json.loads(archive.read("access-log.json"))
    assert any(e["who"] == demo.user("teacher.acorn@oak.test").full_name for e in log)
    assert archive.read("record.pdf").startswith(b"%PDF")


@pytest.mark.parametrize("email", ["lead@oak.test", "senco.acorn@oak.test"])
def test_the_data_protection_page_queries_do_not_grow_with_the_requests(demo, email):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = demo.client_for(email)
    url = reverse("reports:data_protection")
    counts = []
    for extra in (1, 3):
        for _ in range(extra):
            _request(demo, make_pupil(demo.acorn))
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(url)
        assert page.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] and counts[0] <= 25, counts
