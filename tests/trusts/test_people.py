"""People: the inclusion lead and headteachers run their own staff, set up single sign-on and import staff."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from pupils import grants
from pupils.models import AccessGrant
from tests.factories import make_pupil
from trusts import people, services
from trusts.invitations import send_invitation
from trusts.models import AuditEntry, Invitation, Membership, Role, SingleSignOn, User

pytestmark = pytest.mark.django_db
PW = "a-long-pass-phrase-7"


def _accept_last_invitation(demo, email: str) -> Client:
    with scopes_disabled():
        invitation = Invitation.objects.filter(email=email).latest("pk")
    with scope(trust=invitation.trust_id):
        token = send_invitation(invitation=invitation)
    client = Client()
    response = client.post(
        reverse("trusts:invitation", kwargs={"token": token}),
        {"full_name": "New Person", "password1": PW, "password2": PW},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def test_the_inclusion_lead_invites_a_teacher_who_sets_up_their_account(demo) -> None:
    lead = demo.client_for("lead@oak.test")
    bad = lead.post(reverse("trusts:person_invite"), {"full_name": "", "email": "nope", "role": "", "school": ""})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Enter the person&#x27;s full name." in page and "Choose a role." in page
    missing_school = lead.post(
        reverse("trusts:person_invite"), {"full_name": "Ann Lee", "email": "ann.lee@acorn.test", "role": "teacher"}
    )
    assert "A teacher works in a school: choose the school." in missing_school.content.decode()
    ok = lead.post(
        reverse("trusts:person_invite"),
        {"full_name": "Ann Lee", "email": "ann.lee@acorn.test", "role": "teacher", "school": demo.acorn.pk},
    )
    assert ok.status_code == 302
    assert not User.objects.filter(email="ann.lee@acorn.test").exists()
    listing = lead.get(reverse("trusts:people")).content.decode()
    assert "Invited, not yet accepted" in listing and "ann.lee@acorn.test" in listing
    _accept_last_invitation(demo, "ann.lee@acorn.test")
    ann = User.objects.get(email="ann.lee@acorn.test")
    with scope(trust=demo.oak.pk):
        assert [(m.role, m.school_id) for m in ann.memberships.all()] == [(Role.TEACHER, demo.acorn.pk)]
    listing = lead.get(reverse("trusts:people")).content.decode()
    assert "Invited, not yet accepted" not in listing and "Ann Lee" not in listing  # the name they gave
    assert "New Person" in listing
    log = lead.get(reverse("trusts:audit")).content.decode()
    assert "Invitation (staff) sent to ann.lee@acorn.test" in log


def test_a_headteacher_gives_only_roles_below_their_own_in_their_school(demo) -> None:
    head = demo.user("head.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        assert people.grantable_choices(head) == [
            ("senco", "SENCO"),
            ("teacher", "Teacher"),
            ("teaching_assistant", "Teaching assistant"),
        ]
        for role, school, words in [
            (Role.HEADTEACHER, demo.acorn, "headteacher role at Acorn Primary"),
            (Role.INCLUSION_LEAD, None, "inclusion lead role"),
            (Role.TEACHER, demo.beech, "teacher role at Beech Academy"),
        ]:
            with pytest.raises(ValidationError, match=words):
                people.invite_staff(actor=head, email="x@acorn.test", full_name="X", roles=[(role, school)])
    client = demo.client_for("head.acorn@oak.test")
    page = client.get(reverse("trusts:person_invite")).content.decode()
    assert 'value="headteacher"' not in page and 'value="inclusion_lead"' not in page
    # The lead is not theirs to manage, nor is Beech's SENCO.
    assert client.get(reverse("trusts:person", args=[demo.user("lead@oak.test").pk])).status_code == 404
    assert client.get(reverse("trusts:person", args=[demo.user("senco.beech@oak.test").pk])).status_code == 404


def test_the_trust_always_keeps_an_inclusion_lead(demo) -> None:
    lead = demo.user("lead@oak.test")
    with scope(trust=demo.oak.pk):
        membership = Membership.objects.get(user=lead, role=Role.INCLUSION_LEAD)
        second = services.create_person(
            trust=demo.oak, email="lead2@oak.test", full_name="Second Lead", roles=[(Role.INCLUSION_LEAD, None)]
        )
        with pytest.raises(ValidationError, match="You cannot end this role"):
            people.end_membership(actor=lead, membership=membership)  # not your own lead role
        second_membership = Membership.objects.get(user=second, role=Role.INCLUSION_LEAD)
        people.end_membership(actor=lead, membership=second_membership)
        services.add_membership(user=second, role=Role.INCLUSION_LEAD, school=None)
        people.deactivate_person(actor=second, person=lead)
        # Now the only active lead cannot end their own role or deactivate themselves.
        with pytest.raises(ValidationError, match="You cannot end this role"):
            people.end_membership(actor=second, membership=Membership.objects.get(user=second, role="inclusion_lead"))
        with pytest.raises(ValidationError):
            people.deactivate_person(actor=second, person=second)
        assert people.active_inclusion_leads(demo.oak.pk).count() == 1


def test_deactivating_a_leaver_ends_sessions_calendar_feed_and_grants_at_once(demo) -> None:
    ta = demo.user("ta.acorn@oak.test")
    pupil = make_pupil(demo.acorn)
    with scope(trust=demo.oak.pk):
        grants.grant_cover_access(
            pupil=pupil,
            teacher=ta,
            ends_on=timezone.localdate() + timedelta(days=5),
            reason="Cover",
            actor=demo.user("senco.acorn@oak.test"),
        )
    User.objects.filter(pk=ta.pk).update(calendar_token="a" * 64)
    ta_session = Client()
    assert ta_session.post("/accounts/login/", {"login": ta.email, "password": "send-demo-2026"}).status_code == 302
    assert ta_session.get("/").status_code == 200

    head = demo.client_for("head.acorn@oak.test")
    confirm = head.get(reverse("trusts:person_deactivate", args=[ta.pk]))
    assert "This takes effect at once" in confirm.content.decode()
    done = head.post(reverse("trusts:person_deactivate", args=[ta.pk]), follow=True)
    assert "1 per-pupil access grant" in done.content.decode()

    assert ta_session.get("/")["Location"].startswith("/accounts/login/")
    again = Client()
    assert again.post("/accounts/login/", {"login": ta.email, "password": "send-demo-2026"})["Location"] == (
        "/accounts/inactive/"
    )
    assert "_auth_user_id" not in again.session
    ta.refresh_from_db()
    assert not ta.is_active and ta.calendar_token == ""
    with scope(trust=demo.oak.pk):
        assert AccessGrant.objects.get().revoked_at is not None
        assert grants.active_grant_for(ta, pupil) is None
        entry = AuditEntry.objects.filter(action="revoke", object_type="trusts.User").get()
    assert "Deactivated ta.acorn@oak.test" in entry.summary
    # Nobody deactivates themselves.
    with scope(trust=demo.oak.pk), pytest.raises(ValidationError):
        people.deactivate_person(actor=demo.user("head.acorn@oak.test"), person=demo.user("head.acorn@oak.test"))


def _upload(client: Client, text: str, name: str = "staff.csv"):
    return client.post(
        reverse("trusts:people_import"), {"file": SimpleUploadedFile(name, text.encode("utf-8"), "text/csv")}
    )


def test_staff_import_checks_every_row_then_invites_and_is_safe_to_repeat(demo) -> None:
    lead = demo.client_for("lead@oak.test")
    bad = _upload(
        lead,
        "name,email,role,school\n"
        "Ann Lee,ann.lee@acorn.test,teacher,141001\n"
        ",not-an-email,wizard,Hogwarts\n"
        "Ben Fox,ben.fox@beech.test,ta,Nowhere School\n"
        "Ann Lee,ann.lee@acorn.test,teacher,Acorn Primary\n",
    )
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Line 3: The name is empty." in page
    assert "Line 3: “not-an-email” is not an email address." in page
    assert "Line 3: “wizard” is not a staff role." in page
    assert "Line 4: No school of your trust has the URN or name “Nowhere School”." in page
    assert "Line 5: The same person and role are on line 2." in page
    with scope(trust=demo.oak.pk):
        assert not Invitation.objects.exists()
    assert "has no name, school column" in _upload(lead, "email,role\nx@y.test,teacher\n").content.decode()

    good = (
        "Name,Email,Role,School\n"
        "Ann Lee,ann.lee@acorn.test,Teacher,141001\n"
        "Ben Fox,ben.fox@beech.test,Teaching assistant,Beech Academy\n"
        "Tom Brennan,teacher.acorn@oak.test,teacher,Acorn Primary\n"  # already there
        "Tom Brennan,teacher.acorn@oak.test,teacher,Beech Academy\n"  # a new role for an existing person
    )
    checked = _upload(lead, good)
    assert checked.status_code == 200
    assert "Send an invitation" in checked.content.decode() and "Nothing (already in place)" in checked.content.decode()
    with scope(trust=demo.oak.pk):
        assert not Invitation.objects.exists()  # a dry run writes nothing
    done = lead.post(reverse("trusts:people_import"), {"confirm": "1"}, follow=True)
    assert "Import done: 2 invited, 1 roles added, 1 already in place." in done.content.decode()
    with scope(trust=demo.oak.pk):
        assert sorted(Invitation.objects.values_list("email", flat=True)) == [
            "ann.lee@acorn.test",
            "ben.fox@beech.test",
        ]
        assert Membership.objects.filter(user=demo.user("teacher.acorn@oak.test")).count() == 2
    # The same file again changes nothing.
    _upload(lead, good)
    again = lead.post(reverse("trusts:people_import"), {"confirm": "1"}, follow=True)
    assert "Import done: 0 invited, 0 roles added, 4 already in place." in again.content.decode()
    with scope(trust=demo.oak.pk):
        assert Invitation.objects.count() == 2
    assert len(mail.outbox) == 0  # emails go after commit, from the worker


def test_a_headteachers_import_cannot_reach_other_schools_or_higher_roles(demo) -> None:
    head = demo.client_for("head.acorn@oak.test")
    page = _upload(
        head, "name,email,role,school\nA,a@x.test,teacher,Beech Academy\nB,b@x.test,headteacher,Acorn Primary\n"
    ).content.decode()
    assert "Line 2: You cannot give the teacher role at Beech Academy" in page
    assert "Line 3: You cannot give the headteacher role at Acorn Primary" in page


def test_people_list_shows_only_the_trusts_staff_in_a_constant_number_of_queries(demo) -> None:
    lead = demo.client_for("lead@oak.test")
    lead.get(reverse("trusts:people"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert lead.get(reverse("trusts:people")).status_code == 200
        return len(queries)

    before = count()
    with scopes_disabled():
        for n in range(6):
            services.create_person(
                trust=demo.oak, email=f"extra{n}@oak.test", full_name=f"Extra {n}", roles=[(Role.TEACHER, demo.beech)]
            )
    assert count() == before
    page = lead.get(reverse("trusts:people")).content.decode()
    assert "Extra 5" in page and "teacher.willow@river.test" not in page and "parent.acorn@oak.test" not in page


def test_single_sign_on_settings_keep_the_secret_out_of_the_page(demo, settings) -> None:
    lead = demo.client_for("lead@oak.test")
    form = {
        "kind": "microsoft",
        "issuer": "http://idp.example.org",
        "client_id": "",
        "client_secret": "",
        "allowed_domains": "not a domain",
        "enabled": "on",
    }
    bad = lead.post(reverse("trusts:single_sign_on_settings"), form)
    page = bad.content.decode()
    assert bad.status_code == 400
    assert "must be an https:// address" in page or "Enter the client ID." in page
    form |= {
        "issuer": "https://login.microsoftonline.com/9f1c/v2.0",
        "client_id": "abc-123",
        "client_secret": "s3cret-value",
        "allowed_domains": "oakschools.org.uk, @Oak-Academy.org",
        "idp_mfa_counts": "on",
    }
    assert lead.post(reverse("trusts:single_sign_on_settings"), form).status_code == 302
    with scope(trust=demo.oak.pk):
        config = SingleSignOn.objects.get()
    assert config.allowed_domains == "oakschools.org.uk, oak-academy.org" and config.idp_mfa_counts
    assert "s3cret-value" not in config.client_secret_encrypted
    page = lead.get(reverse("trusts:single_sign_on_settings")).content.decode()
    assert "s3cret-value" not in page and "A client secret is saved" in page
    assert "/accounts/oidc/trust-" in page
    # Saving again without a secret keeps it.
    form["client_secret"] = ""
    lead.post(reverse("trusts:single_sign_on_settings"), form)
    with scope(trust=demo.oak.pk):
        assert SingleSignOn.objects.get().client_secret_encrypted == config.client_secret_encrypted
    # Another trust cannot claim the same domain.
    river = demo.client_for("lead@river.test")
    clash = river.post(reverse("trusts:single_sign_on_settings"), form | {"allowed_domains": "oakschools.org.uk"})
    assert "already used for single sign-on" in clash.content.decode()
    assert re.search(r"s3cret", clash.content.decode()) is None


def test_import_staff_command_reports_rows_and_refuses_a_bad_file(demo, tmp_path) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    bad = tmp_path / "bad.csv"
    bad.write_text("name,email,role,school\nA,a@x.test,wizard,141001\n")
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_staff", trust=demo.oak.pk, actor="lead@oak.test", file=str(bad), stderr=err)
    assert "Line 2: “wizard” is not a staff role." in err.getvalue()
    good = tmp_path / "good.csv"
    good.write_bytes("name,email,role,school\nZoë Ãrden,zoe@acorn.test,teacher,141001\n".encode("cp1252"))
    out = StringIO()
    call_command("import_staff", trust=demo.oak.pk, actor="lead@oak.test", file=str(good), dry_run=True, stdout=out)
    assert "Would invite 1" in out.getvalue()
    call_command("import_staff", trust=demo.oak.pk, actor="lead@oak.test", file=str(good), stdout=out)
    with scope(trust=demo.oak.pk):
        assert Invitation.objects.get().full_name == "Zoë Ãrden"
