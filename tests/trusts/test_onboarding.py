"""Onboarding a trust from the DfE's Get Information about Schools extract: the service, re-runs, errors,
the command and the platform operator's page (the parser: test_gias_extract.py)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from tests.trusts.gias_support import CODE, DECEMBER, JANUARY, LEAD, OURS, _invitations, _onboard, _schools, _with
from tests.trusts.test_row_level_security import as_app_role  # noqa: F401 (a fixture)
from trusts import onboarding
from trusts.invitations import find_invitation
from trusts.mfa import SSO_MFA_SESSION_KEY
from trusts.models import AuditEntry, Membership, Role, School, Trust, User

# ------------------------------------------------------------------------------------------- the service


@pytest.mark.django_db
def test_onboarding_creates_the_trust_its_open_schools_and_invites_the_lead(
    demo, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        summary = _onboard()
    trust = Trust.objects.get(gias_code=CODE)
    assert trust.name == "Severn Vale Learning Trust" and summary.trust_created
    schools = _schools()
    assert set(schools) == OURS  # not the closed school, the other trust's or the maintained school
    primary = schools["149101"]
    assert primary.name == "St Thomas à Becket Catholic Primary School"
    assert (primary.dfe_number, primary.local_authority, primary.phase) == ("885/3301", "Worcestershire", "primary")
    assert (primary.statutory_low_age, primary.statutory_high_age, primary.status) == (4, 11, "open")
    assert primary.establishment_type == "Academy converter"
    assert {u: s.phase for u, s in schools.items()} == {
        "149101": "primary",
        "149102": "secondary",
        "149103": "special",
        "149105": "alternative",
        "149106": "nursery",
    }
    assert schools["149106"].status == "closing"
    assert [s.urn for s in summary.not_added] == ["149104"]
    (invitation,) = _invitations()
    assert invitation.trust_id == trust.pk
    assert invitation.payload == {"roles": [{"role": "inclusion_lead", "school": None}]}
    assert summary.invitation == onboarding.INVITED and len(callbacks) == 1  # the email, queued on commit
    with scopes_disabled():
        entries = AuditEntry.objects.filter(trust=trust)
        assert entries.filter(object_type="trusts.Trust", summary__startswith="Onboarded").count() == 1
        assert entries.filter(object_type="trusts.School", action="create").count() == 5
        assert School.objects.filter(urn__in=["149201", "149301", "149104"]).count() == 0


@pytest.mark.django_db
def test_running_again_with_the_same_extract_changes_nothing_and_invites_no_one_twice(demo) -> None:
    _onboard()
    before = {u: (s.pk, s.updated_at) for u, s in _schools().items()}
    again = _onboard()
    assert {u: (s.pk, s.updated_at) for u, s in _schools().items()} == before
    assert (again.created, again.updated, again.closed) == ([], [], [])
    assert len(again.unchanged) == 5 and not again.trust_created
    assert again.invitation == onboarding.WAITING and len(_invitations()) == 1


@pytest.mark.django_db
def test_a_newer_extract_renames_adds_and_flags_closed_without_deleting(demo) -> None:
    _onboard()
    first = _schools()
    summary = _onboard(JANUARY)
    schools = _schools()
    assert set(schools) == OURS | {"149107"} and len(Trust.objects.filter(gias_code=CODE)) == 1
    assert schools["149101"].pk == first["149101"].pk
    assert schools["149101"].name == "St Thomas à Becket Catholic Primary Academy"
    closed = schools["149105"]
    assert (closed.status, closed.closed_on, closed.phase) == ("closed", date(2026, 12, 31), "alternative")
    assert [s.urn for s in summary.created] == ["149107"]
    assert [s.urn for s in summary.updated] == ["149101"]
    assert [s.urn for s in summary.closed] == ["149105"]
    assert "name St Thomas à Becket Catholic Primary School → St Thomas à Becket Catholic Primary Academy" in str(
        summary.updated[0]
    )
    with scopes_disabled():
        assert AuditEntry.objects.filter(school=closed, summary__contains="status Open → Closed").exists()


@pytest.mark.django_db
def test_a_lead_who_accepted_is_not_invited_again_and_a_waiting_one_is_resent_only_when_asked(demo) -> None:
    _onboard()
    resent = _onboard(resend=True, send_now=True)
    assert resent.invitation == onboarding.RESENT
    token = resent.invitation_link.rstrip("/").rsplit("/", 1)[1]
    invitation = find_invitation(token)
    assert invitation is not None and invitation.pending and len(_invitations()) == 1
    assert mail.outbox[-1].to == [LEAD] and resent.invitation_link in mail.outbox[-1].body
    trust = Trust.objects.get(gias_code=CODE)
    with scopes_disabled():
        lead = User.objects.create_user(LEAD, None, full_name="Lena Lead", trust=trust)
        Membership.objects.create(trust=trust, user=lead, role=Role.INCLUSION_LEAD)
    again = _onboard(resend=True, send_now=True)
    assert again.invitation == onboarding.ALREADY_LEAD and again.invitation_link == ""
    assert len(_invitations()) == 1


@pytest.mark.django_db
def test_one_bad_row_of_the_trust_writes_nothing_and_says_which_row(demo) -> None:
    raw = _with(DECEMBER, "149102", StatutoryLowAge="18", StatutoryHighAge="11")
    raw = _with(raw, "149103", EstablishmentNumber="70")
    with pytest.raises(ValidationError) as exc:
        _onboard(raw)
    assert exc.value.messages == [
        "Row 3 (URN 149102): the StatutoryLowAge 18 is above the StatutoryHighAge 11.",
        "Row 4 (URN 149103): the EstablishmentNumber “70” is not 4 digits.",
    ]
    assert not Trust.objects.filter(gias_code=CODE).exists() and _invitations() == []


@pytest.mark.django_db
def test_a_bad_row_of_another_trust_does_not_matter(demo) -> None:
    summary = _onboard(_with(DECEMBER, "149201", URN="12"))
    assert len(summary.created) == 5


@pytest.mark.django_db
def test_a_urn_of_another_trusts_school_is_an_error_not_a_move(demo) -> None:
    raw = _with(DECEMBER, demo.acorn.urn, **{"Trusts (code)": CODE, "EstablishmentName": "Acorn Renamed"})
    with pytest.raises(ValidationError) as exc:
        _onboard(raw)
    assert exc.value.messages == [
        f"Row 10 (URN {demo.acorn.urn}): this URN is already a school of another trust on the platform. Schools "
        "never move between trusts silently: if the academy has changed trust, move its records first."
    ]
    with scopes_disabled():
        acorn = School.objects.get(pk=demo.acorn.pk)
    assert (acorn.trust_id, acorn.name) == (demo.oak.pk, "Acorn Primary")
    assert not Trust.objects.filter(gias_code=CODE).exists()


@pytest.mark.django_db
def test_a_lead_with_an_account_in_another_trust_is_refused(demo) -> None:
    with pytest.raises(ValidationError, match="already has an account in another organisation"):
        _onboard(lead_email="lead@oak.test")
    assert not Trust.objects.filter(gias_code=CODE).exists()


@pytest.mark.django_db
def test_a_dry_run_works_everything_out_and_writes_nothing(demo) -> None:
    summary = _onboard(dry_run=True)
    assert len(summary.created) == 5 and summary.invitation == onboarding.INVITED
    assert not Trust.objects.filter(gias_code=CODE).exists() and _invitations() == [] and mail.outbox == []


@pytest.mark.django_db
def test_a_trust_set_up_by_hand_with_the_same_name_is_adopted_and_schools_it_lost_are_reported(demo) -> None:
    trust = Trust.objects.create(name="Severn Vale Learning Trust")
    with scopes_disabled():
        School.objects.create(
            trust=trust, name="Hand Made", urn="149999", la_code="885", establishment_number="2999", phase="primary"
        )
    summary = _onboard()
    trust.refresh_from_db()
    assert trust.gias_code == CODE and not summary.trust_created
    assert [s.urn for s in summary.no_longer_listed] == ["149999"]
    assert "149999" in _schools()  # left as it was


@pytest.mark.django_db
def test_an_unknown_trust_code_or_a_bad_address_is_refused(demo) -> None:
    with pytest.raises(ValidationError, match="No establishment in the file has the trust code TR00000"):
        _onboard(trust_code="TR00000")
    with pytest.raises(ValidationError, match="email address in the correct format"):
        _onboard(lead_email="not an address")


# ------------------------------------------------------------------------------------------- the command


@pytest.mark.django_db
def test_the_command_onboards_and_prints_the_accept_link(demo) -> None:
    out = io.StringIO()
    args = ["--gias", str(DECEMBER), "--trust-code", CODE, "--lead", LEAD]
    call_command("onboard_trust", *args, "--print-link", stdout=out)
    text = out.getvalue()
    match = re.search(r"^Invitation link: (http\S*/accounts/invitation/([^/\s]+)/)$", text, re.M)
    assert match, text
    assert find_invitation(match.group(2)) is not None
    assert mail.outbox[-1].to == [LEAD] and match.group(1) in mail.outbox[-1].body
    assert "Created schools: 5" in text and set(_schools()) == OURS
    quiet = io.StringIO()
    call_command("onboard_trust", *args, stdout=quiet)
    assert "Invitation link" not in quiet.getvalue() and "Unchanged: 5" in quiet.getvalue()
    assert "already has an invitation waiting" in quiet.getvalue()
    # Asking for the link again can only make a new one: the waiting invitation is re-sent, the old link ends.
    again = io.StringIO()
    call_command("onboard_trust", *args, "--print-link", stdout=again)
    new = re.search(r"^Invitation link: \S*/accounts/invitation/([^/\s]+)/$", again.getvalue(), re.M)
    assert new and find_invitation(new.group(1)) is not None and find_invitation(match.group(2)) is None
    assert len(_invitations()) == 1


@pytest.mark.django_db
def test_the_command_refuses_a_bad_file_with_row_messages_and_writes_nothing(demo, tmp_path) -> None:
    bad = tmp_path / "edubasealldata20261201.csv"
    bad.write_bytes(_with(DECEMBER, "149101", URN="14910"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was written: 1 problem"):
        call_command("onboard_trust", "--gias", str(bad), "--trust-code", CODE, "--lead", LEAD, stderr=err)
    assert "Row 2 (URN 14910): the URN is not 6 digits." in err.getvalue()
    assert not Trust.objects.filter(gias_code=CODE).exists()
    with pytest.raises(CommandError, match="no “Trusts \\(code\\)” column"):
        bad.write_bytes(
            b"URN,LA (code),LA (name),EstablishmentNumber,EstablishmentName,TypeOfEstablishment (name),"
            b"EstablishmentStatus (name),PhaseOfEducation (name),StatutoryLowAge,StatutoryHighAge,"
            b"Trusts (name)\r\n"
        )
        call_command("onboard_trust", "--gias", str(bad), "--trust-code", CODE, "--lead", LEAD)


@pytest.mark.django_db
def test_the_command_dry_run_writes_nothing(demo) -> None:
    out = io.StringIO()
    call_command(
        "onboard_trust", "--gias", str(DECEMBER), "--trust-code", CODE, "--lead", LEAD, "--dry-run", stdout=out
    )
    assert "Dry run: nothing was written." in out.getvalue() and "Would create schools: 5" in out.getvalue()
    assert not Trust.objects.filter(gias_code=CODE).exists() and mail.outbox == []


# ------------------------------------------------------------------------------------------- the page

URL = "/platform/onboard/"


def _operator(mfa: bool = True) -> Client:
    operator = User.objects.create_superuser("operator@platform.test", "operator-pass-2026", full_name="Op")
    client = Client()
    client.force_login(operator)
    if mfa:
        session = client.session
        session[SSO_MFA_SESSION_KEY] = str(operator.pk)
        session.save()
    return client


def _upload(client: Client, raw: bytes, **fields: str):
    data = {"trust_code": CODE, "lead_email": LEAD} | fields
    return client.post(URL, {**data, "file": SimpleUploadedFile("edubasealldata20261201.csv", raw)})


@pytest.mark.django_db
def test_the_url_is_the_platform_onboarding_page() -> None:
    assert reverse("trusts:platform_onboard") == URL


@pytest.mark.django_db
def test_operators_need_the_second_factor_first(demo) -> None:
    response = _operator(mfa=False).get(URL)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_an_operator_previews_then_confirms(demo, django_capture_on_commit_callbacks) -> None:
    client = _operator()
    assert client.get(URL).status_code == 200
    preview = _upload(client, DECEMBER.read_bytes())
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Schools to create (5)" in page and "St Thomas à Becket Catholic Primary School" in page
    assert "Closed in the register, not added (1)" in page and "will be invited" in page
    assert not Trust.objects.filter(gias_code=CODE).exists()
    with django_capture_on_commit_callbacks() as callbacks:
        done = client.post(URL, {"confirm": "1"})
    assert done.status_code == 302 and done["Location"] == URL
    assert set(_schools()) == OURS and len(_invitations()) == 1 and len(callbacks) == 1
    with scopes_disabled():
        entry = AuditEntry.objects.get(summary__startswith="Onboarded")
    assert entry.actor.email == "operator@platform.test"
    assert "5 schools created" in client.get(URL).content.decode()
    again = client.post(URL, {"confirm": "1"})  # the checked copy is used once
    assert again.status_code == 302 and len(_schools()) == 5


@pytest.mark.django_db
def test_a_bad_file_lists_every_row_problem_in_the_error_summary(demo) -> None:
    client = _operator()
    response = _upload(client, _with(DECEMBER, "149102", StatutoryHighAge="x", EstablishmentNumber=""))
    page = response.content.decode()
    assert response.status_code == 400 and "govuk-error-summary" in page
    assert "Row 3 (URN 149102): the EstablishmentNumber is empty" in page
    assert "Row 3 (URN 149102): the StatutoryHighAge “x” is not a whole number of years." in page
    assert client.post(URL, {"confirm": "1"})["Location"] == URL  # nothing kept to confirm
    assert not Trust.objects.filter(gias_code=CODE).exists()
    wrong = _upload(client, b"name,email\r\nA,b@c.d\r\n")
    assert wrong.status_code == 400 and "is not a GIAS establishment extract" in wrong.content.decode()


@pytest.mark.django_db
def test_staff_of_every_trust_and_admin_site_staff_get_404(demo) -> None:
    for user in demo.users.values():
        client = Client()
        client.force_login(user)
        assert client.get(URL).status_code == 404, user.email
        assert _upload(client, DECEMBER.read_bytes()).status_code == 404, user.email
    staff = User.objects.create_user("support@platform.test", "a-long-pass-phrase-7", full_name="S", is_staff=True)
    client = Client()
    client.force_login(staff)
    session = client.session
    session[SSO_MFA_SESSION_KEY] = str(staff.pk)
    session.save()
    assert client.get(URL).status_code == 404
    assert not Trust.objects.filter(gias_code=CODE).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("as_app_role")
def test_as_the_application_database_role_onboarding_works_and_moves_no_school(demo) -> None:
    """PostgreSQL with row-level security (CI): the operator's request has no trust, so onboarding works in
    the new trust's scope; another trust's school stays invisible and a clash still refuses."""
    client = _operator()
    assert _upload(client, DECEMBER.read_bytes()).status_code == 200
    assert client.post(URL, {"confirm": "1"}).status_code == 302
    assert set(_schools()) == OURS
    clash = _upload(client, _with(JANUARY, demo.willow.urn, **{"Trusts (code)": CODE, "EstablishmentName": "W"}))
    assert clash.status_code == 400 and "already a school of another trust" in clash.content.decode()
    with scopes_disabled():
        assert School.objects.get(pk=demo.willow.pk).trust_id == demo.river.pk
