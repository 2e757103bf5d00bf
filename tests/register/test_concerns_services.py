"""Cause-for-concern services: who may raise and triage, every rule and message, every outcome's effect on
the register, notifications and the audit trail; and the reads that decide who sees which concern."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from pupils.models import Document
from register import concern_queries as queries
from register.concerns import raise_concern, start_triage, triage_concern
from register.models import CauseForConcern, RegisterChange, RegisterEntry
from register.services import change_status
from tests.factories import make_group, make_pupil, pupil_at
from tests.permission_cases.concerns import CONCERN_ANSWERS, make_concern
from tests.permission_cases.documents import PDF_BYTES
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TEACHER, TA, SENCO = "teacher.acorn@oak.test", "ta.acorn@oak.test", "senco.acorn@oak.test"


def answers(**overrides):
    return {**CONCERN_ANSWERS, "noticed_since": TODAY - timedelta(days=30), **overrides}


def triage(demo, concern, email=SENCO, **fields):
    data = {"outcome": "nfa", "notes": "Discussed with the class teacher.", **fields}
    with scope(trust=concern.trust_id):
        return triage_concern(concern=concern, actor=demo.user(email), **data)


def entry_of(pupil):
    with scope(trust=pupil.trust_id):
        return RegisterEntry.objects.filter(pupil=pupil).first()


def counts(demo):
    with scope(trust=demo.oak.pk):
        return (
            CauseForConcern.objects.count(),
            Notification.objects.count(),
            AuditEntry.objects.count(),
            RegisterChange.objects.count(),
            Document.objects.count(),
        )


# Raising a concern


def test_teacher_raises_a_concern_about_their_pupil_and_the_senco_is_notified(
    demo, django_capture_on_commit_callbacks
) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with django_capture_on_commit_callbacks() as callbacks:
        concern = make_concern(demo, demo.acorn, pupil=pupil, areas=["cognition", "semh", "cognition"])
    assert (concern.status, concern.school_id, concern.raised_by) == ("new", demo.acorn.pk, demo.user(TEACHER))
    assert concern.areas == ["cognition", "semh"]
    with scope(trust=demo.oak.pk):
        notes = list(Notification.objects.all())
        entry = AuditEntry.objects.get(action="create", object_type="register.CauseForConcern")
    assert [n.recipient.email for n in notes] == [SENCO]  # not Beech's SENCO
    assert notes[0].link == reverse("register:concern_detail", kwargs={"pk": concern.pk})
    assert notes[0].kind == "concern.raised"
    assert "Tom Brennan raised a cause for concern about a Year 4 pupil" in notes[0].text
    assert pupil.legal_surname not in notes[0].text  # notifications are emailed: no pupil names
    assert len(callbacks) == 1  # the email is sent only once the concern is committed
    assert (entry.pupil_id, entry.school_id) == (pupil.pk, demo.acorn.pk)
    assert "Cognition and learning" in entry.summary


def test_every_senco_of_the_school_is_notified_but_not_the_senco_who_raised_it(demo) -> None:
    from trusts.services import create_person

    with scope(trust=demo.oak.pk):
        second = create_person(
            trust=demo.oak, email="senco2.acorn@oak.test", full_name="Second Senco", roles=[("senco", demo.acorn)]
        )
    make_concern(demo, demo.acorn)
    make_concern(demo, demo.acorn, raised_by=SENCO)
    with scope(trust=demo.oak.pk):
        recipients = sorted(Notification.objects.values_list("recipient__email", flat=True))
    assert recipients == sorted([SENCO, second.email, second.email])


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"areas": []}, "areas", "Tick at least one broad area of need"),
        ({"areas": ["cognition", "handwriting"]}, "areas", "Choose broad areas of need from the list"),
        ({"observations": "   "}, "observations", "Describe what you have noticed"),
        ({"noticed_since": None}, "noticed_since", "Enter the date you first noticed this"),
        ({"noticed_since": TODAY + timedelta(days=1)}, "noticed_since", "cannot be in the future"),
        ({"noticed_since": TODAY.replace(year=2000)}, "noticed_since", "before the pupil was born"),
        ({"strategies_tried": ""}, "strategies_tried", "Slow progress alone is not SEN"),
        ({"strategies_effect": ""}, "strategies_effect", "Say what effect those strategies had"),
        ({"parents_spoken_to": True, "parents_view": " "}, "parents_view", "Say what the parents or carers think"),
    ],
)
def test_raising_a_concern_refuses_missing_or_wrong_answers_and_writes_nothing(demo, overrides, field, message) -> None:
    pupil = pupil_at(demo, demo.acorn)
    before = counts(demo)
    with pytest.raises(ValidationError) as error, scope(trust=demo.oak.pk):
        raise_concern(pupil=pupil, actor=demo.user(TEACHER), **answers(**overrides))
    assert message in " ".join(error.value.message_dict[field])
    assert counts(demo) == before


def test_no_parents_view_is_kept_when_parents_were_not_spoken_to(demo) -> None:
    concern = make_concern(demo, demo.acorn, parents_spoken_to=False, parents_view="typed then changed my mind")
    assert (concern.parents_spoken_to, concern.parents_view) == (False, "")


@pytest.mark.parametrize(
    ("email", "whose", "allowed"),
    [
        (TEACHER, "own", True),
        (TA, "own", True),
        (TEACHER, "other class", False),
        (TA, "other class", False),
        (SENCO, "other class", True),
        ("head.acorn@oak.test", "other class", True),
        ("lead@oak.test", "beech", True),
        (SENCO, "beech", False),
        ("governor.acorn@oak.test", "own", False),
        ("trustee@oak.test", "own", False),
        ("parent.acorn@oak.test", "own", False),
        ("lead@river.test", "own", False),
    ],
)
def test_who_may_raise_a_concern_about_which_pupil(demo, email, whose, allowed) -> None:
    pupil = {
        "own": lambda: pupil_at(demo, demo.acorn),
        "other class": lambda: make_pupil(demo.acorn),
        "beech": lambda: make_pupil(demo.beech),
    }[whose]()
    actor = demo.user(email)
    with scope(trust=actor.trust_id):
        if allowed:
            assert raise_concern(pupil=pupil, actor=actor, **answers()).pk
        else:
            with pytest.raises(PermissionDenied):
                raise_concern(pupil=pupil, actor=actor, **answers())


def test_a_pupil_who_has_left_is_not_offered_for_a_concern(demo) -> None:
    left = pupil_at(demo, demo.acorn, leaving_date=TODAY - timedelta(days=1))
    leaving = pupil_at(demo, demo.acorn, leaving_date=TODAY + timedelta(days=20))
    with scope(trust=demo.oak.pk):
        offered = set(queries.pupils_for_concern(demo.user(TEACHER)))
    assert leaving in offered and left not in offered


def test_attachments_are_kept_as_staff_only_concern_evidence(demo) -> None:
    files = [SimpleUploadedFile("work sample.pdf", PDF_BYTES), SimpleUploadedFile("reading.pdf", PDF_BYTES)]
    concern = make_concern(demo, demo.acorn, attachments=files)
    with scope(trust=demo.oak.pk):
        documents = list(Document.objects.filter(concern_id=concern.pk).order_by("pk"))
    assert [(d.title, d.category, d.visibility, d.pupil_id) for d in documents] == [
        ("work sample", "concern", "staff", concern.pupil_id),
        ("reading", "concern", "staff", concern.pupil_id),
    ]


def test_a_refused_attachment_leaves_no_concern_no_document_and_no_stored_file(demo, settings) -> None:
    import pathlib

    pupil = pupil_at(demo, demo.acorn)
    before = counts(demo)
    files = [SimpleUploadedFile("good.pdf", PDF_BYTES), SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 20)]
    with pytest.raises(ValidationError) as error, scope(trust=demo.oak.pk):
        raise_concern(pupil=pupil, actor=demo.user(TEACHER), attachments=files, **answers())
    assert "virus.exe: This file is not a PDF" in error.value.message_dict["attachments"][0]
    assert counts(demo) == before
    media = pathlib.Path(settings.MEDIA_ROOT)
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []


# Starting triage


def test_starting_triage_marks_the_concern_in_progress_once(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        start_triage(concern=concern, actor=demo.user(SENCO))
        concern.refresh_from_db()
        assert (concern.status, concern.triaged_by, concern.triaged_at) == ("in_progress", demo.user(SENCO), None)
        assert AuditEntry.objects.filter(summary="Triage started", pupil_id=concern.pupil_id).count() == 1
        with pytest.raises(ValidationError, match="Triage has already started"):
            start_triage(concern=concern, actor=demo.user("head.acorn@oak.test"))


@pytest.mark.parametrize("email", [TEACHER, TA, "senco.beech@oak.test", "governor.acorn@oak.test"])
def test_only_casework_roles_of_the_school_may_triage(demo, email) -> None:
    concern = make_concern(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        with pytest.raises(PermissionDenied):
            start_triage(concern=concern, actor=demo.user(email))
        with pytest.raises(PermissionDenied):
            triage_concern(concern=concern, actor=demo.user(email), outcome="nfa", notes="x")
        concern.refresh_from_db()
    assert concern.status == "new"


# Outcomes and their effect on the register


def test_no_further_action_closes_the_concern_and_leaves_the_register_alone(
    demo, django_capture_on_commit_callbacks
) -> None:
    concern = make_concern(demo, demo.acorn)
    with django_capture_on_commit_callbacks() as callbacks:
        triage(demo, concern, outcome="nfa", notes="  Progress is in line with peers now.  ")
    concern.refresh_from_db()
    assert (concern.status, concern.outcome, concern.outcome_notes) == (
        "closed",
        "nfa",
        "Progress is in line with peers now.",
    )
    assert concern.triaged_by == demo.user(SENCO) and concern.triaged_at is not None
    assert entry_of(concern.pupil) is None
    with scope(trust=demo.oak.pk):
        note = Notification.objects.get(recipient=demo.user(TEACHER))
        audit_entry = AuditEntry.objects.get(summary="Triaged: No further action")
    assert note.kind == "concern.closed"
    assert "Outcome: no further action" in note.text
    assert note.link == reverse("register:concern_detail", kwargs={"pk": concern.pk})
    assert len(callbacks) == 1
    assert audit_entry.pupil_id == concern.pupil_id


def test_monitor_puts_a_pupil_not_on_the_register_on_the_monitoring_list(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    triage(demo, concern, outcome="monitor")
    assert entry_of(concern.pupil).status == "M"
    with scope(trust=demo.oak.pk):
        change = RegisterChange.objects.get(pupil=concern.pupil)
        note = Notification.objects.get(recipient=demo.user(TEACHER))
    assert (change.from_status, change.to_status, change.changed_by) == ("N", "M", demo.user(SENCO))
    assert change.reason.startswith("Cause for concern raised")
    assert "Outcome: monitor. The SENCO will keep an eye on the pupil's progress" in note.text


@pytest.mark.parametrize("status", ["M", "K"])
def test_monitor_leaves_a_pupil_already_monitored_or_on_the_register_where_they_are(demo, status) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        change_status(
            pupil=pupil,
            to_status=status,
            actor=None,
            reason="Earlier",
            primary_need="MLD" if status == "K" else "",
            parents_told_on=TODAY if status == "K" else None,
        )
    concern = make_concern(demo, demo.acorn, pupil=pupil)
    triage(demo, concern, outcome="monitor")
    assert entry_of(pupil).status == status
    with scope(trust=demo.oak.pk):
        assert RegisterChange.objects.filter(pupil=pupil).count() == 1
    concern.refresh_from_db()
    assert concern.outcome == "monitor"


def test_sen_support_puts_the_pupil_on_the_register_at_k_with_their_needs(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    told = TODAY - timedelta(days=2)
    triage(
        demo,
        concern,
        outcome="sen_support",
        primary_need="SPLD",
        secondary_need="SLCN",
        parents_told_on=told,
        outside_agency="ignored unless referring",
    )
    entry = entry_of(concern.pupil)
    assert (entry.status, entry.primary_need, entry.secondary_need) == ("K", "SPLD", "SLCN")
    with scope(trust=demo.oak.pk):
        change = RegisterChange.objects.get(pupil=concern.pupil)
        note = Notification.objects.get(recipient=demo.user(TEACHER))
    assert (change.to_status, change.parents_told_on) == ("K", told)
    concern.refresh_from_db()
    assert (concern.status, concern.outcome, concern.outside_agency) == ("closed", "sen_support", "")
    assert "Outcome: SEN support. The pupil is now on the SEN register" in note.text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"parents_told_on": TODAY}, "Choose the primary type of need"),
        ({"primary_need": "SPLD"}, "Enter the date parents were told"),
        ({"primary_need": "SPLD", "parents_told_on": TODAY + timedelta(days=3)}, "cannot be in the future"),
        ({"primary_need": "SPLD", "secondary_need": "SPLD", "parents_told_on": TODAY}, "must differ"),
    ],
)
def test_sen_support_without_what_the_register_needs_is_refused_with_nothing_written(demo, fields, message) -> None:
    concern = make_concern(demo, demo.acorn)
    before = counts(demo)
    with pytest.raises(ValidationError) as error:
        triage(demo, concern, outcome="sen_support", **fields)
    assert any(message in m for m in error.value.messages)
    assert counts(demo) == before
    with scope(trust=demo.oak.pk):
        stored = CauseForConcern.objects.get(pk=concern.pk)
    assert (stored.status, stored.outcome, stored.triaged_at) == ("new", "", None)
    assert entry_of(concern.pupil) is None


def test_sen_support_is_refused_for_a_pupil_with_an_ehc_plan(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        RegisterEntry.objects.create(
            trust_id=pupil.trust_id, school_id=pupil.school_id, pupil=pupil, status="E", since=TODAY, primary_need="ASD"
        )
    concern = make_concern(demo, demo.acorn, pupil=pupil)
    with pytest.raises(ValidationError, match="has an EHC plan"):
        triage(demo, concern, outcome="sen_support", primary_need="ASD", parents_told_on=TODAY)
    assert entry_of(pupil).status == "E"


def test_sen_support_for_a_pupil_already_on_sen_support_keeps_the_register_as_it_is(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk):
        change_status(
            pupil=pupil, to_status="K", actor=None, reason="Earlier", primary_need="MLD", parents_told_on=TODAY
        )
    concern = make_concern(demo, demo.acorn, pupil=pupil)
    triage(demo, concern, outcome="sen_support", primary_need="MLD")
    with scope(trust=demo.oak.pk):
        assert RegisterChange.objects.filter(pupil=pupil).count() == 1
    concern.refresh_from_db()
    assert concern.status == "closed"


def test_referral_needs_the_agency_and_leaves_the_register_alone(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    with pytest.raises(ValidationError) as error:
        triage(demo, concern, outcome="refer", outside_agency=" ")
    assert error.value.message_dict == {
        "outside_agency": ["Enter the name of the outside agency you are referring the pupil to."]
    }
    triage(demo, concern, outcome="refer", outside_agency="Speech and language therapy")
    concern.refresh_from_db()
    assert (concern.outcome, concern.outside_agency) == ("refer", "Speech and language therapy")
    assert entry_of(concern.pupil) is None
    with scope(trust=demo.oak.pk):
        note = Notification.objects.get(recipient=demo.user(TEACHER))
    assert "refer to an outside agency (Speech and language therapy)" in note.text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"outcome": ""}, "outcome", "Choose the outcome"),
        ({"outcome": "exclude"}, "outcome", "Choose the outcome"),
        ({"notes": "  "}, "notes", "Add notes"),
    ],
)
def test_triage_needs_an_outcome_and_notes(demo, fields, field, message) -> None:
    concern = make_concern(demo, demo.acorn)
    with pytest.raises(ValidationError) as error:
        triage(demo, concern, **fields)
    assert message in error.value.message_dict[field][0]


def test_a_closed_concern_cannot_be_triaged_again(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    triage(demo, concern, outcome="nfa")
    with pytest.raises(ValidationError, match="already closed"):
        triage(demo, concern, outcome="monitor")
    with scope(trust=demo.oak.pk):
        stale = CauseForConcern.objects.get(pk=concern.pk)
    stale.status = "new"  # a second SENCO's page loaded before the first closed it
    with pytest.raises(ValidationError, match="already closed"):
        triage(demo, stale, email="head.acorn@oak.test", outcome="monitor")
    assert entry_of(concern.pupil) is None  # the second decision's register change was undone
    with pytest.raises(ValidationError, match="already closed"), scope(trust=demo.oak.pk):
        start_triage(concern=stale, actor=demo.user(SENCO))


def test_the_senco_who_raised_and_closed_a_concern_is_not_notified_about_it(demo) -> None:
    concern = make_concern(demo, demo.acorn, raised_by=SENCO)
    triage(demo, concern, outcome="nfa")
    with scope(trust=demo.oak.pk):
        assert Notification.objects.count() == 0


# Who sees which concern


def test_visibility_of_concerns_by_role(demo) -> None:
    by_teacher = make_concern(demo, demo.acorn)
    pupil = by_teacher.pupil
    by_ta = make_concern(demo, demo.acorn, pupil=pupil, raised_by=TA)
    at_beech = make_concern(demo, demo.beech)
    willow = make_concern(demo, demo.willow)
    seen = {}
    for email in [TEACHER, TA, SENCO, "head.acorn@oak.test", "lead@oak.test", "senco.beech@oak.test"] + [
        "governor.acorn@oak.test",
        "trustee@oak.test",
        "parent.acorn@oak.test",
    ]:
        with scope(trust=demo.oak.pk):
            seen[email] = set(queries.concerns_visible_to(demo.user(email)))
    assert seen[TEACHER] == {by_teacher}
    assert seen[TA] == {by_ta}
    assert seen[SENCO] == seen["head.acorn@oak.test"] == {by_teacher, by_ta}
    assert seen["lead@oak.test"] == {by_teacher, by_ta, at_beech}
    assert seen["senco.beech@oak.test"] == {at_beech}
    assert seen["governor.acorn@oak.test"] == seen["trustee@oak.test"] == seen["parent.acorn@oak.test"] == set()
    with scope(trust=demo.river.pk):
        assert set(queries.concerns_visible_to(demo.user("lead@river.test"))) == {willow}


def _age(concern, days):
    with scope(trust=concern.trust_id):
        CauseForConcern.objects.filter(pk=concern.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_triage_queue_is_oldest_first_with_counts_per_tab(demo) -> None:
    recent, oldest, middle = (make_concern(demo, demo.acorn) for _ in range(3))
    for concern, days in ((recent, 1), (oldest, 20), (middle, 10)):
        _age(concern, days)
    started, closed_first, closed_last = (make_concern(demo, demo.acorn) for _ in range(3))
    make_concern(demo, demo.beech)  # another school's concern is in neither queue nor count
    with scope(trust=demo.oak.pk):
        start_triage(concern=started, actor=demo.user(SENCO))
    triage(demo, closed_first)
    triage(demo, closed_last)
    senco = demo.user(SENCO)
    with scope(trust=demo.oak.pk):
        assert list(queries.triage_queue(senco, "new")) == [oldest, middle, recent]
        assert list(queries.triage_queue(senco, "in_progress")) == [started]
        assert list(queries.triage_queue(senco, "closed")) == [closed_last, closed_first]
        assert queries.queue_counts(senco) == {"new": 3, "in_progress": 1, "closed": 2}
        assert queries.concern_counts(senco) == {"new": 3, "in_progress": 1}
        assert queries.concern_counts(demo.user(TEACHER)) == {"new": 3, "in_progress": 1}
        assert queries.concern_counts(demo.user(TA)) == {"new": 0, "in_progress": 0}
        assert queries.queue_counts(demo.user("lead@oak.test"))["new"] == 4
        assert list(queries.triage_queue(demo.user(TEACHER), "new")) == []


def test_concern_counts_take_one_query_whatever_the_number_of_concerns(demo, django_assert_max_num_queries) -> None:
    for n in (1, 5):
        for _ in range(n):
            make_concern(demo, demo.acorn)
        for email in (SENCO, TEACHER):
            user = type(demo.user(email)).objects.get(email=email)  # a fresh user: memberships not cached
            with scope(trust=demo.oak.pk), django_assert_max_num_queries(2):
                queries.concern_counts(user)


def test_record_section_lists_what_the_viewer_may_see_and_whether_they_may_raise(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    mine = make_concern(demo, demo.acorn, pupil=pupil)
    make_concern(demo, demo.acorn, pupil=pupil, raised_by=TA)
    other_class = make_pupil(demo.acorn)
    make_group(demo.acorn, "5C", pupils=[other_class])
    with scope(trust=demo.oak.pk):
        teacher_view = queries.concerns_for_record(demo.user(TEACHER), pupil)
        senco_view = queries.concerns_for_record(demo.user(SENCO), pupil)
        head_other = queries.concerns_for_record(demo.user("head.acorn@oak.test"), other_class)
    assert list(teacher_view) == [mine] and teacher_view.can_raise and not teacher_view.can_triage
    assert len(senco_view) == 2 and senco_view.can_raise and senco_view.can_triage
    assert head_other.can_raise and list(head_other) == []
