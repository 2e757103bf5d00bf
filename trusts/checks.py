"""System checks for rules that must never be switched off quietly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def mfa_is_required_in_production(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if getattr(settings, "PRODUCTION", False) and not settings.MFA_REQUIRED:
        return [
            Error(
                "MFA_REQUIRED is off in production.",
                hint="Staff see children's special-category data: remove MFA_REQUIRED=false from the environment.",
                id="send.E001",
            )
        ]
    return []


@register()
def invitation_kinds_have_hooks(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fails closed: an invitation whose kind nobody handles could never give what it promised."""
    from .invitations import ACCEPT_HOOKS
    from .models import Invitation

    missing = sorted(set(Invitation.Kind.values) - set(ACCEPT_HOOKS))
    return [
        Error(
            f"No app handles accepting '{kind}' invitations.",
            hint="Register it in trusts.invitations.ACCEPT_HOOKS.",
            id="send.E002",
        )
        for kind in missing
    ]


@register()
def required_hooks_are_filled(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Fails closed: a rule whose hook nobody filled would be skipped silently, so refuse to start."""
    from .hooks import DECLARED

    return [
        Error(
            f"{hooks.name} is empty, so this rule would not apply: {hooks.rule}.",
            hint=f"It is filled by {hooks.filled_by} in AppConfig.ready(): is that app in INSTALLED_APPS?",
            id="send.E004",
        )
        for hooks in DECLARED
        if hooks.required and not hooks
    ]
