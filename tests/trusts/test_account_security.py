"""Identity that cannot be captured, MFA that means this session, and the client's real address.

The first tests reproduce the two high findings as they stood: an email address changed without proof
captured another family's child or a professional's grant, and the admin's password-only login (or any
session without the code) reached casework for an account with an authenticator.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from pupils import grants
from pupils.models import Contact
from pupils.parents import add_contact, invite_parent
from tests.factories import pupil_at
from trusts.http import client_ip
from trusts.invitations import send_invitation
from trusts.models import AuditEntry, Invitation, User

pytestmark = pytest.mark.django_db
PASSWORD = "send-demo-2026"
NEW_ACCOUNT = {"full_name": "Dr Eve Peters", "password1": "a-long-pass-phrase-7", "password2": "a-long-pass-phrase-7"}


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"login": email, "password": password}, **extra)


def _totp(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _give_totp(user: User) -> str:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _token_from_last_mail() -> str:
    match = re.search(r"/accounts/invitation/([^/\s]+)/", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


# ------------------------------------------------------------------------------------ email capture


def _try_to_take_address(client: Client, address: str) -> None:
    client.post(reverse("account_email"), {"action_add": "", "email": address})
    client.post(reverse("account_email"), {"action_primary": "", "email": address})


def test_a_parent_cannot_take_another_familys_address_and_with_it_their_child(demo) -> None:
    parent = demo.user("parent.acorn@oak.test")
    client = Client()
    assert sign_in(client, parent.email).status_code == 302
    _try_to_take_address(client, "other.family@home.test")
    parent.refresh_from_db()
    assert parent.email == "parent.acorn@oak.test"
    # Confirmation goes to the new address; the old one is not replaced until it is confirmed.
    assert any("other.family@home.test" in m.to for m in mail.outbox)

    pupil = pupil_at(demo, demo.beech)
    senco = demo.user("senco.beech@oak.test")
    with scope(trust=demo.oak.pk):
        contact = add_contact(
            pupil=pupil, actor=senco, name="Jo Other", relationship="mother", email="other.family@home.test"
        )
        invite_parent(contact=contact, actor=senco)
        contact.refresh_from_db()
        assert contact.user_id is None  # nothing attached to any account by inviting
        invitation = Invitation.objects.get(kind=Invitation.Kind.PARENT)
        token = send_invitation(invitation=invitation)
    # Even holding the link, the parent's own account cannot accept an invitation for another address.
    page = client.get(reverse("trusts:invitation", kwargs={"token": token}))
    assert page.status_code == 403
    assert client.post(reverse("trusts:invitation", kwargs={"token": token})).status_code == 403
    with scope(trust=demo.oak.pk):
        assert Contact.objects.get(pk=contact.pk).user_id is None


def test_a_ta_cannot_take_a_psychologists_address_and_with_it_their_grant(demo) -> None:
    ta = demo.user("ta.acorn@oak.test")
    client = Client()
    sign_in(client, ta.email)
    _try_to_take_address(client, "ep@council.test")
    ta.refresh_from_db()
    assert ta.email == "ta.acorn@oak.test"
    pupil = pupil_at(demo, demo.beech)  # not one of the TA's pupils
    with scope(trust=demo.oak.pk):
        grants.grant_external_access(
            pupil=pupil,
            email="ep@council.test",
            full_name="Dr Eve Peters",
            profession="Educational psychologist",
            ends_on=timezone.localdate() + timedelta(days=30),
            reason="Assessment",
            actor=demo.user("senco.beech@oak.test"),
        )
        assert grants.active_grant_for(ta, pupil) is None
        assert grants.active_grants().count() == 0


def test_the_real_owner_of_the_address_accepts_and_gets_exactly_the_invited_access(demo) -> None:
    pupil = pupil_at(demo, demo.beech)
    with scope(trust=demo.oak.pk):
        invitation = grants.grant_external_access(
            pupil=pupil,
            email="ep@council.test",
            full_name="Dr Eve Peters",
            profession="Educational psychologist",
            ends_on=timezone.localdate() + timedelta(days=30),
            reason="Assessment",
            actor=demo.user("senco.beech@oak.test"),
        )
        token = send_invitation(invitation=invitation)
    assert mail.outbox[-1].to == ["ep@council.test"]
    assert _token_from_last_mail() == token
    client = Client()
    url = reverse("trusts:invitation", kwargs={"token": token})
    weak = client.post(url, {"full_name": "Dr Eve Peters", "password1": "short", "password2": "short"})
    assert weak.status_code == 400
    assert "too short" in weak.content.decode()
    done = client.post(url, NEW_ACCOUNT)
    assert done.status_code == 302
    ep = User.objects.get(email="ep@council.test")
    with scope(trust=demo.oak.pk):
        grant = grants.active_grant_for(ep, pupil)
        assert grant is not None and grant.granted_by == demo.user("senco.beech@oak.test")
    # The link works once.
    assert Client().get(url).status_code == 404
    # The new account's address is confirmed, so it can sign in with its password.
    assert sign_in(Client(), "ep@council.test", "a-long-pass-phrase-7").status_code == 302


def test_an_existing_account_must_sign_in_as_itself_to_accept(demo, django_capture_on_commit_callbacks) -> None:
    teacher = demo.user("teacher.acorn@oak.test")
    pupil = pupil_at(demo, demo.beech)
    with scope(trust=demo.oak.pk):
        contact = add_contact(
            pupil=pupil,
            actor=demo.user("senco.beech@oak.test"),
            name="Tom Brennan",
            relationship="father",
            email=teacher.email,
        )
        invitation = invite_parent(contact=contact, actor=demo.user("senco.beech@oak.test"))
        token = send_invitation(invitation=invitation)
    url = reverse("trusts:invitation", kwargs={"token": token})
    anonymous = Client().get(url)
    assert anonymous.status_code == 200
    assert "Sign in to accept" in anonymous.content.decode()
    # The account's own password is needed; no password form is offered for an existing account.
    assert Client().post(url, NEW_ACCOUNT).status_code == 200
    client = Client()
    sign_in(client, teacher.email)
    assert client.post(url).status_code == 302
    with scope(trust=demo.oak.pk):
        assert Contact.objects.get(pk=contact.pk).user_id == teacher.pk


def test_inviting_an_address_of_another_trust_says_nothing_to_the_inviter(demo) -> None:
    """The inviter sees the same answer as for any address; only the address's owner learns why it fails."""
    pupil = pupil_at(demo, demo.acorn)
    senco = demo.user("senco.acorn@oak.test")
    with scope(trust=demo.oak.pk):
        contact = add_contact(
            pupil=pupil, actor=senco, name="Karen Doyle", relationship="aunt", email="parent.willow@river.test"
        )
        invitation = invite_parent(contact=contact, actor=senco)  # no error, no hint
        token = send_invitation(invitation=invitation)
        response = Client().get(reverse("trusts:invitation", kwargs={"token": token}))
    assert response.status_code == 409
    assert "already used by another school or trust" in response.content.decode()
    with scope(trust=demo.oak.pk):
        invitation = grants.grant_external_access(
            pupil=pupil,
            email="senco.willow@river.test",
            full_name="Aisha Rahman",
            profession="Specialist teacher",
            ends_on=timezone.localdate() + timedelta(days=5),
            reason="Advice",
            actor=senco,
        )
    assert invitation.email == "senco.willow@river.test"


def test_email_changes_are_audited_and_the_old_address_is_told(demo) -> None:
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    senco = demo.user("senco.acorn@oak.test")
    client = Client()
    sign_in(client, senco.email)
    client.post(reverse("account_email"), {"action_add": "", "email": "priya.sharma@acorn.test"})
    address = EmailAddress.objects.get(email="priya.sharma@acorn.test")
    key = EmailConfirmationHMAC(address).key
    client.post(reverse("account_confirm_email", kwargs={"key": key}))
    senco.refresh_from_db()
    assert senco.email == "priya.sharma@acorn.test"
    told = [m for m in mail.outbox if m.to == ["senco.acorn@oak.test"]]
    assert told, [m.to for m in mail.outbox]
    with scope(trust=demo.oak.pk):
        summaries = list(AuditEntry.objects.filter(actor=senco).values_list("summary", flat=True))
    assert any("changed from senco.acorn@oak.test to priya.sharma@acorn.test" in s for s in summaries)


# ------------------------------------------------------------------------------------ MFA this session


def test_the_admin_password_form_does_not_sign_anyone_in(demo) -> None:
    User.objects.create_superuser("operator@platform.test", "operator-pass-2026", full_name="Op")
    client = Client()
    client.post("/admin/login/?next=/admin/", {"username": "operator@platform.test", "password": "operator-pass-2026"})
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    # The admin's own sign-in page only sends people to the real one.
    assert client.get("/admin/login/?next=/admin/")["Location"].startswith("/accounts/login/")


def test_a_session_that_skipped_the_code_reaches_no_casework(demo) -> None:
    senco = demo.user("senco.acorn@oak.test")
    secret = _give_totp(senco)
    client = Client()
    client.force_login(senco)  # a session made without the second factor, as the admin login made them
    for path in ("/register/", "/", "/ehc/deadlines/", "/access-log/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("mfa_reauthenticate"))
    ok = client.post(reverse("mfa_reauthenticate") + "?next=/register/", {"code": _totp(secret)})
    assert ok.status_code == 302
    assert client.get("/register/").status_code == 200


def test_password_then_no_code_is_not_signed_in(demo) -> None:
    _give_totp(demo.user("senco.acorn@oak.test"))
    client = Client()
    assert sign_in(client, "senco.acorn@oak.test")["Location"] == reverse("mfa_authenticate")
    assert client.get("/register/")["Location"].startswith("/accounts/login/")


def test_platform_operators_always_need_mfa(demo, settings) -> None:
    settings.MFA_REQUIRED = False
    operator = User.objects.create_superuser("operator@platform.test", "operator-pass-2026", full_name="Op")
    client = Client()
    client.force_login(operator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_production_cannot_switch_mfa_off(settings) -> None:
    settings.PRODUCTION = True
    settings.MFA_REQUIRED = False
    from django.core.checks import registry

    from trusts.checks import mfa_is_required_in_production

    assert mfa_is_required_in_production in registry.registry.get_checks(include_deployment_checks=True)
    assert [e.id for e in mfa_is_required_in_production()] == ["send.E001"]
    settings.MFA_REQUIRED = True
    assert mfa_is_required_in_production() == []


# ------------------------------------------------------------------------------------ the client's address


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),  # no proxy trusted: the header is the client's to forge
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # our proxy appended the real client
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.2"),  # fewer hops than proxies: not believed
        (1, "not-an-ip", "10.0.0.2"),
    ],
)
def test_client_ip_counts_only_trusted_proxies(settings, count, forwarded, expected) -> None:
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_behind_the_proxy_one_persons_wrong_passwords_do_not_lock_out_everyone(demo, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy)
    for _ in range(3):
        sign_in(attacker, "senco.acorn@oak.test", "wrong-password")
    assert sign_in(attacker, "senco.acorn@oak.test").status_code == 429
    real = Client(HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert sign_in(real, "senco.acorn@oak.test").status_code == 302
    with scope(trust=demo.oak.pk):
        entries = AuditEntry.objects.filter(object_id=str(demo.user("senco.acorn@oak.test").pk))
        failed = entries.filter(action="sign_in_failed")
        assert failed.count() >= 3
        assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.66"}
        assert entries.filter(action="sign_in").get().ip_address == "198.51.100.20"


def test_a_platform_operator_who_passed_mfa_sets_up_single_sign_on_in_the_admin(demo) -> None:
    from trusts.models import SingleSignOn
    from trusts.sso import client_secret

    operator = User.objects.create_superuser("operator@platform.test", "operator-pass-2026", full_name="Op")
    secret = _give_totp(operator)
    client = Client()
    client.force_login(operator)
    assert client.get("/admin/")["Location"].startswith(reverse("mfa_reauthenticate"))
    client.post(reverse("mfa_reauthenticate"), {"code": _totp(secret)})
    assert client.get("/admin/trusts/singlesignon/add/").status_code == 200
    response = client.post(
        "/admin/trusts/singlesignon/add/",
        {
            "trust": demo.river.pk,
            "provider_id": "river-sso",
            "kind": "google",
            "issuer": "https://accounts.google.com",
            "client_id": "river-client",
            "client_secret": "river-secret-value",
            "client_secret_env": "",
            "allowed_domains": "riverschools.test",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    with scopes_disabled():
        config = SingleSignOn.objects.get(provider_id="river-sso")
    assert "river-secret-value" not in config.client_secret_encrypted
    assert client_secret(config) == "river-secret-value"
    assert "river-secret-value" not in client.get(f"/admin/trusts/singlesignon/{config.pk}/change/").content.decode()


def test_a_new_account_from_an_invitation_sets_up_mfa_without_a_second_password_prompt(demo) -> None:
    """Choosing the password on the invitation page is this session's sign-in: allauth must not ask
    "Confirm it's you" again before the authenticator can be set up (found by the production smoke test)."""
    from trusts.invitations import create_invitation
    from trusts.models import Invitation

    with scope(trust=demo.oak.pk):
        invitation = create_invitation(
            trust_id=demo.oak.pk,
            kind=Invitation.Kind.STAFF,
            email="new.senco@oak.test",
            full_name="New Senco",
            payload={"roles": [{"role": "senco", "school": demo.acorn.pk}]},
            invited_by=demo.user("lead@oak.test"),
            school=demo.acorn,
            send=False,
        )
        token = send_invitation(invitation=invitation)
    client = Client()
    assert client.post(reverse("trusts:invitation", kwargs={"token": token}), NEW_ACCOUNT).status_code == 302
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200, page.get("Location")
