"""Cause-for-concern pages: the form offers only the person's own pupils, guessed ids answer 404, the queue
and lists keep a constant number of queries, and the triage page shows the register's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from pupils.models import Document
from register.concerns import start_triage
from register.models import CauseForConcern, RegisterEntry
from tests.factories import make_group, make_pupil, pupil_at
from tests.permission_cases.concerns import make_concern
from tests.permission_cases.documents import PDF_BYTES
from trusts.models import AuditEntry, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
TEACHER, TA, SENCO = "teacher.acorn@oak.test", "ta.acorn@oak.test", "senco.acorn@oak.test"
NEW = reverse("register:concern_new")


def form_data(pupil, **overrides):
    data = {
        "pupil": pupil.pk,
        "areas": ["communication", "semh"],
        "observations": "Rarely joins in group talk; upset at transitions.",
        "noticed_since": (TODAY - timedelta(days=40)).isoformat(),
        "evidence": "",
        "strategies_tried": "Visual timetable, talk partners",
        "strategies_effect": "Calmer mornings, still quiet in groups",
        "parents_spoken_to": "no",
        "parents_view": "",
        "pupil_view": "",
    }
    data.update(overrides)
    return data


def concerns_of(demo):
    with scope(trust=demo.oak.pk):
        return list(CauseForConcern.objects.all())


# The form


def test_teacher_is_offered_only_their_own_pupils(demo) -> None:
    mine = pupil_at(demo, demo.acorn, legal_surname="Ownclass")
    make_group(demo.acorn, "5C", pupils=[make_pupil(demo.acorn, legal_surname="Otherclass")])
    make_pupil(demo.beech, legal_surname="Beechpupil")
    form = demo.client_for(TEACHER).get(NEW).context["form"]
    assert list(form.fields["pupil"].queryset) == [mine]
    page = demo.client_for(SENCO).get(NEW).content.decode()
    assert "Ownclass" in page and "Otherclass" in page and "Beechpupil" not in page


def test_opening_the_form_from_a_pupil_prefills_them(demo) -> None:
    mine = pupil_at(demo, demo.acorn)
    response = demo.client_for(TEACHER).get(f"{NEW}?pupil={mine.pk}")
    assert response.status_code == 200
    assert response.context["form"]["pupil"].value() == mine.pk
    assert f'<option value="{mine.pk}" selected>' in response.content.decode()


@pytest.mark.parametrize("guess", ["other class", "beech", "willow", "missing", "abc"])
def test_a_guessed_pupil_id_answers_404(demo, guess) -> None:
    pupil_id = {
        "other class": lambda: str(make_pupil(demo.acorn).pk),
        "beech": lambda: str(make_pupil(demo.beech).pk),
        "willow": lambda: str(pupil_at(demo, demo.willow).pk),
        "missing": lambda: "999999",
        "abc": lambda: "abc",
    }[guess]()
    assert demo.client_for(TEACHER).get(f"{NEW}?pupil={pupil_id}").status_code == 404


@pytest.mark.parametrize("junk", ["²", "-1", "1.5", "0", str(2**64), "\x00", "' OR 1=1"])
def test_a_junk_pupil_id_answers_404(demo, junk) -> None:
    """Only 0-9 make an id: "²" passes str.isdigit() but is no number int() reads: it used to answer 500."""
    pupil_at(demo, demo.acorn)
    client = demo.client_for(TEACHER)
    client.raise_request_exception = False
    assert client.get(NEW, {"pupil": junk}).status_code == 404


def test_posting_another_pupil_is_a_form_error_and_names_nobody(demo) -> None:
    pupil_at(demo, demo.acorn)
    other = make_pupil(demo.acorn, legal_surname="Secretname")
    response = demo.client_for(TEACHER).post(NEW, form_data(other))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a pupil from the list." in page
    assert "Secretname" not in page
    assert concerns_of(demo) == []


def test_teacher_raises_a_concern_in_one_post(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = demo.client_for(TEACHER)
    response = client.post(NEW, form_data(pupil, parents_spoken_to="yes", parents_view="Worried too"))
    assert response.status_code == 302 and response["Location"] == reverse("register:my_concerns")
    [concern] = concerns_of(demo)
    assert (concern.pupil, concern.areas, concern.parents_view) == (pupil, ["communication", "semh"], "Worried too")
    page = client.get(response["Location"]).content.decode()
    assert "has been sent to the SENCO" in page
    assert "Not decided yet" in page and "govuk-tag--blue" in page


def test_a_form_with_problems_shows_each_one_and_saves_nothing(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    data = form_data(
        pupil,
        areas=[],
        strategies_tried="",
        noticed_since=(TODAY + timedelta(days=2)).isoformat(),
        parents_spoken_to="yes",
        parents_view="",
    )
    page = demo.client_for(TEACHER).post(NEW, data).content.decode()
    for message in (
        "Tick at least one broad area of need",
        "Slow progress alone is not SEN",
        "The date you first noticed this cannot be in the future.",
        "Say what the parents or carers think",
        "There is a problem",
    ):
        assert message in page
    assert 'href="#id_areas_0"' in page  # the summary links to the first checkbox
    assert concerns_of(demo) == []


def test_evidence_files_can_be_attached_from_the_form(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    data = form_data(pupil, attachments=[SimpleUploadedFile("sample.pdf", PDF_BYTES)])
    response = demo.client_for(TEACHER).post(NEW, data)
    assert response.status_code == 302
    [concern] = concerns_of(demo)
    with scope(trust=demo.oak.pk):
        document = Document.objects.get(concern_id=concern.pk)
    assert (document.category, document.visibility) == ("concern", "staff")
    # The teacher is told a file is attached; the SENCO can download it.
    detail = reverse("register:concern_detail", kwargs={"pk": concern.pk})
    assert "1 file attached" in demo.client_for(TEACHER).get(detail).content.decode()
    download = reverse("pupils:document_download", kwargs={"pupil_id": pupil.pk, "pk": document.pk})
    assert download in demo.client_for(SENCO).get(detail).content.decode()


def test_a_file_that_is_not_accepted_is_refused_on_the_form(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    data = form_data(pupil, attachments=[SimpleUploadedFile("run.exe", b"MZ" + b"\x00" * 40)])
    page = demo.client_for(TEACHER).post(NEW, data).content.decode()
    assert "run.exe: This file is not a PDF" in page
    assert concerns_of(demo) == []


def test_a_teacher_without_pupils_is_told_how_to_get_them(demo) -> None:
    page = demo.client_for(TA).get(NEW).content.decode()
    assert "You have no pupils to raise a concern about yet" in page
    assert '<form method="post" enctype' not in page


# Seeing concerns


def test_teacher_sees_only_the_concerns_they_raised(demo) -> None:
    pupil = pupil_at(demo, demo.acorn, legal_surname="Sharedpupil")
    mine = make_concern(demo, demo.acorn, pupil=pupil)
    by_ta = make_concern(demo, demo.acorn, pupil=pupil, raised_by=TA)
    client = demo.client_for(TEACHER)
    page = client.get(reverse("register:my_concerns")).content.decode()
    assert reverse("register:concern_detail", kwargs={"pk": mine.pk}) in page
    assert reverse("register:concern_detail", kwargs={"pk": by_ta.pk}) not in page
    assert client.get(reverse("register:concern_detail", kwargs={"pk": by_ta.pk})).status_code == 404
    record = client.get(reverse("pupils:record", kwargs={"pk": pupil.pk})).content.decode()
    assert reverse("register:concern_detail", kwargs={"pk": mine.pk}) in record
    assert reverse("register:concern_detail", kwargs={"pk": by_ta.pk}) not in record
    assert f"{NEW}?pupil={pupil.pk}" in record


@pytest.mark.parametrize("name", ["register:concern_detail", "register:concern_triage", "register:concern_start"])
def test_a_guessed_concern_id_answers_404_to_a_teacher(demo, name) -> None:
    concern = make_concern(demo, demo.acorn, raised_by=SENCO)
    other_pupil_concern = make_concern(demo, demo.acorn, pupil=make_pupil(demo.acorn), raised_by=SENCO)
    client = demo.client_for(TEACHER)
    for pk in (concern.pk, other_pupil_concern.pk, 999999):
        url = reverse(name, kwargs={"pk": pk})
        response = client.post(url) if name.endswith("start") else client.get(url)
        assert response.status_code == 404


def test_teacher_cannot_triage_their_own_concern(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    client = demo.client_for(TEACHER)
    page = client.get(reverse("register:concern_detail", kwargs={"pk": concern.pk})).content.decode()
    assert "Start triage" not in page and "Record the outcome" not in page
    assert client.post(reverse("register:concern_start", kwargs={"pk": concern.pk})).status_code == 404
    url = reverse("register:concern_triage", kwargs={"pk": concern.pk})
    assert client.post(url, {"outcome": "nfa", "notes": "self-triage"}).status_code == 404
    concern.refresh_from_db()
    assert concern.status == "new"


def test_opening_a_concern_is_audited_with_the_pupil(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    demo.client_for(SENCO).get(reverse("register:concern_detail", kwargs={"pk": concern.pk}))
    demo.client_for(SENCO).get(reverse("register:concern_triage", kwargs={"pk": concern.pk}))
    with scope(trust=demo.oak.pk):
        views = AuditEntry.objects.filter(action="view", object_type="register.CauseForConcern")
        assert [(e.actor.email, e.pupil_id) for e in views] == [(SENCO, concern.pupil_id)] * 2


# The SENCO's queue and triage


def test_senco_follows_the_notification_starts_triage_and_sees_it_move_tabs(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    client = demo.client_for(SENCO)
    with scope(trust=demo.oak.pk):
        note = Notification.objects.get(recipient=demo.user(SENCO))
    opened = client.post(reverse("trusts:notification_open", kwargs={"pk": note.pk}))
    assert opened["Location"] == reverse("register:concern_detail", kwargs={"pk": concern.pk})
    detail = client.get(opened["Location"]).content.decode()
    assert "Start triage" in detail and "Pre-teaching vocabulary" in detail
    queue = client.get(reverse("register:concern_queue")).content.decode()
    assert "New (1)" in queue and "In progress (0)" in queue
    response = client.post(reverse("register:concern_start", kwargs={"pk": concern.pk}), follow=True)
    assert "is now in progress" in response.content.decode()
    queue = client.get(reverse("register:concern_queue") + "?status=in_progress").content.decode()
    assert "New (0)" in queue and "In progress (1)" in queue and "Priya Sharma" in queue
    again = client.post(reverse("register:concern_start", kwargs={"pk": concern.pk}), follow=True)
    assert "Triage has already started on this concern." in again.content.decode()


def test_queue_lists_new_concerns_oldest_first(demo) -> None:
    names = ["Middling", "Oldest", "Newest"]
    for name, days in zip(names, (10, 30, 1), strict=True):
        concern = make_concern(demo, demo.acorn, pupil=pupil_at(demo, demo.acorn, legal_surname=name))
        with scope(trust=demo.oak.pk):
            CauseForConcern.objects.filter(pk=concern.pk).update(created_at=timezone.now() - timedelta(days=days))
    page = demo.client_for(SENCO).get(reverse("register:concern_queue")).content.decode()
    assert page.index("Oldest") < page.index("Middling") < page.index("Newest")
    assert "New (3)" in page


def test_triage_to_sen_support_without_the_register_details_shows_the_register_rules(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    url = reverse("register:concern_triage", kwargs={"pk": concern.pk})
    page = demo.client_for(SENCO).post(url, {"outcome": "sen_support", "notes": "Needs support"}).content.decode()
    assert "Choose the primary type of need" in page
    assert "Enter the date parents were told" in page
    assert 'value="sen_support" aria-describedby="id_outcome_2-hint" id="id_outcome_2" required checked' in page
    concern.refresh_from_db()
    assert concern.status == "new"
    with scope(trust=demo.oak.pk):
        assert not RegisterEntry.objects.filter(pupil=concern.pupil).exists()


def test_triage_to_sen_support_puts_the_pupil_on_the_register(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    url = reverse("register:concern_triage", kwargs={"pk": concern.pk})
    data = {
        "outcome": "sen_support",
        "primary_need": "SLCN",
        "secondary_need": "",
        "parents_told_on": TODAY.isoformat(),
        "notes": "Speech and language needs confirmed",
    }
    response = demo.client_for(SENCO).post(url, data)
    assert response.status_code == 302 and response["Location"] == reverse("register:concern_queue")
    with scope(trust=demo.oak.pk):
        entry = RegisterEntry.objects.get(pupil=concern.pupil)
    assert (entry.status, entry.primary_need) == ("K", "SLCN")
    detail = demo.client_for(TEACHER).get(reverse("register:concern_detail", kwargs={"pk": concern.pk}))
    text = detail.content.decode()
    assert "SEN support. The pupil is now on the SEN register" in text
    assert "Speech and language needs confirmed" in text
    # A closed concern's triage page sends the SENCO back to the outcome.
    again = demo.client_for(SENCO).get(url)
    assert again.status_code == 302 and again["Location"].endswith(f"/concerns/{concern.pk}/")


def test_referral_without_an_agency_is_a_field_error(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    url = reverse("register:concern_triage", kwargs={"pk": concern.pk})
    page = demo.client_for(SENCO).post(url, {"outcome": "refer", "notes": "EP"}).content.decode()
    assert 'href="#id_outside_agency"' in page
    assert "Enter the name of the outside agency" in page


# Query counts at two data sizes


def _queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_concerns(demo, n: int) -> None:
    for i in range(n):
        concern = make_concern(demo, demo.acorn)
        if i % 3 == 1:
            with scope(trust=demo.oak.pk):
                start_triage(concern=concern, actor=demo.user(SENCO))


@pytest.mark.parametrize(
    ("email", "url"),
    [
        (SENCO, reverse("register:concern_queue")),
        (SENCO, reverse("register:concern_queue") + "?status=in_progress"),
        (TEACHER, reverse("register:my_concerns")),
        ("lead@oak.test", reverse("register:concern_queue")),
    ],
)
def test_queue_and_list_keep_a_constant_number_of_queries(demo, email, url) -> None:
    _add_concerns(demo, 2)  # one new, one in progress
    small = _queries_for(demo.client_for(email), url)
    _add_concerns(demo, 9)
    assert _queries_for(demo.client_for(email), url) == small


def test_concern_pages_keep_a_constant_number_of_queries(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    first = make_concern(demo, demo.acorn, pupil=pupil)
    urls = [
        reverse("register:concern_detail", kwargs={"pk": first.pk}),
        reverse("register:concern_triage", kwargs={"pk": first.pk}),
        reverse("pupils:record", kwargs={"pk": pupil.pk}),
    ]
    small = [_queries_for(demo.client_for(SENCO), url) for url in urls]
    for _ in range(4):
        make_concern(demo, demo.acorn, pupil=pupil, attachments=[SimpleUploadedFile("a.pdf", PDF_BYTES)])
    assert [_queries_for(demo.client_for(SENCO), url) for url in urls] == small


def test_governors_trustees_and_parents_get_404_on_every_concern_page(demo) -> None:
    concern = make_concern(demo, demo.acorn)
    for email in ("governor.acorn@oak.test", "trustee@oak.test", "parent.acorn@oak.test"):
        client = demo.client_for(email)
        for name in ("register:concern_new", "register:my_concerns", "register:concern_queue"):
            assert client.get(reverse(name)).status_code == 404
        assert client.get(f"{NEW}?pupil={concern.pupil_id}").status_code == 404
        for name in ("register:concern_detail", "register:concern_triage"):
            assert client.get(reverse(name, kwargs={"pk": concern.pk})).status_code == 404
        assert client.post(reverse("register:concern_start", kwargs={"pk": concern.pk})).status_code == 404
