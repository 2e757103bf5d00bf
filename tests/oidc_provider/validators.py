"""OAuth2Validator that adds the per-user claims of the test provider to id_tokens and userinfo."""

from __future__ import annotations

import uuid
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

# email -> {"sub", "name", "amr"}; filled by serve.py from the JSON config before the server starts.
USER_CLAIMS: dict[str, dict[str, Any]] = {}


def default_sub(email: str) -> str:
    """A subject identifier that is stable per user, even across provider restarts."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"oidc-test-provider:{email.lower()}"))


def _profile(request: Any) -> dict[str, Any]:
    email = request.user.email
    return USER_CLAIMS.get(email) or {"sub": default_sub(email), "name": request.user.get_full_name(), "amr": ["pwd"]}


class ProviderValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "amr": "openid",
    }

    # Request-agnostic form (no ``request`` parameter) so discovery lists the claims in ``claims_supported``.
    def get_additional_claims(self) -> dict[str, Any]:  # type: ignore[override]
        return {
            "sub": lambda request: _profile(request)["sub"],
            "email": lambda request: request.user.email,
            "email_verified": lambda request: True,
            "name": lambda request: _profile(request)["name"],
            "amr": lambda request: list(_profile(request)["amr"]),
        }
