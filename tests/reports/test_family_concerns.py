"""Concerns from parents and pupils (issue #16): a parent raises a concern about their own child in the
portal, the SENCO sees it marked in the queue and answers; the parent reads the answer (and only their own
concerns, never the staff notes); staff record a concern the pupil raised in the pupil's own words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from register.concerns import triage_concern
from register.family_concerns import DEFAULT_REPLIES, raise_family_concern
from register.models import CauseForConcern
from tests.factories import link_parent, pupil_at
from tests.permission_cases.concerns import CONCERN_ANSWERS
from trusts.models import AuditEntry, Membership, Notification, Role, User

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
PARENT, SENCO, TEACHER = "parent.acorn@oak.test", "senco.acorn@oak.test", "teacher.acorn@oak.test"
SCRIPT = "<script>alert('x')</script>"
ANSWERS = {
    "observations": "Homework takes hours and he mixes up b and d.",
    "noticed_since": (TODAY - timedelta(days=40)).isoformat(),
    "helps_at_home": "Reading together every night.",
    "wanted_from_school": "Please check his reading.",
    "child_says": "Letters jump about.",
}


def new_url(pupil):
    return reverse("reports:portal_concern_new", kwargs={"pk": pupil.pk})


def child_url(pupil):
    return reverse("reports:portal_child", kwargs={"pk": pupil.pk})


def raise_as_parent(demo, pupil, email=PARENT, actor=None, **overrides):
    data = {**ANSWERS, "noticed_since": TODAY - timedelta(days=40), **overrides}
    with scope(trust=pupil.trust_id):
        return raise_family_concern(pupil=pupil, actor=actor or demo.user(email), **data)


def close(demo, concern, **fields):
    data = {"outcome": "monitor", "notes": "STAFF-ONLY: talked to the class teacher.", **fields}
    with scope(trust=concern.trust_id):
        return triage_concern(concern=concern, actor=demo.user(SENCO), **data)


def test_a_parent_raises_a_concern_and_the_senco_sees_it_marked_from_a_parent(demo) -> None:
    pupil = pupil_at(demo, demo.acorn, legal_forename="Maisie")
    client = demo.client_for(PARENT)
    assert "Raise a concern about Maisie" in client.get(child_url(pupil)).content.decode()
    response = client.post(new_url(pupil), ANSWERS)
    assert response.status_code == 302 and response["Location"] == child_url(pupil) + "#concerns"
    with scope(trust=demo.oak.pk):
        concern = CauseForConcern.objects.get(pupil=pupil)
        note = Notification.objects.get(recipient=demo.user(SENCO))
        audit = AuditEntry.objects.get(action="create", object_type="register.CauseForConcern")
    assert (concern.source, concern.from_portal, concern.raised_by.email) == ("parent", True, PARENT)
    assert (concern.strategies_tried, concern.areas, concern.pupil_view) == ("", [], "Letters jump about.")
    assert note.text == "A parent raised a concern about a Year 4 pupil. It is waiting for your triage."
    assert "Maisie" not in note.text and audit.pupil_id == pupil.pk
    queue = demo.client_for(SENCO).get(reverse("register:concern_queue")).content.decode()
    assert "From a parent or carer</strong> Emma Clarke, in the family portal" in queue
    detail = demo.client_for(SENCO).get(reverse("register:concern_detail", args=[concern.pk])).content.decode()
    assert "What they would like the school to do" in detail and "Please check his reading." in detail
    page = client.get(child_url(pupil)).content.decode()
    assert "Received" in page and "Homework takes hours" in page


def test_the_form_checks_every_answer_and_saves_nothing_until_all_are_right(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = demo.client_for(PARENT)
    page = client.get(new_url(pupil)).content.decode()
    # The limit is shown and enforced by the form, never cut silently by the browser (no maxlength).
    assert "You can write up to 2,000 characters." in page and "maxlength=" not in page.split("</header>")[-1]
    page = client.post(new_url(pupil), {"child_says": "x"}).content.decode()
    for message in (
        "Tell us what you have noticed.",
        "Tell us roughly when you first noticed this.",
        "Tell us what helps at home, or what you have tried.",
        "Tell us what you would like the school to do.",
    ):
        assert message in page
    future = {**ANSWERS, "noticed_since": (TODAY + timedelta(days=1)).isoformat(), "observations": "x" * 2001}
    page = client.post(new_url(pupil), future).content.decode()
    assert "cannot be in the future" in page and "Keep this to 2,000 characters or fewer." in page
    with scope(trust=demo.oak.pk):
        assert not CauseForConcern.objects.exists() and not Notification.objects.exists()
    with pytest.raises(ValidationError) as exc:
        raise_as_parent(demo, pupil, observations="y" * 2001, helps_at_home=" ")
    assert set(exc.value.message_dict) == {"observations", "helps_at_home"}
    assert "You wrote 2,001" in exc.value.message_dict["observations"][0]


def test_script_text_is_stored_as_typed_and_shown_as_text(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    concern = raise_as_parent(demo, pupil, observations=SCRIPT)
    assert concern.observations == SCRIPT
    for client, url in (
        (demo.client_for(PARENT), child_url(pupil)),
        (demo.client_for(SENCO), reverse("register:concern_detail", args=[concern.pk])),
    ):
        page = client.get(url).content.decode()
        assert SCRIPT not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_a_parent_cannot_raise_a_concern_about_another_child_or_see_another_parents(demo) -> None:
    mine = pupil_at(demo, demo.acorn)
    other_child = pupil_at(demo, demo.beech)  # not linked to parent.acorn
    with scope(trust=demo.oak.pk):
        other_parent = User.objects.create_user("dad@home.test", trust=demo.oak, full_name="Dan Clarke")
        Membership.objects.create(trust=demo.oak, user=other_parent, school=demo.acorn, role=Role.PARENT)
    link_parent(mine, other_parent, relationship="father")
    theirs = raise_as_parent(demo, mine, actor=other_parent, observations="THE OTHER PARENT'S WORDS")
    client = demo.client_for(PARENT)
    assert client.get(new_url(other_child)).status_code == 404
    assert client.post(new_url(other_child), ANSWERS).status_code == 404
    with pytest.raises(PermissionDenied):
        raise_as_parent(demo, other_child)
    with pytest.raises(PermissionDenied):  # staff write concerns through their own form, not the portal's
        raise_as_parent(demo, mine, email=TEACHER)
    close(demo, theirs)
    page = client.get(child_url(mine)).content.decode()
    assert "THE OTHER PARENT'S WORDS" not in page and "You have not raised a concern here yet." in page
    assert demo.client_for(PARENT).get(reverse("register:concern_detail", args=[theirs.pk])).status_code == 404


def test_closing_a_parents_concern_tells_the_parent_in_plain_words_without_the_staff_notes(
    demo, django_capture_on_commit_callbacks
) -> None:
    pupil = pupil_at(demo, demo.acorn, legal_forename="Maisie", legal_surname="Zebedee")
    concern = raise_as_parent(demo, pupil)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        close(demo, concern, family_reply="  We will give Maisie a reading check next week.  ")
    assert len(callbacks) == 1  # the parent's email, sent once the closing has committed
    concern.refresh_from_db()
    assert concern.family_reply == "We will give Maisie a reading check next week."
    with scope(trust=demo.oak.pk):
        note = Notification.objects.get(recipient=demo.user(PARENT))
    raised = timezone.localtime(concern.created_at).date()
    assert note.kind == "family.concern_answered"
    assert note.text == f"The school has answered the concern you raised on {raised:%-d %B %Y}. Sign in to read it."
    assert note.link == child_url(pupil) + "#concerns"
    from trusts.tasks import email_notification

    with scope(trust=demo.oak.pk):
        assert email_notification(notification_id=note.pk) == "sent"
    (email,) = [m for m in mail.outbox if m.to == [PARENT]]
    assert "Maisie" not in email.body + email.subject and "Zebedee" not in email.body + email.subject
    assert "needs action" not in email.body
    page = demo.client_for(PARENT).get(note.link).content.decode()
    assert "Answered" in page and "We will give Maisie a reading check next week." in page
    assert "STAFF-ONLY" not in page
    # The teacher's "concern closed" notification is not sent to a parent.
    with scope(trust=demo.oak.pk):
        assert not Notification.objects.filter(kind="concern.closed").exists()


def test_an_empty_message_sends_the_outcomes_standard_words_and_a_long_one_is_refused(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    concern = raise_as_parent(demo, pupil)
    senco = demo.client_for(SENCO)
    triage_url = reverse("register:concern_triage", args=[concern.pk])
    page = senco.get(triage_url).content.decode()
    assert "Message for the family" in page and "Staff only: the family does not see these notes." in page
    page = senco.post(triage_url, {"outcome": "nfa", "notes": "n", "family_reply": "z" * 2001}).content.decode()
    assert "Keep the message to the family to 2,000 characters or fewer." in page
    assert senco.post(triage_url, {"outcome": "nfa", "notes": "n", "family_reply": ""}).status_code == 302
    concern.refresh_from_db()
    assert concern.family_reply == DEFAULT_REPLIES["nfa"]
    # A staff concern has no message for the family: nothing is asked, nothing is kept.
    staff = _staff_concern(demo)
    triage_page = senco.get(reverse("register:concern_triage", args=[staff.pk])).content.decode()
    assert "Message for the family" not in triage_page
    assert close(demo, staff, family_reply="not for anyone").family_reply == ""


def _staff_concern(demo, **fields):
    from tests.permission_cases.concerns import make_concern

    return make_concern(demo, demo.acorn, **fields)


def test_staff_record_a_concern_the_pupil_raised_in_the_pupils_own_words(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    teacher = demo.client_for(TEACHER)
    form = {
        **{k: v for k, v in CONCERN_ANSWERS.items() if k not in {"parents_spoken_to", "areas"}},
        "pupil": pupil.pk,
        "areas": ["semh"],
        "parents_spoken_to": "no",
        "noticed_since": (TODAY - timedelta(days=5)).isoformat(),
        "source": "pupil",
        "pupil_view": "",
    }
    page = teacher.post(reverse("register:concern_new"), form).content.decode()
    assert "Write what the pupil told you, in their own words." in page
    assert (
        teacher.post(reverse("register:concern_new"), form | {"pupil_view": "I feel sad at lunch."}).status_code == 302
    )
    with scope(trust=demo.oak.pk):
        concern = CauseForConcern.objects.get(pupil=pupil)
        note = Notification.objects.get(recipient=demo.user(SENCO))
    assert (concern.source, concern.from_portal, concern.pupil_view) == ("pupil", False, "I feel sad at lunch.")
    assert "(the pupil told them)" in note.text
    queue = demo.client_for(SENCO).get(reverse("register:concern_queue")).content.decode()
    assert "Raised by the pupil</strong> recorded by" in queue
    detail = demo.client_for(SENCO).get(reverse("register:concern_detail", args=[concern.pk])).content.decode()
    assert "The pupil's own words" in detail
    # A parent who told a member of staff: what they said is needed, and the parents count as spoken to.
    told = form | {"source": "parent", "pupil_view": "", "parents_view": ""}
    assert (
        "Write what the parent or carer told you."
        in teacher.post(reverse("register:concern_new"), told).content.decode()
    )
    assert (
        teacher.post(reverse("register:concern_new"), told | {"parents_view": "Mum says he cries"}).status_code == 302
    )
    with scope(trust=demo.oak.pk):
        parent_told = CauseForConcern.objects.get(source="parent")
    assert parent_told.parents_spoken_to and not parent_told.from_portal


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_queue_and_the_family_page_keep_a_constant_number_of_queries(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    raise_as_parent(demo, pupil)
    _staff_concern(demo, pupil=pupil)
    urls = [(SENCO, reverse("register:concern_queue")), (PARENT, child_url(pupil))]
    small = [_queries(demo.client_for(e), u) for e, u in urls]
    for _ in range(4):
        close(demo, raise_as_parent(demo, pupil))
        raise_as_parent(demo, pupil)
        _staff_concern(demo, pupil=pupil, source="pupil", pupil_view="words")
    assert [_queries(demo.client_for(e), u) for e, u in urls] == small


def test_opening_the_form_is_audited(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    demo.client_for(PARENT).get(new_url(pupil))
    with scope(trust=demo.oak.pk):
        entry = AuditEntry.objects.get(summary="Parent portal: raise a concern")
    assert (entry.action, entry.pupil_id) == ("view", pupil.pk)


def test_the_demo_has_one_open_and_one_answered_parent_concern_and_seeds_them_once(demo) -> None:
    from django_scopes import scopes_disabled

    from register.demo import seed_family_concerns

    pupil = pupil_at(demo, demo.acorn)
    with scopes_disabled():
        seed_family_concerns(demo.users)
        seed_family_concerns(demo.users)
        statuses = sorted(CauseForConcern.objects.filter(from_portal=True).values_list("status", flat=True))
    assert statuses == ["closed", "new"]
    page = demo.client_for(PARENT).get(child_url(pupil)).content.decode()
    assert "Answered" in page and "Received" in page and "Spoke to class teacher" not in page
    queue = demo.client_for(SENCO).get(reverse("register:concern_queue")).content.decode()
    assert "From a parent or carer</strong> Emma Clarke" in queue
