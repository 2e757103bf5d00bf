"""The consultation pages: the SENCO records one with its draft, replies, and the list keeps its query count.
Who reaches each page is in tests/permission_cases/ehcp.py (the permission matrix)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from ehcp.models import Consultation, Deadline
from tests.permission_cases.ehcp import PDF_BYTES, make_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


def test_the_senco_records_a_consultation_and_replies_from_the_pages(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    bad = client.post(
        reverse("ehcp:consultation_new"),
        {
            "school": demo.acorn.pk,
            "local_authority": "Oakshire",
            "consulted_on": "2026-02-20",
            "child_name": "Sam Newcomer",
            "child_date_of_birth": "2021-05-04",
            "draft": SimpleUploadedFile("draft.pdf", b"GIF89a not a pdf", content_type="application/pdf"),
        },
    )
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    response = client.post(
        reverse("ehcp:consultation_new"),
        {
            "school": demo.acorn.pk,
            "local_authority": "Oakshire",
            "consulted_on": "2026-02-20",
            "child_name": "Sam Newcomer",
            "child_date_of_birth": "2021-05-04",
            "draft": SimpleUploadedFile("draft.pdf", PDF_BYTES, content_type="application/pdf"),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Consultation recorded. Reply to the LA by 6 March 2026 (A5)." in page
    with scope(trust=demo.oak.pk):
        c = Consultation.objects.get()
    assert client.get(reverse("ehcp:deadlines")).content.decode().count("a child not yet on roll") == 1
    with scope(trust=demo.oak.pk):
        a5 = Deadline.objects.get(subject_type="consultation", subject_id=c.pk)
    detail = client.get(reverse("ehcp:deadline_detail", kwargs={"pk": a5.pk})).content.decode()
    assert "a child not yet on roll, Acorn Primary" in detail
    assert reverse("ehcp:consultation_detail", kwargs={"pk": c.pk}) in detail
    csv = client.get(reverse("ehcp:deadline_csv")).content.decode()
    assert "a child not yet on roll" in csv
    draft = client.get(reverse("ehcp:consultation_draft", kwargs={"pk": c.pk}))
    assert b"".join(draft.streaming_content) == PDF_BYTES
    reply = client.post(
        reverse("ehcp:consultation_reply", kwargs={"pk": c.pk}),
        {"replied_on": "2026-02-27", "response": "We can meet the child's needs."},
        follow=True,
    )
    assert "Reply recorded. A5 is met." in reply.content.decode()
    with scope(trust=demo.oak.pk):
        assert Deadline.objects.get(subject_type="consultation", subject_id=c.pk).status == "met"


def test_another_trusts_staff_get_404(demo) -> None:
    c = make_consultation(demo, demo.acorn)
    client = demo.client_for("senco.willow@river.test")
    assert client.get(reverse("ehcp:consultation_detail", kwargs={"pk": c.pk})).status_code == 404
    assert client.post(reverse("ehcp:consultation_reply", kwargs={"pk": c.pk}), {}).status_code == 404
    assert c.child_name not in client.get(reverse("ehcp:consultations")).content.decode()


@pytest.mark.parametrize("count", [1, 4])
def test_the_list_keeps_its_query_count(demo, django_assert_max_num_queries, count) -> None:
    for i in range(count):
        make_consultation(demo, demo.acorn, child_name=f"Child {i}")
    client = demo.client_for("senco.acorn@oak.test")
    client.get(reverse("ehcp:consultations"))  # warm the session
    with django_assert_max_num_queries(12):
        page = client.get(reverse("ehcp:consultations")).content.decode()
    assert page.count('">Child ') == count
