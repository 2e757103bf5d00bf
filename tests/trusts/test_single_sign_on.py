"""Single sign-on end to end against a real OpenID Connect provider started on loopback
(tests/oidc_provider: django-oauth-toolkit, RS256 ID tokens, the `amr` claim per user).

Our app is driven with Django's test client; its server-side calls (discovery, token, JWKS, userinfo)
go over real HTTP to the provider on 127.0.0.1, and the provider's browser side is driven with requests.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.oidc_provider.harness import running_provider
from trusts import services
from trusts.invitations import create_invitation
from trusts.models import AuditEntry, Invitation, Role, SingleSignOn, User
from trusts.sso import client_secret, encrypt_secret

pytestmark = pytest.mark.django_db
PW = "idp-password-1"
CALLBACK = "http://testserver/accounts/oidc/oak-sso/login/callback/"
IDP_USERS = [
    {"email": "alice@oakschools.test", "password": PW, "name": "Alice Ward", "amr": ["pwd", "mfa"]},
    {"email": "bob@oakschools.test", "password": PW, "name": "Bob Lane", "amr": ["pwd"]},
    {"email": "stranger@oakschools.test", "password": PW, "name": "Sam Stranger", "amr": ["pwd", "mfa"]},
    {"email": "staff@riverschools.test", "password": PW, "name": "River Person", "amr": ["pwd", "mfa"]},
    {"email": "newstaff@oakschools.test", "password": PW, "name": "Nina New", "amr": ["pwd", "mfa"]},
]


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    clients = [{"client_id": "send-oak", "client_secret": "oak-secret", "redirect_uris": [CALLBACK]}]
    with running_provider(users=IDP_USERS, clients=clients, tmp_path=tmp_path_factory.mktemp("idp")) as running:
        yield running


@pytest.fixture
def oak_sso(demo, provider):
    with scopes_disabled():
        config = SingleSignOn.objects.create(
            trust=demo.oak,
            provider_id="oak-sso",
            kind=SingleSignOn.Kind.MICROSOFT,
            issuer=provider.issuer,
            client_id="send-oak",
            client_secret_encrypted=encrypt_secret("oak-secret"),
            allowed_domains="oakschools.test, oak.test",
            idp_mfa_counts=True,
        )
        services.create_person(
            trust=demo.oak, email="alice@oakschools.test", full_name="Alice Ward", roles=[(Role.SENCO, demo.acorn)]
        )
        services.create_person(
            trust=demo.oak, email="bob@oakschools.test", full_name="Bob Lane", roles=[(Role.TEACHER, demo.acorn)]
        )
        services.create_person(
            trust=demo.river,
            email="staff@riverschools.test",
            full_name="River Person",
            roles=[(Role.SENCO, demo.willow)],
        )
    return config


def sso_sign_in(client: Client, provider, email: str):
    start = client.post("/accounts/sso/", {"email": email})
    assert start.status_code == 302, start.content.decode()[:500]
    assert start["Location"].startswith(provider.issuer)
    callback = urlsplit(provider.authorize(start["Location"], email=email, password=PW))
    return client.get(f"{callback.path}?{callback.query}")


def signed_in_as(client: Client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id).email if user_id else None


def test_staff_sign_in_with_the_trusts_provider_and_its_mfa_counts(oak_sso, provider, settings) -> None:
    settings.MFA_REQUIRED = True
    client = Client()
    response = sso_sign_in(client, provider, "alice@oakschools.test")
    assert response.status_code == 302
    assert signed_in_as(client) == "alice@oakschools.test"
    # The provider said a second factor was used and the trust accepts it: casework opens at once.
    assert client.get("/register/").status_code == 200
    with scope(trust=oak_sso.trust_id):
        entry = AuditEntry.objects.filter(action="sign_in").latest("at")
    assert entry.summary == "Signed in with single sign-on"
    # A second sign-in reuses the linked identity.
    again = Client()
    sso_sign_in(again, provider, "alice@oakschools.test")
    assert signed_in_as(again) == "alice@oakschools.test"


def test_without_a_second_factor_at_the_provider_staff_set_up_their_own(oak_sso, provider, settings) -> None:
    settings.MFA_REQUIRED = True
    client = Client()
    sso_sign_in(client, provider, "bob@oakschools.test")
    assert signed_in_as(client) == "bob@oakschools.test"
    assert client.get("/")["Location"] == "/accounts/2fa/totp/activate/"


def test_provider_mfa_does_not_count_unless_the_trust_says_so(oak_sso, provider, settings) -> None:
    settings.MFA_REQUIRED = True
    with scopes_disabled():
        SingleSignOn.objects.filter(pk=oak_sso.pk).update(idp_mfa_counts=False)
    client = Client()
    sso_sign_in(client, provider, "alice@oakschools.test")
    assert client.get("/register/")["Location"] == "/accounts/2fa/totp/activate/"


def test_an_unknown_address_is_refused_and_audited(oak_sso, provider) -> None:
    client = Client()
    response = sso_sign_in(client, provider, "stranger@oakschools.test")
    assert response.status_code == 403
    assert "has not given this account access" in response.content.decode()
    assert signed_in_as(client) is None
    assert not User.objects.filter(email="stranger@oakschools.test").exists()
    with scope(trust=oak_sso.trust_id):
        refused = AuditEntry.objects.get(action="sign_in_failed")
    assert "stranger@oakschools.test" in refused.summary
    assert "no account" in refused.summary


def test_another_trusts_domain_is_refused_even_if_that_trust_has_the_account(oak_sso, provider) -> None:
    with scopes_disabled():
        SingleSignOn.objects.filter(pk=oak_sso.pk).update(allowed_domains="oakschools.test, riverschools.test")
    client = Client()
    response = sso_sign_in(client, provider, "staff@riverschools.test")
    assert response.status_code == 403
    assert signed_in_as(client) is None
    # Nothing reaches the other trust's access log, and the message names only the provider's trust.
    with scope(trust=oak_sso.trust_id):
        assert AuditEntry.objects.filter(action="sign_in_failed").count() == 1
    assert "River" not in response.content.decode()


def test_a_domain_outside_the_trusts_list_is_refused(oak_sso, provider) -> None:
    with scopes_disabled():
        SingleSignOn.objects.filter(pk=oak_sso.pk).update(allowed_domains="oakschools.test")
    client = Client()
    start = client.post("/accounts/sso/", {"email": "staff@riverschools.test"})
    assert start.status_code == 400
    assert "Single sign-on is not set up for this email address" in start.content.decode()


def test_a_pending_staff_invitation_is_accepted_by_signing_in(oak_sso, provider, demo) -> None:
    with scope(trust=demo.oak.pk):
        create_invitation(
            trust_id=demo.oak.pk,
            kind=Invitation.Kind.STAFF,
            email="newstaff@oakschools.test",
            full_name="Nina New",
            payload={"roles": [{"role": Role.TEACHER, "school": demo.acorn.pk}]},
            invited_by=demo.user("lead@oak.test"),
        )
    client = Client()
    sso_sign_in(client, provider, "newstaff@oakschools.test")
    assert signed_in_as(client) == "newstaff@oakschools.test"
    nina = User.objects.get(email="newstaff@oakschools.test")
    with scope(trust=demo.oak.pk):
        assert [(m.role, m.school_id) for m in nina.memberships.all()] == [(Role.TEACHER, demo.acorn.pk)]


def test_the_secret_is_stored_encrypted_and_never_in_clear(oak_sso) -> None:
    assert "oak-secret" not in oak_sso.client_secret_encrypted
    assert client_secret(oak_sso) == "oak-secret"
