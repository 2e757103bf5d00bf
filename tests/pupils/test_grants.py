"""Access grants: a cover teacher or external professional sees one pupil until an end date; invitations
with a working set-password link; revoking; expiry (time-machine); cross-trust refusal; constant queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from pupils import grants, tasks
from pupils.models import AccessGrant, PupilUserObjectPermission
from pupils.queries import pupils_visible_to
from tests.factories import make_pupil, pupil_at
from tests.permission_cases.documents import make_document, make_external_user, make_grant
from trusts.invitations import accept_as_signed_in, accept_with_new_account, mark_email_verified, send_invitation
from trusts.models import AuditEntry, Invitation, Notification, User

pytestmark = pytest.mark.django_db

SENCO = "senco.acorn@oak.test"
TODAY = dt.date(2026, 3, 10)
NEW_PASSWORD = "Seven-Kites-Over-Ludlow-42"


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite_only(demo: Any, pupil: Any, *, email: str = "jo.ep@county.example.org", **fields: Any) -> Invitation:
    values = {
        "full_name": "Dr Jo Patel",
        "profession": "Educational psychologist",
        "ends_on": TODAY + dt.timedelta(days=60),
        "reason": "EP assessment before the EHC needs assessment request",
    } | fields
    with scope(trust=pupil.trust_id):
        return grants.grant_external_access(pupil=pupil, email=email, actor=demo.user(SENCO), **values)


def invite(demo: Any, pupil: Any, *, email: str = "jo.ep@county.example.org", **fields: Any) -> AccessGrant:
    """Invite, then accept as the owner of the address would (a new account, or the existing one)."""
    invitation = invite_only(demo, pupil, email=email, **fields)
    existing = User.objects.filter(email=invitation.email).first()
    if existing is None:
        person = accept_with_new_account(invitation=invitation, full_name="Dr Jo Patel", password=NEW_PASSWORD)
    else:
        mark_email_verified(existing)
        accept_as_signed_in(invitation=invitation, user=existing)
        person = existing
    with scope(trust=pupil.trust_id):
        return AccessGrant.objects.filter(user=person, pupil=pupil).latest("pk")


def has_permission(user: Any, pupil: Any) -> bool:
    return PupilUserObjectPermission.objects.filter(
        user=user, content_object=pupil, permission__codename="view_pupil_record"
    ).exists()


def visible(user: Any) -> set[int]:
    with scope(trust=user.trust_id):
        return set(pupils_visible_to(user).values_list("pk", flat=True))


# ------------------------------------------------------------------------------------- inviting


@time_machine.travel(TODAY, tick=False)
def test_invited_professional_sets_up_an_account_from_the_link_and_then_sees_the_pupil(
    demo, django_capture_on_commit_callbacks
) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invitation = invite_only(demo, pupil, email="  Jo.EP@County.Example.org ")
    assert len(callbacks) == 1  # the invitation is enqueued after commit
    assert mail.outbox == []
    # Nothing is given to anyone until the invitation is accepted.
    assert not User.objects.filter(email="jo.ep@county.example.org").exists()
    with scope(trust=demo.oak.pk):
        assert not AccessGrant.objects.exists()
        send_invitation(invitation=invitation)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jo.ep@county.example.org"]
    assert "Acorn Primary" in message.body and pupil.legal_surname not in message.body  # no name by email
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body)
    assert link is not None

    client = Client()
    path = re.sub(r"^https?://[^/]+", "", link.group(0))
    form_page = client.get(path)
    assert form_page.status_code == 200 and "Set up your account" in form_page.content.decode()
    done = client.post(path, {"full_name": "Dr Jo Patel", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    person = User.objects.get(email="jo.ep@county.example.org")
    assert person.trust_id == demo.oak.pk and person.has_usable_password()
    with scope(trust=demo.oak.pk):
        assert not person.memberships.exists()
        grant = AccessGrant.objects.get()
    assert grant.user == person and grant.kind == "external" and grant.granted_by == demo.user(SENCO)
    assert has_permission(person, pupil)
    page = client.get(reverse("pupils:shared_with_me")).content.decode()
    assert pupil.display_name in page and "9 May 2026" in page

    # The link works once.
    assert Client().get(path).status_code == 404
    signed = Client().post("/accounts/login/", {"login": "jo.ep@county.example.org", "password": NEW_PASSWORD})
    assert signed.status_code == 302


@time_machine.travel(TODAY, tick=False)
def test_granting_is_audited_with_the_new_account(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    grant = invite(demo, pupil)
    with scope(trust=demo.oak.pk):
        entry = AuditEntry.objects.get(action="grant", object_type="pupils.AccessGrant")
        created = AuditEntry.objects.get(action="create", object_type="trusts.User")
    assert entry.object_id == str(grant.pk) and entry.pupil_id == pupil.pk
    assert "until 9 May 2026" in entry.summary
    assert created.object_id == str(grant.user_id)
    assert created.summary == "Account set up from an invitation"


@time_machine.travel(TODAY, tick=False)
def test_someone_who_already_signs_in_must_accept_from_their_own_account(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    professional = make_external_user(demo.oak)
    mark_email_verified(professional)
    invitation = invite_only(demo, pupil, email=professional.email)
    with scope(trust=demo.oak.pk):
        token = send_invitation(invitation=invitation)
        assert not AccessGrant.objects.exists()
    url = reverse("trusts:invitation", kwargs={"token": token})
    assert "Sign in to accept" in Client().get(url).content.decode()
    client = signed_in(professional)
    assert client.post(url).status_code == 302
    with scope(trust=demo.oak.pk):
        assert AccessGrant.objects.get().user == professional
    assert pupil.pk in visible(professional)


def test_email_of_a_person_in_another_trust_is_invited_like_any_other_and_cannot_accept(demo) -> None:
    """The school learns nothing about other trusts; the address's owner is told on the link's page."""
    pupil = pupil_at(demo, demo.acorn)
    response = signed_in(demo.user(SENCO)).post(
        reverse("pupils:grant_external", args=[pupil.pk]),
        {
            "email": "parent.willow@river.test",
            "full_name": "Karen Doyle",
            "profession": "Speech and language therapist",
            "ends_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
            "reason": "Therapy",
        },
    )
    assert response.status_code == 302
    with scope(trust=demo.oak.pk):
        token = send_invitation(invitation=Invitation.objects.get())
    page = Client().get(reverse("trusts:invitation", kwargs={"token": token}))
    assert page.status_code == 409
    river = signed_in(demo.user("parent.willow@river.test"))
    assert river.post(reverse("trusts:invitation", kwargs={"token": token})).status_code == 409
    with scope(trust=demo.oak.pk):
        assert not AccessGrant.objects.exists()
    assert not PupilUserObjectPermission.objects.exists()
    assert User.objects.get(email="parent.willow@river.test").trust_id == demo.river.pk


def test_email_of_a_platform_operator_cannot_accept(demo) -> None:
    User.objects.create_superuser("operator@send.test", "x" * 20, full_name="Operator")
    pupil = pupil_at(demo, demo.acorn)
    invitation = invite_only(demo, pupil, email="operator@send.test", ends_on=dt.date.today())
    with scope(trust=demo.oak.pk):
        token = send_invitation(invitation=invitation)
    assert Client().get(reverse("trusts:invitation", kwargs={"token": token})).status_code == 409


@time_machine.travel(TODAY, tick=False)
def test_external_grant_page_creates_the_grant(demo, django_capture_on_commit_callbacks) -> None:
    pupil = pupil_at(demo, demo.acorn)
    client = signed_in(demo.user(SENCO))
    page = client.get(reverse("pupils:grant_external", args=[pupil.pk])).content.decode()
    assert "on or before 10 March 2027" in page
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("pupils:grant_external", args=[pupil.pk]),
            {
                "email": "sam.salt@nhs.example.org",
                "full_name": "Sam Okoro",
                "profession": "Speech and language therapist",
                "ends_on": "2026-07-20",
                "reason": "SaLT assessment",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("pupils:access_grants", args=[pupil.pk])
    listing = client.get(reverse("pupils:access_grants", args=[pupil.pk])).content.decode()
    assert "Waiting to be accepted" in listing and "sam.salt@nhs.example.org" in listing
    with scope(trust=demo.oak.pk):
        invitation = Invitation.objects.get()
    accept_with_new_account(invitation=invitation, full_name="Sam Okoro", password=NEW_PASSWORD)
    with scope(trust=demo.oak.pk):
        grant = AccessGrant.objects.get()
    assert (grant.user.email, grant.profession, grant.ends_on) == (
        "sam.salt@nhs.example.org",
        "Speech and language therapist",
        dt.date(2026, 7, 20),
    )
    listing = client.get(reverse("pupils:access_grants", args=[pupil.pk])).content.decode()
    assert "Sam Okoro" in listing and "Active" in listing and "Waiting to be accepted" not in listing


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("ends_on", "message"),
    [
        (TODAY - dt.timedelta(days=1), "The end date must be today or later."),
        (dt.date(2027, 3, 11), "Access can last at most 12 months: choose an end date on or before 10 March 2027."),
    ],
)
def test_end_date_must_be_today_to_12_months_away(demo, ends_on, message) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError) as refused:
        invite(demo, pupil, ends_on=ends_on)
    assert refused.value.message_dict["ends_on"][0].startswith(message)
    assert not User.objects.filter(email="jo.ep@county.example.org").exists()


@time_machine.travel(TODAY, tick=False)
def test_end_dates_of_today_and_exactly_12_months_are_accepted(demo) -> None:
    assert invite(demo, pupil_at(demo, demo.acorn), ends_on=TODAY).ends_on == TODAY
    later = invite(demo, pupil_at(demo, demo.acorn), email="b@x.example.org", ends_on=dt.date(2027, 3, 10))
    assert later.ends_on == dt.date(2027, 3, 10)


def test_twelve_months_from_29_february_is_28_february() -> None:
    assert grants.latest_end_date(dt.date(2028, 2, 29)) == dt.date(2029, 2, 28)


@time_machine.travel(TODAY, tick=False)
def test_reason_profession_and_name_are_required(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with pytest.raises(ValidationError) as refused:
        invite(demo, pupil, reason="   ")
    assert refused.value.message_dict == {"reason": ["Say why this person needs to see the record."]}
    with pytest.raises(ValidationError) as refused:
        invite(demo, pupil, profession="", email="not-an-email")
    assert set(refused.value.message_dict) == {"profession", "email"}
    with pytest.raises(ValidationError) as refused:
        invite(demo, pupil, full_name="")
    assert refused.value.message_dict == {"full_name": ["Enter the professional's full name."]}


@time_machine.travel(TODAY, tick=False)
def test_a_second_grant_while_one_is_in_force_is_refused(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    invite(demo, pupil)
    with pytest.raises(ValidationError, match="already has access to this record until 9 May 2026"):
        invite(demo, pupil)


@pytest.mark.parametrize("email", ["teacher.acorn@oak.test", "governor.acorn@oak.test", "senco.beech@oak.test"])
def test_only_casework_roles_of_the_school_may_grant(demo, email) -> None:
    pupil = pupil_at(demo, demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(PermissionDenied):
        grants.grant_external_access(
            pupil=pupil,
            email="x@example.org",
            full_name="X",
            profession="EP",
            ends_on=dt.date.today(),
            reason="r",
            actor=demo.user(email),
        )


# --------------------------------------------------------------------------------- cover teachers


def test_cover_teacher_is_chosen_from_the_schools_teachers_and_sees_only_that_pupil(demo) -> None:
    pupil, other = make_pupil(demo.acorn), make_pupil(demo.acorn)  # not in the teacher's class
    teacher = demo.user("teacher.acorn@oak.test")
    assert pupil.pk not in visible(teacher)
    with scope(trust=demo.oak.pk):
        choices = set(grants.cover_teacher_choices(pupil).values_list("email", flat=True))
    assert choices == {"teacher.acorn@oak.test", "ta.acorn@oak.test"}
    response = signed_in(demo.user(SENCO)).post(
        reverse("pupils:grant_cover", args=[pupil.pk]),
        {
            "teacher": teacher.pk,
            "ends_on": (dt.date.today() + dt.timedelta(days=5)).isoformat(),
            "reason": "Covering 4C this week",
        },
    )
    assert response.status_code == 302
    assert pupil.pk in visible(teacher) and other.pk not in visible(teacher)
    with scope(trust=demo.oak.pk):
        assert AccessGrant.objects.get().kind == "cover"
        assert Notification.objects.filter(recipient=teacher, kind="access.granted").exists()


def test_cover_grant_refuses_people_who_are_not_teachers_of_the_school(demo) -> None:
    pupil = make_pupil(demo.acorn)
    client = signed_in(demo.user(SENCO))
    for email in ("senco.beech@oak.test", "teacher.willow@river.test", "governor.acorn@oak.test"):
        response = client.post(
            reverse("pupils:grant_cover", args=[pupil.pk]),
            {"teacher": demo.user(email).pk, "ends_on": dt.date.today().isoformat(), "reason": "Cover"},
        )
        assert "Choose a teacher or teaching assistant from the list." in response.content.decode()
    with scope(trust=demo.oak.pk):
        assert not AccessGrant.objects.exists()
        with pytest.raises(ValidationError, match="already sees this pupil's record through their role"):
            grants.grant_external_access(
                pupil=pupil,
                email="head.acorn@oak.test",
                full_name="Sarah Whitfield",
                profession="Headteacher",
                ends_on=dt.date.today(),
                reason="r",
                actor=demo.user(SENCO),
            )


@pytest.mark.parametrize("email", ["teacher.willow@river.test", "senco.beech@oak.test", "parent.acorn@oak.test"])
def test_cover_service_refuses_anyone_but_a_teacher_or_ta_of_the_school(demo, email) -> None:
    pupil = make_pupil(demo.acorn)
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError) as refused:
        grants.grant_cover_access(
            pupil=pupil, teacher=demo.user(email), ends_on=dt.date.today(), reason="Cover", actor=demo.user(SENCO)
        )
    assert refused.value.message_dict == {"teacher": ["Choose a teacher or teaching assistant of Acorn Primary."]}
    assert not PupilUserObjectPermission.objects.exists()


# ---------------------------------------------------------------------- what a grantee sees, and when


def test_external_professional_sees_only_the_granted_pupil(demo) -> None:
    pupil, other_same_class = pupil_at(demo, demo.acorn), pupil_at(demo, demo.acorn)
    beech_pupil = pupil_at(demo, demo.beech)
    professional = make_external_user(demo.oak)
    make_grant(pupil, professional)
    assert visible(professional) == {pupil.pk}
    client = signed_in(professional)
    page = client.get(reverse("pupils:shared_with_me")).content.decode()
    assert pupil.display_name in page
    assert other_same_class.display_name not in page and beech_pupil.display_name not in page
    assert client.get(reverse("pupils:document_upload", args=[pupil.pk])).status_code == 200
    for not_granted in (other_same_class, beech_pupil):
        assert client.get(reverse("pupils:document_upload", args=[not_granted.pk])).status_code == 404
    # A grantee never manages access.
    assert client.get(reverse("pupils:access_grants", args=[pupil.pk])).status_code == 404


def test_access_stops_the_day_after_the_end_date_and_the_nightly_task_tidies_up(demo) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0), tick=False):
        pupil = pupil_at(demo, demo.acorn)
        document = make_document(pupil)
        professional = make_external_user(demo.oak)
        grant = invite(demo, pupil, email=professional.email, ends_on=dt.date(2026, 3, 20))
    client = signed_in(professional)
    download = reverse("pupils:document_download", args=[pupil.pk, document.pk])

    # The end date itself, late in the evening: still allowed (dates are Europe/London).
    with time_machine.travel(dt.datetime(2026, 3, 20, 23, 30, tzinfo=dt.UTC), tick=False):
        assert visible(professional) == {pupil.pk}
        assert pupil.display_name in client.get(reverse("pupils:shared_with_me")).content.decode()
        assert client.get(download).status_code == 200
        assert tasks.expire_access_grants() == 0

    # The day after: gone from the query and the pages, even before the task runs.
    with time_machine.travel(dt.datetime(2026, 3, 21, 0, 30, tzinfo=dt.UTC), tick=False):
        assert visible(professional) == set()
        client.force_login(professional)  # a fresh session (the old one would have idled out)
        page = client.get(reverse("pupils:shared_with_me")).content.decode()
        assert pupil.display_name not in page and "No pupils are shared with you" in page
        assert client.get(download).status_code == 404
        assert client.get(reverse("pupils:document_upload", args=[pupil.pk])).status_code == 404
        assert has_permission(professional, pupil)

        assert tasks.expire_access_grants() == 1
        assert not has_permission(professional, pupil)
        assert tasks.expire_access_grants() == 0  # idempotent
        with scope(trust=demo.oak.pk):
            expired = AuditEntry.objects.filter(action="revoke", object_id=str(grant.pk))
            assert expired.count() == 1
            assert expired.get().actor is None


def test_expiry_task_works_trust_by_trust_and_keeps_grants_in_force(demo) -> None:
    today = dt.date.today()
    oak_pupil, river_pupil, kept_pupil = (
        pupil_at(demo, demo.acorn),
        pupil_at(demo, demo.willow),
        pupil_at(demo, demo.acorn),
    )
    oak_person, river_person = make_external_user(demo.oak), make_external_user(demo.river)
    make_grant(oak_pupil, oak_person, ends_on=today - dt.timedelta(days=3))
    make_grant(river_pupil, river_person, ends_on=today - dt.timedelta(days=1))
    make_grant(kept_pupil, oak_person, ends_on=today)
    assert tasks.expire_access_grants() == 2
    assert not has_permission(oak_person, oak_pupil) and not has_permission(river_person, river_pupil)
    assert has_permission(oak_person, kept_pupil)
    assert visible(oak_person) == {kept_pupil.pk}


# ------------------------------------------------------------------------------------------ revoking


def test_revoke_from_the_record_removes_access_at_once_and_is_audited(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    professional = make_external_user(demo.oak)
    grant = make_grant(pupil, professional)
    client = signed_in(demo.user(SENCO))
    response = client.post(reverse("pupils:revoke_access", args=[pupil.pk, grant.pk]), {"next": "record"})
    assert response.status_code == 302
    assert response["Location"] == reverse("register:pupil_record", args=[pupil.pk])
    assert not has_permission(professional, pupil)
    assert visible(professional) == set()
    with scope(trust=demo.oak.pk):
        grant.refresh_from_db()
        assert grant.revoked_at is not None
        entry = AuditEntry.objects.get(action="revoke")
        assert Notification.objects.filter(recipient=professional, kind="access.revoked").exists()
    assert (entry.actor, entry.pupil_id) == (demo.user(SENCO), pupil.pk)
    # Again: nothing changes, nothing more is logged.
    client.post(reverse("pupils:revoke_access", args=[pupil.pk, grant.pk]))
    with scope(trust=demo.oak.pk):
        assert AuditEntry.objects.filter(action="revoke").count() == 1
    assert "Removed" in client.get(reverse("pupils:access_grants", args=[pupil.pk])).content.decode()


def test_revoke_needs_post_and_the_grant_of_that_pupil(demo) -> None:
    pupil, other = pupil_at(demo, demo.acorn), pupil_at(demo, demo.acorn)
    grant = make_grant(other, make_external_user(demo.oak))
    client = signed_in(demo.user(SENCO))
    assert client.get(reverse("pupils:revoke_access", args=[pupil.pk, grant.pk])).status_code == 405
    assert client.post(reverse("pupils:revoke_access", args=[pupil.pk, grant.pk])).status_code == 404


def test_revoking_one_grant_keeps_another_in_force_for_the_same_pupil(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    professional = make_external_user(demo.oak)
    first = make_grant(pupil, professional, ends_on=dt.date.today() + dt.timedelta(days=3))
    make_grant(pupil, professional, ends_on=dt.date.today() + dt.timedelta(days=90))
    with scope(trust=demo.oak.pk):
        grants.revoke_access(grant=first, actor=demo.user(SENCO))
    assert has_permission(professional, pupil) and visible(professional) == {pupil.pk}


def test_only_those_who_may_grant_may_revoke(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    grant = make_grant(pupil, make_external_user(demo.oak))
    with scope(trust=demo.oak.pk), pytest.raises(PermissionDenied):
        grants.revoke_access(grant=grant, actor=demo.user("teacher.acorn@oak.test"))


# --------------------------------------------------------------------------------- record section


def test_record_section_lists_grants_in_force_with_remove_buttons_for_casework_roles(demo) -> None:
    pupil = pupil_at(demo, demo.acorn)
    active = make_grant(pupil, make_external_user(demo.oak))
    ended = make_grant(pupil, make_external_user(demo.oak), ends_on=dt.date.today() - dt.timedelta(days=1))
    with scope(trust=demo.oak.pk):
        section = grants.grants_for_record(demo.user(SENCO), pupil)
        html = render_to_string("pupils/_grants_section.html", {"pupil": pupil, "grants": section})
        for email in ("teacher.acorn@oak.test", "ta.acorn@oak.test"):
            hidden = grants.grants_for_record(demo.user(email), pupil)
            assert not hidden.shown and list(hidden) == []
            assert render_to_string("pupils/_grants_section.html", {"pupil": pupil, "grants": hidden}).strip() == ""
        grantee_view = grants.grants_for_record(active.user, pupil)
    assert list(section) == [active] and section.can_grant
    assert str(active.user) in html and str(ended.user) not in html
    assert reverse("pupils:revoke_access", args=[pupil.pk, active.pk]) in html
    assert not grantee_view.shown


# ---------------------------------------------------------------------------------------- queries


def test_shared_with_me_page_uses_a_fixed_number_of_queries(demo, django_assert_max_num_queries) -> None:
    professional = make_external_user(demo.oak)
    client = signed_in(professional)
    counts = []
    for total in (1, 4):
        while len(list(grants_of(professional))) < total:
            make_grant(pupil_at(demo, demo.acorn if total == 1 else demo.beech), professional)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("pupils:shared_with_me"))
        assert page.content.decode().count('class="govuk-table__row"') == total + 1
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[1]):
        client.get(reverse("pupils:shared_with_me"))


def grants_of(user: Any) -> list[AccessGrant]:
    with scope(trust=user.trust_id):
        return list(AccessGrant.objects.filter(user=user))


def test_access_page_and_record_section_use_a_fixed_number_of_queries(demo) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pupil = pupil_at(demo, demo.acorn)
    client = signed_in(demo.user(SENCO))
    counts = []
    for total in (1, 4):
        while len(grants_of_pupil(demo, pupil)) < total:
            make_grant(pupil, make_external_user(demo.oak))
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("pupils:access_grants", args=[pupil.pk]))
        fresh = User.objects.get(email=SENCO)
        with scope(trust=demo.oak.pk), CaptureQueriesContext(connection) as section_queries:
            section = grants.grants_for_record(fresh, pupil)
            render_to_string("pupils/_grants_section.html", {"pupil": pupil, "grants": section})
        counts.append((len(queries), len(section_queries)))
    assert counts[0] == counts[1]


def grants_of_pupil(demo: Any, pupil: Any) -> list[AccessGrant]:
    with scope(trust=demo.oak.pk):
        return list(AccessGrant.objects.filter(pupil=pupil))
