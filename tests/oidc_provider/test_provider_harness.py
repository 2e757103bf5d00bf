"""Self-test of the loopback OpenID Connect provider: discovery, a full code flow with a verified id_token."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from jwcrypto import jwk, jwt

from tests.oidc_provider.harness import HTTP_TIMEOUT, Provider, ProviderError, running_provider

CLIENT_ID = "send-casework"
CLIENT_SECRET = "not-a-real-secret-" + "x" * 20
REDIRECT_URI = "http://testserver/accounts/oidc/trust-sso/login/callback/"

MFA_USER = {"email": "senco@oak.example", "password": "correct horse", "name": "Sam Senco", "amr": ["pwd", "mfa"]}
PWD_USER = {"email": "teacher@oak.example", "password": "battery staple", "name": "Tia Teacher", "amr": ["pwd"]}


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    clients = [{"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": [REDIRECT_URI]}]
    with running_provider(
        users=[MFA_USER, PWD_USER], clients=clients, tmp_path=tmp_path_factory.mktemp("oidc")
    ) as running:
        yield running


def _get(url: str, **kwargs: Any) -> requests.Response:
    response = requests.get(url, timeout=HTTP_TIMEOUT, **kwargs)
    response.raise_for_status()
    return response


def _authorize_url(provider: Provider, state: str, nonce: str, **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": "openid email profile",
        "state": state,
        "nonce": nonce,
        **extra,
    }
    authorization_endpoint = _get(provider.discovery_url).json()["authorization_endpoint"]
    return f"{authorization_endpoint}?{urlencode(params)}"


def _sign_in(provider: Provider, user: dict[str, Any], *, basic_auth: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the code flow for ``user``; return (verified id_token claims, userinfo)."""
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    callback = provider.authorize(
        _authorize_url(provider, state, nonce), email=user["email"], password=user["password"]
    )
    assert callback.startswith(REDIRECT_URI + "?")
    query = parse_qs(urlsplit(callback).query)
    assert query["state"] == [state]

    form = {"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT_URI}
    if basic_auth:
        auth: tuple[str, str] | None = (CLIENT_ID, CLIENT_SECRET)
    else:
        auth = None
        form |= {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    token_response = requests.post(provider.token_url, data=form, auth=auth, timeout=HTTP_TIMEOUT)
    assert token_response.status_code == 200, token_response.text
    tokens = token_response.json()

    keys = jwk.JWKSet.from_json(_get(provider.jwks_url).text)
    verified = jwt.JWT(
        jwt=tokens["id_token"],
        key=keys,
        algs=["RS256"],
        check_claims={"iss": provider.issuer, "aud": CLIENT_ID, "exp": None, "nonce": nonce},
    )
    claims = json.loads(verified.claims)
    assert verified.token.jose_header["alg"] == "RS256"
    # at_hash binds the id_token to the access token it came with.
    digest = hashlib.sha256(tokens["access_token"].encode()).digest()
    assert claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()

    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    userinfo = _get(provider.userinfo_url, headers=headers).json()
    return claims, userinfo


def test_discovery_document(provider: Provider) -> None:
    assert provider.issuer.startswith("http://127.0.0.1:") and provider.issuer.endswith("/o")
    document = _get(provider.discovery_url).json()
    assert document["issuer"] == provider.issuer
    assert document["authorization_endpoint"] == f"{provider.issuer}/authorize/"
    assert document["token_endpoint"] == f"{provider.issuer}/token/"
    assert document["userinfo_endpoint"] == f"{provider.issuer}/userinfo/"
    assert document["jwks_uri"] == f"{provider.issuer}/.well-known/jwks.json"
    assert "RS256" in document["id_token_signing_alg_values_supported"]
    assert {"openid", "email", "profile"} <= set(document["scopes_supported"])
    assert {"sub", "email", "email_verified", "name", "amr"} <= set(document["claims_supported"])
    assert [key["kty"] for key in _get(document["jwks_uri"]).json()["keys"]] == ["RSA"]


@pytest.mark.parametrize(("user", "basic_auth"), [(MFA_USER, False), (PWD_USER, True)], ids=["mfa-post", "pwd-basic"])
def test_code_flow_yields_verified_id_token_with_claims(
    provider: Provider, user: dict[str, Any], basic_auth: bool
) -> None:
    claims, userinfo = _sign_in(provider, user, basic_auth=basic_auth)

    for source in (claims, userinfo):
        assert source["email"] == user["email"]
        assert source["email_verified"] is True
        assert source["name"] == user["name"]
        assert source["amr"] == user["amr"]
    assert claims["sub"] == userinfo["sub"]

    again, _ = _sign_in(provider, user, basic_auth=basic_auth)
    assert again["sub"] == claims["sub"]  # stable per user


def test_subjects_differ_between_users(provider: Provider) -> None:
    mfa, _ = _sign_in(provider, MFA_USER, basic_auth=False)
    pwd, _ = _sign_in(provider, PWD_USER, basic_auth=False)
    assert mfa["sub"] != pwd["sub"]


def test_wrong_password_is_refused(provider: Provider) -> None:
    url = _authorize_url(provider, "some-state", "some-nonce")
    with pytest.raises(ProviderError, match="Invalid email or password"):
        provider.authorize(url, email=MFA_USER["email"], password="wrong password")


def test_wrong_client_secret_is_refused(provider: Provider) -> None:
    callback = provider.authorize(
        _authorize_url(provider, "s", "n"), email=PWD_USER["email"], password=PWD_USER["password"]
    )
    code = parse_qs(urlsplit(callback).query)["code"][0]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI}
    response = requests.post(provider.token_url, data=form, auth=(CLIENT_ID, "wrong"), timeout=HTTP_TIMEOUT)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_unknown_redirect_uri_is_refused(provider: Provider) -> None:
    url = _authorize_url(provider, "s", "n", redirect_uri="http://evil.example/cb/")
    with pytest.raises(ProviderError):
        provider.authorize(url, email=PWD_USER["email"], password=PWD_USER["password"])


def test_startup_failure_is_reported(tmp_path: Path) -> None:
    bad_client = [{"client_id": "x", "client_secret": "y"}]  # no redirect_uris
    with pytest.raises(ProviderError, match="before READY"):
        with running_provider(users=[], clients=bad_client, tmp_path=tmp_path):
            pass
