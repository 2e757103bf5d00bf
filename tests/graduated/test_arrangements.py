"""Access arrangements: the rules and their messages, the Form 8 upload, the pages that show them (passport,
record, list, CSV, portal), reminders before review and constant query counts."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from graduated import services
from graduated.models import AccessArrangement
from graduated.record import arrangements_record_part
from graduated.services.arrangement_review import sweep_arrangements
from pupils.models import Document
from tests.factories import pupil_at
from tests.permission_cases.access_arrangements import arrangement_for, evidence
from tests.permission_cases.documents import PDF_BYTES
from tests.permission_cases.graduated import casework_user
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
Kind = AccessArrangement.Kind
Status = AccessArrangement.Status


def _problems(demo, school, year: str = "4", **overrides: Any) -> dict[str, list[str]]:
    pupil = pupil_at(demo, school, year_group=year)
    with scope(trust=school.trust_id), pytest.raises(ValidationError) as exc:
        services.record_arrangement(pupil=pupil, actor=casework_user(school), **evidence(**overrides))
    with scopes_disabled():
        assert not AccessArrangement.objects.filter(pupil=pupil).exists()  # nothing half-written
    return exc.value.message_dict


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"kind": Kind.EXTRA_TIME}, "extra_time_percent", "Enter how much extra time, as a percentage"),
        ({"kind": Kind.EXTRA_TIME, "extra_time_percent": 0}, "extra_time_percent", "between 1% and 100%"),
        ({"kind": Kind.EXTRA_TIME, "extra_time_percent": 150}, "extra_time_percent", "between 1% and 100%"),
        ({"kind": Kind.EXTRA_TIME, "extra_time_percent": 50}, "exceptional_evidence", "over 25% (50%) needs"),
        ({"extra_time_percent": 25}, "extra_time_percent", "Only extra time has a percentage"),
        ({"review_on": TODAY - timedelta(days=40)}, "review_on", "must be after the date it was granted"),
        ({"review_on": None}, "review_on", "Enter the date to review it"),
        ({"granted_on": TODAY + timedelta(days=1)}, "granted_on", "cannot be in the future"),
        ({"assessor_name": " "}, "assessor_name", "Enter who assessed"),
        ({"assessor_qualification": ""}, "assessor_qualification", "Enter the assessor's qualification"),
        ({"normal_way_of_working": ""}, "normal_way_of_working", "Enter the evidence"),
        ({"kind": Kind.OTHER}, "details", "Describe the other arrangement"),
        ({"kind": "dancing"}, "kind", "Choose the arrangement"),
    ],
)
def test_bad_input_says_what_is_wrong_and_writes_nothing(demo, overrides, field, words) -> None:
    problems = _problems(demo, demo.acorn, **overrides)
    assert any(words in message for message in problems[field]), problems


def test_extra_time_over_25_percent_with_exceptional_evidence_is_granted(demo) -> None:
    arrangement = arrangement_for(
        pupil_at(demo, demo.acorn, year_group="6"),
        kind=Kind.EXTRA_TIME,
        extra_time_percent=50,
        exceptional_evidence="Speed of processing 64 and reading speed 68 (standardised).",
    )
    assert arrangement.label == "Extra time (50%)"
    assert arrangement.status == Status.GRANTED and arrangement.phase == "primary"
    with scopes_disabled():
        entry = AuditEntry.objects.get(object_type="graduated.AccessArrangement", object_id=str(arrangement.pk))
    assert entry.action == "create" and "Extra time (50%)" in entry.summary


def test_at_secondary_extra_time_needs_a_completed_form_8_uploaded(demo) -> None:
    problems = _problems(demo, demo.beech, year="10", kind=Kind.EXTRA_TIME, extra_time_percent=25)
    assert "completed JCQ Form 8" in problems["form8_completed_on"][0]
    problems = _problems(
        demo,
        demo.beech,
        year="10",
        kind=Kind.READER,
        form8_completed_on=TODAY,
        form8_completed_by="Jo Patel",
        form8_file=SimpleUploadedFile("form8.exe", b"MZ\x90\x00 program", content_type="application/pdf"),
    )
    assert problems["form8_file"]  # the record's upload checks refuse it
    with scopes_disabled():
        assert not Document.objects.exists()
    # Proposed needs no Form 8 yet; a computer reader never does.
    arrangement_for(pupil_at(demo, demo.beech, year_group="10"), kind=Kind.READER, status=Status.PROPOSED)
    arrangement_for(pupil_at(demo, demo.beech, year_group="10"), kind=Kind.COMPUTER_READER)


def test_the_form_8_is_kept_on_the_record_through_the_upload_checks(demo) -> None:
    pupil = pupil_at(demo, demo.beech, year_group="10")
    arrangement = arrangement_for(
        pupil,
        kind=Kind.EXTRA_TIME,
        extra_time_percent=25,
        form8_completed_on=TODAY - timedelta(days=31),
        form8_completed_by="Jo Patel, specialist assessor",
        form8_file=SimpleUploadedFile("Form 8.pdf", PDF_BYTES, content_type="application/pdf"),
    )
    with scopes_disabled():
        document = Document.objects.get(pupil=pupil)
        assert arrangement.form8_document_id == document.pk
        assert document.visibility == Document.Visibility.STAFF and "Form 8" in document.title
    page = demo.client_for("senco.beech@oak.test").get(reverse("graduated:pupil_arrangements", args=[pupil.pk]))
    assert "Download Form 8" in page.content.decode()


def test_confirming_after_a_review_records_the_new_school_and_phase(demo) -> None:
    arrangement = arrangement_for(pupil_at(demo, demo.acorn, year_group="6"))
    with scopes_disabled():
        AccessArrangement.objects.filter(pk=arrangement.pk).update(status=Status.TO_REVIEW, review_reason="Moved.")
        arrangement.pupil.year_group = "7"
        arrangement.pupil.save()
    client = demo.client_for("senco.acorn@oak.test")
    url = reverse("graduated:arrangement_edit", args=[arrangement.pk])
    assert "Check the evidence still applies here" in client.get(url).content.decode()
    form = evidence(status="granted", granted_on=TODAY.isoformat(), review_on=(TODAY + timedelta(days=365)).isoformat())
    response = client.post(url, form)
    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert (arrangement.status, arrangement.phase, arrangement.granted_year_group, arrangement.review_reason) == (
        Status.GRANTED,
        "secondary",
        "7",
        "",
    )


def test_the_form_shows_each_message_beside_its_field(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = demo.client_for("senco.acorn@oak.test")
    form = evidence(kind="extra_time", extra_time_percent="", assessor_name="", granted_on=TODAY.isoformat())
    form["review_on"] = (TODAY - timedelta(days=1)).isoformat()
    response = client.post(reverse("graduated:arrangement_new", args=[pupil.pk]), form)
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    for words in ("Enter how much extra time", "Enter who assessed", "The review date must be after"):
        assert words in page
    with scopes_disabled():
        assert not AccessArrangement.objects.filter(pupil=pupil).exists()


def test_teachers_see_them_on_the_passport_and_the_record_and_governors_never(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    arrangement_for(pupil, kind=Kind.EXTRA_TIME, extra_time_percent=25)
    arrangement_for(pupil, kind=Kind.READER, status=Status.PROPOSED)
    moved = arrangement_for(pupil, kind=Kind.REST_BREAKS)
    with scopes_disabled():
        AccessArrangement.objects.filter(pk=moved.pk).update(
            status=Status.TO_REVIEW, review_reason="Granted at Beech Academy: not yet confirmed at Acorn Primary."
        )
    teacher = demo.client_for("teacher.acorn@oak.test")
    passport = teacher.get(reverse("graduated:passport", args=[pupil.pk])).content.decode()
    assert "Extra time (25%)" in passport and "Supervised rest breaks" in passport
    assert "Not yet confirmed" in passport and "not yet confirmed at Acorn Primary" in passport
    assert "Reader" not in passport  # proposed: not applied yet
    record = teacher.get(reverse("pupils:record", args=[pupil.pk])).content.decode()
    assert "Access arrangements and reasonable adjustments" in record and "Extra time (25%)" in record
    with scope(trust=demo.oak.pk):
        assert arrangements_record_part(demo.user("governor.acorn@oak.test"), pupil, False) is None
        assert arrangements_record_part(demo.user("trustee@oak.test"), pupil, False) is None


def test_parents_read_them_in_plain_words(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    arrangement_for(pupil, kind=Kind.EXTRA_TIME, extra_time_percent=25)
    arrangement_for(pupil, kind=Kind.SEPARATE_ROOM, status=Status.ENDED, ended_on=TODAY)
    page = demo.client_for("parent.acorn@oak.test").get(reverse("reports:portal_child", args=[pupil.pk]))
    text = page.content.decode()
    assert f"{pupil.forename} gets 25% extra time in tests and exams." in text
    assert "away from the other pupils" not in text  # ended
    assert "Sam Hughes" not in text and "yellow overlay" not in text  # evidence is for staff


def test_the_list_and_csv_show_every_arrangement_and_what_is_due(demo) -> None:
    soon = arrangement_for(
        pupil_at(demo, demo.acorn, legal_forename="=HYPERLINK(1)"), review_on=TODAY + timedelta(days=10)
    )
    later = arrangement_for(pupil_at(demo, demo.acorn))
    arrangement_for(pupil_at(demo, demo.beech))  # another school's
    client = demo.client_for("senco.acorn@oak.test")
    page = client.get(reverse("graduated:arrangements")).content.decode()
    assert page.count("Colour overlay") == 3  # two in the table, one due
    response = client.get(reverse("graduated:arrangements_csv") + f"?school={demo.acorn.pk}")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Pupil", "UPN", "Year", "Arrangement"]
    assert len(rows) == 3
    assert any(r[0].startswith("'=HYPERLINK") for r in rows[1:])  # never a live formula
    assert {r[8] for r in rows[1:]} == {soon.review_on.isoformat(), later.review_on.isoformat()}
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="export", summary__startswith="Access arrangements export").exists()
        assert AuditEntry.objects.filter(action="view", summary__startswith="Access arrangements list").exists()


def test_reminders_before_review_are_sent_once(demo) -> None:
    due = arrangement_for(pupil_at(demo, demo.acorn), review_on=TODAY + timedelta(days=20))
    arrangement_for(pupil_at(demo, demo.acorn), review_on=TODAY + timedelta(days=200))
    with scope(trust=demo.oak.pk):
        first = sweep_arrangements(trust_id=demo.oak.pk, today=TODAY)
        again = sweep_arrangements(trust_id=demo.oak.pk, today=TODAY)
        on_the_day = sweep_arrangements(trust_id=demo.oak.pk, today=due.review_on)
        notes = list(Notification.objects.filter(kind="access.review_due").values_list("text", flat=True))
    assert first["notifications"] == 1 and again["notifications"] == 0 and on_the_day["notifications"] == 1
    assert due.pupil.legal_surname not in " ".join(notes)  # emailed: no names


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_keep_a_constant_number_of_queries(demo) -> None:
    client = demo.client_for("senco.acorn@oak.test")
    pupil = pupil_at(demo, demo.acorn)
    arrangement_for(pupil)

    def pages() -> list[int]:
        return [
            _count(client, reverse("graduated:arrangements")),
            _count(client, reverse("graduated:arrangements_csv")),
            _count(client, reverse("graduated:pupil_arrangements", args=[pupil.pk])),
            _count(client, reverse("graduated:passport", args=[pupil.pk])),
        ]

    small = pages()
    for n in range(6):
        other = pupil_at(demo, demo.acorn)
        arrangement_for(other, kind=Kind.EXTRA_TIME, extra_time_percent=25, review_on=TODAY + timedelta(days=n + 1))
        arrangement_for(pupil, kind=Kind.OTHER, details=f"Sits near the door {n}")
    assert pages() == small


def test_what_parents_read_is_plain() -> None:
    from graduated.queries.arrangements import PLAIN
    from tests.test_plain_words import TEMPLATES, fixed_text, problems

    sam = {"name": "Sam", "percent": 25, "details": "Sam sits near the door."}
    texts = [text.format(**sam) for text in PLAIN.values()]
    checking = "The school is checking this is still right for Sam, now at a new school or in a new stage."
    include = fixed_text((TEMPLATES / "graduated/_portal_arrangements.html").read_text())
    report = problems(
        "the portal's access arrangements",
        "\n".join([*texts, checking, "Until then it may not be used in exams.", include]),
    )
    assert report is None, report
