"""Sign-in events go to the audit trail (the audit service does the writing)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from . import audit


@receiver(user_logged_in)
def audit_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        from django.utils import timezone

        from .middleware import SESSION_SEEN, SESSION_STARTED

        # The absolute session lifetime counts from the moment of signing in.
        now = timezone.now().isoformat()
        request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = now
    if user.trust_id:
        audit.record(actor=user, action=audit.Action.SIGN_IN, obj=user, trust_id=user.trust_id, request=request)


@receiver(user_logged_out)
def audit_sign_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None and user.trust_id:
        audit.record(actor=user, action=audit.Action.SIGN_OUT, obj=user, trust_id=user.trust_id, request=request)
