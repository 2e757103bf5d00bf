"""The pupil's health in other apps' pages, each include fetching its own part (so the record, the passport,
the EHC plan page and the parent portal each need one `{% include %}` line, and never restate who may see it).

``{% load health %}{% health_card pupil as card %}``: the emergency summary for staff who may see it (None for
anyone else). ``{% family_health_plan pupil as plan %}``: the current plan for the child's parent. Both reads
are audited (special-category data): the tag is the only place the page reads it.
"""

from __future__ import annotations

from typing import Any

from django import template

from trusts import audit

from ..health import current_plan, emergency_card, is_parent_of
from ..models import HealthCarePlan, Pupil

register = template.Library()


def _user(context: template.Context) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


@register.simple_tag(takes_context=True)
def health_card(context: template.Context, pupil: Pupil) -> dict[str, Any] | None:
    user = _user(context)
    return emergency_card(user=user, pupil=pupil) if user is not None else None


@register.simple_tag(takes_context=True)
def family_health_plan(context: template.Context, pupil: Pupil) -> HealthCarePlan | None:
    user = _user(context)
    if user is None or not is_parent_of(user, pupil):
        return None
    plan = current_plan(pupil)
    if plan is not None:
        audit.record(
            actor=user,
            action=audit.Action.VIEW,
            obj=plan,
            pupil_id=pupil.pk,
            summary=f"Health care plan version {plan.version} (parent portal)",
        )
    return plan
