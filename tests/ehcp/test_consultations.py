"""Consultations on naming the school for a child not yet on roll: the rules of each step, A5 (the school's
reply within 15 days, SEND Code of Practice 2015 para 9.83) through the deadline engine, and linking the child."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from ehcp import consultations as service
from ehcp.calendar import ical_feed
from ehcp.models import Consultation, Deadline
from ehcp.sweep import sweep_trust
from pupils.models import Document
from tests.factories import pupil_at
from tests.permission_cases.ehcp import PDF_BYTES
from trusts.models import Notification

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def _draft(content: bytes = PDF_BYTES, name: str = "draft.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _record(demo, **overrides) -> Consultation:
    values = {
        "school": demo.acorn,
        "local_authority": "Oakshire",
        "consulted_on": date(2026, 2, 20),
        "child_name": "Sam Newcomer",
        "child_date_of_birth": date(2021, 5, 4),
        "draft": _draft(),
        "actor": demo.user("senco.acorn@oak.test"),
    }
    values.update(overrides)
    with scope(trust=demo.oak.pk):
        return service.record_consultation(**values)


def test_recording_opens_a5_with_no_pupil_in_the_deadlines_sweep_and_calendar(demo) -> None:
    c = _record(demo)
    with scope(trust=demo.oak.pk):
        a5 = service.a5_deadline(c)
        assert a5 is not None
        # 15 days counting the day of consultation: 20 February to 6 March.
        assert (a5.pupil_id, a5.school_id, a5.due, a5.responsible, a5.status) == (
            None,
            demo.acorn.pk,
            date(2026, 3, 6),
            "school",
            "open",
        )
        assert c.draft.read().startswith(b"%PDF") and c.draft_content_type == "application/pdf"
        # The sweep reminds the SENCO (7 days before), without naming the child.
        sweep_trust(trust_id=demo.oak.pk, today=TODAY)
        note = Notification.objects.get(recipient=demo.user("senco.acorn@oak.test"), kind="deadline_reminder")
        assert "A5 for a child not yet on roll at Acorn" in note.text and "Sam" not in note.text
        assert note.link == reverse("ehcp:consultation_detail", kwargs={"pk": c.pk})
        feed = ical_feed([a5], base_url="https://send.test")
    assert "A5 (not on roll) (Acorn" in feed and "Sam" not in feed


def test_every_problem_is_reported_at_once_and_nothing_is_written(demo) -> None:
    with pytest.raises(ValidationError) as exc:
        _record(
            demo,
            local_authority=" ",
            child_name="",
            consulted_on=date(2026, 3, 3),
            child_date_of_birth=date(2026, 3, 4),
            draft=_draft(b"MZ\x90\x00 not a document", "draft.pdf"),
        )
    errors = exc.value.message_dict
    assert set(errors) == {"local_authority", "child_name", "consulted_on", "child_date_of_birth", "draft"}
    assert errors["consulted_on"] == ["The date the LA consulted the school cannot be in the future."]
    with scope(trust=demo.oak.pk):
        assert not Consultation.objects.exists() and not Deadline.objects.filter(rule_id="A5").exists()


def test_a_child_over_25_and_a_duplicate_are_refused(demo) -> None:
    with pytest.raises(ValidationError, match=r"up to 25 \(CFA 2014 s.83\(2\)\)"):
        _record(demo, child_date_of_birth=date(1990, 1, 1))
    _record(demo)
    with pytest.raises(ValidationError, match="already recorded: Sam Newcomer, consulted on 20 February 2026"):
        _record(demo, child_name="sam newcomer")


def test_a_reply_meets_a5_and_a_late_reply_is_kept_late(demo) -> None:
    senco = demo.user("senco.acorn@oak.test")
    on_time, late = _record(demo), _record(demo, child_name="Alex Late", consulted_on=date(2026, 2, 1))
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError) as exc:
            service.record_reply(consultation=on_time, replied_on=date(2026, 2, 19), response=" ", actor=senco)
        assert exc.value.message_dict == {
            "response": ["Write the school's response: what you told the LA."],
            "replied_on": [
                "The date the school replied cannot be before the LA consulted the school (20 February 2026)."
            ],
        }
        service.record_reply(
            consultation=on_time, replied_on=date(2026, 2, 27), response="We can meet needs.", actor=senco
        )
        sweep_trust(trust_id=demo.oak.pk, today=TODAY)  # marks the late one missed
        service.record_reply(consultation=late, replied_on=date(2026, 3, 1), response="Yes.", actor=senco)
        a5, a5_late = service.a5_deadline(on_time), service.a5_deadline(late)
        assert (a5.status, a5.met_on, a5.met_late) == ("met", date(2026, 2, 27), False)
        assert (a5_late.status, a5_late.met_late, a5_late.days_late) == ("met", True, 14)
        on_time.refresh_from_db()
        assert (on_time.status, on_time.response) == ("replied", "We can meet needs.")
        with pytest.raises(ValidationError, match="already replied on 27 February 2026"):
            service.record_reply(consultation=on_time, replied_on=TODAY, response="Again", actor=senco)


def test_a_decision_inside_the_schools_15_days_is_the_las_breach_and_a_withdrawal_waives_a5(demo) -> None:
    senco = demo.user("senco.acorn@oak.test")
    early, withdrawn = _record(demo), _record(demo, child_name="Robin Withdrawn")
    with scope(trust=demo.oak.pk):
        service.record_outcome(consultation=early, outcome="named", on=date(2026, 2, 25), actor=senco)
        service.record_outcome(consultation=withdrawn, outcome="withdrawn", on=TODAY, actor=senco)
        a5, a5_w = service.a5_deadline(early), service.a5_deadline(withdrawn)
        assert (a5.status, a5.la_breach) == ("waived", True) and "inside the school's 15 days" in a5.waived_reason
        assert (a5_w.status, a5_w.la_breach) == ("waived", False)
        with pytest.raises(ValidationError, match="This consultation is closed"):
            service.record_outcome(consultation=early, outcome="not_named", on=TODAY, actor=senco)
        with pytest.raises(ValidationError, match="Choose what the LA decided"):
            service.record_outcome(consultation=_record(demo, child_name="X Y"), outcome="maybe", on=TODAY, actor=senco)


def test_linking_a_named_child_adds_the_draft_to_their_documents_and_timeline(demo) -> None:
    senco = demo.user("senco.acorn@oak.test")
    c = _record(demo)
    wrong_child = pupil_at(demo, demo.acorn, date_of_birth=date(2021, 5, 5))
    child = pupil_at(demo, demo.acorn, date_of_birth=date(2021, 5, 4))
    beech_child = pupil_at(demo, demo.beech, date_of_birth=date(2021, 5, 4))
    with scope(trust=demo.oak.pk):
        with pytest.raises(ValidationError, match="Only a consultation where the LA named the school"):
            service.link_to_pupil(consultation=c, pupil=child, actor=senco)
        service.record_reply(consultation=c, replied_on=date(2026, 2, 24), response="Yes.", actor=senco)
        service.record_outcome(consultation=c, outcome="named", on=TODAY, actor=senco)
        assert list(service.pupils_to_link(c)) == [child]
        with pytest.raises(ValidationError, match="the consultation is for a child born on 4 May 2021"):
            service.link_to_pupil(consultation=c, pupil=wrong_child, actor=senco)
        with pytest.raises(ValidationError, match="is not on roll at Acorn"):
            service.link_to_pupil(consultation=c, pupil=beech_child, actor=senco)
        linked = service.link_to_pupil(consultation=c, pupil=child, actor=senco)
        c.refresh_from_db()
        assert (c.pupil_id, c.linked_on) == (child.pk, TODAY)
        doc = Document.objects.get(pupil=child)
        assert doc == linked.document and doc.category == "la" and doc.visibility == "staff"
        assert doc.file.read() == PDF_BYTES
        assert Deadline.objects.get(subject_type="consultation", subject_id=c.pk).pupil_id == child.pk
        with pytest.raises(ValidationError, match="already linked"):
            service.link_to_pupil(consultation=c, pupil=child, actor=senco)
    client = demo.client_for("senco.acorn@oak.test")
    page = client.get(reverse("pupils:record", kwargs={"pk": child.pk})).content.decode()
    assert "Oakshire consulted the school about naming it in the EHC plan." in page
    assert "Consultation on naming the school: the LA named the school." in page
