"""The permission map in templates: ``{% load permissions %}{% can "register.change" pupil as allowed %}``.

The same `trusts.permissions.can` that views and services ask, for the signed-in person of the request,
so a template never restates who may do what.
"""

from __future__ import annotations

from typing import Any

from django import template

from trusts.permissions import can as can_do

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, target: Any = None) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and can_do(user, action, target))
