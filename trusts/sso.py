"""Single sign-on with a trust's own identity provider (OpenID Connect: Microsoft Entra ID, Google
Workspace or any standard provider), through allauth's `openid_connect` provider.

The rules, all enforced in `SocialAccountAdapter.pre_social_login` before anyone is signed in:
- the address the identity provider vouches for must be in one of the trust's allowed domains;
- it must belong to an active account of *that* trust (or to a pending staff invitation of that trust,
  which the sign-in then accepts): nobody signs themselves up, and another trust's account is refused
  the same way as an unknown address, so the answer says nothing about other trusts;
- every refusal is written to the trust's access log.
The identity provider's MFA counts for this session only when the trust said so and the ID token's
`amr` claim (RFC 8176) names a second factor.

Sign-in happens before any trust is known, so the configuration is read here with the tenant scope
disabled, as `User` is; nothing else of a trust is read before sign-in.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import render
from django_scopes import scopes_disabled

from . import audit
from .http import client_ip
from .models import SingleSignOn, User

logger = logging.getLogger(__name__)

PROVIDER = "openid_connect"
# RFC 8176 authentication method references that mean a second factor was used.
MFA_AMR_VALUES = frozenset({"mfa", "otp", "hwk", "swk", "sms", "tel", "fpt", "face", "iris", "retina", "vbm", "sc"})
ENV_PREFIX = "env:"


# ------------------------------------------------------------------------------------------- secrets


def _fernet() -> Any:
    from cryptography.fernet import Fernet

    material = (settings.SSO_SECRET_KEY or settings.SECRET_KEY).encode()
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"send-casework-sso:" + material).digest()))


def encrypt_secret(secret: str) -> str:
    return str(_fernet().encrypt(secret.encode()).decode())


def client_secret(config: SingleSignOn) -> str:
    """The secret to send to the identity provider: from the named environment variable, else decrypted."""
    if config.client_secret_env:
        return os.environ.get(config.client_secret_env, "")
    if not config.client_secret_encrypted:
        return ""
    from cryptography.fernet import InvalidToken

    try:
        return str(_fernet().decrypt(config.client_secret_encrypted.encode()).decode())
    except InvalidToken:
        logger.error("The client secret of single sign-on %s cannot be decrypted", config.provider_id)
        return ""


# ------------------------------------------------------------------------------------------- lookups


def _enabled() -> QuerySet[SingleSignOn]:
    return SingleSignOn.objects.filter(enabled=True, trust__isnull=False).select_related("trust")


def config_for_provider(provider_id: str) -> SingleSignOn | None:
    with scopes_disabled():
        return _enabled().filter(provider_id=provider_id).first()


def domain_of(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""


def config_for_email(email: str) -> SingleSignOn | None:
    """The single sign-on whose allowed domains include this address's domain (one query)."""
    domain = domain_of(email)
    if not domain:
        return None
    with scopes_disabled():
        for config in _enabled().filter(allowed_domains__icontains=domain):
            if domain in config.domains:
                return config
    return None


def social_app(config: SingleSignOn) -> Any:
    from allauth.socialaccount.models import SocialApp

    return SocialApp(
        provider=PROVIDER,
        provider_id=config.provider_id,
        name=config.trust.name,
        client_id=config.client_id,
        secret=client_secret(config),
        settings={"server_url": config.issuer.rstrip("/"), "token_auth_method": "client_secret_post"},
    )


# ------------------------------------------------------------------------------------------- the adapter


def _claims(sociallogin: Any) -> dict[str, Any]:
    extra = sociallogin.account.extra_data or {}
    merged: dict[str, Any] = {}
    for part in ("id_token", "userinfo"):
        if isinstance(extra.get(part), dict):
            merged.update(extra[part])
    return merged or dict(extra)


def _refuse(request: HttpRequest, config: SingleSignOn, *, email: str, reason: str, user: User | None = None) -> None:
    audit.record(
        actor=None,
        action=audit.Action.SIGN_IN_FAILED,
        obj=user,
        trust_id=config.trust_id,
        request=request,
        summary=f"Single sign-on refused for {email or 'an address the provider did not give'}: {reason}",
    )
    logger.info("Single sign-on refused (%s) from %s", reason, client_ip(request))
    raise ImmediateHttpResponse(
        render(request, "account/sso_refused.html", {"trust_name": config.trust.name}, status=403)
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request: HttpRequest, provider: Any = None, client_id: Any = None) -> list[Any]:
        with scopes_disabled():
            configs = _enabled()
            if provider and provider != PROVIDER:
                configs = configs.filter(provider_id=provider)
            if client_id:
                configs = configs.filter(client_id=client_id)
            return [social_app(c) for c in configs]

    def is_open_for_signup(self, request: HttpRequest, sociallogin: Any) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        from .invitations import accept_staff_invitation_by_sso

        config = config_for_provider(sociallogin.account.provider)
        if config is None:
            raise ImmediateHttpResponse(render(request, "account/sso_refused.html", {}, status=403))
        claims = _claims(sociallogin)
        email = str(claims.get("email") or claims.get("preferred_username") or claims.get("upn") or "").strip()
        email = email.lower()
        if not email or domain_of(email) not in config.domains:
            _refuse(request, config, email=email, reason="the address is not in the trust's allowed domains")
        user = User.objects.filter(email__iexact=email).first()
        if user is None or user.trust_id != config.trust_id:
            user = None if user is not None else accept_staff_invitation_by_sso(trust=config.trust, email=email)
        if user is None:
            _refuse(request, config, email=email, reason="no account of the trust has this address")
            return
        if not user.is_active:
            _refuse(request, config, email=email, reason="the account is switched off", user=user)
        if sociallogin.is_existing and sociallogin.user.pk != user.pk:
            _refuse(request, config, email=email, reason="the identity is linked to another account", user=user)
        if request.user.is_authenticated and request.user.pk != user.pk:
            _refuse(request, config, email=email, reason="signed in as someone else", user=request.user)
        # The trust's identity provider vouches for an address in the trust's own domain: it is verified.
        from allauth.account.models import EmailAddress

        EmailAddress.objects.update_or_create(
            user=user, email__iexact=email, defaults={"email": email, "verified": True, "primary": True}
        )
        if not sociallogin.is_existing:
            sociallogin.connect(request, user)


def note_identity_provider_mfa(request: HttpRequest, user: User, sociallogin: Any) -> None:
    """After an SSO sign-in: the session counts as having passed MFA if the trust accepts its identity
    provider's MFA and the ID token says a second factor was used."""
    from .mfa import SSO_MFA_SESSION_KEY

    config = config_for_provider(sociallogin.account.provider)
    if config is None or not config.idp_mfa_counts:
        return
    amr = _claims(sociallogin).get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    if MFA_AMR_VALUES.intersection(str(v).lower() for v in amr):
        request.session[SSO_MFA_SESSION_KEY] = str(user.pk)


# ------------------------------------------------------------------------------------------- configuring


DEFAULT_ISSUERS = {
    SingleSignOn.Kind.MICROSOFT: "https://login.microsoftonline.com/YOUR-TENANT-ID/v2.0",
    SingleSignOn.Kind.GOOGLE: "https://accounts.google.com",
}


def provider_id_for(trust_id: int) -> str:
    return f"trust-{trust_id}"


def callback_url(provider_id: str) -> str:
    from django.urls import reverse

    path = reverse("openid_connect_callback", kwargs={"provider_id": provider_id})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _clean_domains(raw: str) -> list[str]:
    import re

    domains = [d.strip().lower().lstrip("@") for d in re.split(r"[\s,;]+", raw or "") if d.strip()]
    bad = [d for d in domains if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", d)]
    if bad:
        raise ValidationError(
            {"allowed_domains": [f"“{bad[0]}” is not a domain. Write domains like oakschools.org.uk, comma-separated."]}
        )
    if not domains:
        raise ValidationError({"allowed_domains": ["Enter at least one email domain, like oakschools.org.uk."]})
    return list(dict.fromkeys(domains))


@transaction.atomic
def configure_single_sign_on(
    *,
    actor: User,
    kind: str,
    issuer: str,
    client_id: str,
    client_secret: str,
    client_secret_env: str,
    allowed_domains: str,
    idp_mfa_counts: bool,
    enabled: bool,
) -> SingleSignOn:
    """Create or change the trust's single sign-on. A blank secret keeps the stored one. Audited (never the
    secret). Raises ValidationError keyed by field, every problem at once."""
    from .permissions import can

    if not can(actor, "sso.manage"):
        raise ValidationError("You cannot change single sign-on.")
    trust_id = int(actor.trust_id or 0)
    existing = SingleSignOn.objects.filter(trust_id=trust_id).first()
    errors: dict[str, list[str]] = {}
    issuer = (issuer or "").strip().rstrip("/")
    loopback = issuer.startswith(("http://127.0.0.1", "http://localhost"))
    if not issuer.startswith("https://") and not (loopback and settings.DEBUG):
        errors["issuer"] = ["The issuer must be an https:// address, as your identity provider shows it."]
    elif "YOUR-TENANT-ID" in issuer:
        errors["issuer"] = [
            "Replace YOUR-TENANT-ID with your Microsoft Entra tenant ID (Entra admin centre → Overview)."
        ]
    client_id = (client_id or "").strip()
    if not client_id:
        errors["client_id"] = ["Enter the client ID (application ID) your identity provider gave you."]
    client_secret_env = (client_secret_env or "").strip()
    if client_secret_env and not client_secret_env.replace("_", "").isalnum():
        errors["client_secret_env"] = ["An environment variable name has only letters, digits and underscores."]
    if not client_secret and not client_secret_env and not (existing and existing.client_secret_encrypted):
        errors["client_secret"] = ["Enter the client secret, or the name of the environment variable that holds it."]
    try:
        domains = _clean_domains(allowed_domains)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        domains = []
    if domains:
        with scopes_disabled():
            others = SingleSignOn.objects.exclude(trust_id=trust_id).values_list("allowed_domains", flat=True)
            taken = {d for raw in others for d in raw.split(",") if d.strip()}
        clash = [d for d in domains if d in {t.strip() for t in taken}]
        if clash:
            errors["allowed_domains"] = [
                f"{clash[0]} is already used for single sign-on on this platform. Ask the platform operator."
            ]
    if errors:
        raise ValidationError(errors)
    config = existing or SingleSignOn(trust_id=trust_id, provider_id=provider_id_for(trust_id))
    config.kind = kind
    config.issuer = issuer
    config.client_id = client_id
    config.client_secret_env = client_secret_env
    if client_secret:
        config.client_secret_encrypted = encrypt_secret(client_secret)
    if client_secret_env:
        config.client_secret_encrypted = ""
    config.allowed_domains = ", ".join(domains)
    config.idp_mfa_counts = idp_mfa_counts
    config.enabled = enabled
    config.save()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGE if existing else audit.Action.CREATE,
        obj=config,
        summary=(
            f"Single sign-on {'on' if enabled else 'off'}: {config.get_kind_display()}, "
            f"domains {config.allowed_domains}, "
            f"provider's MFA {'counts' if idp_mfa_counts else 'does not count'}"
            + (", secret changed" if client_secret or client_secret_env else "")
        ),
    )
    return config
