"""Each role's home page. It lives at the top (`reports`) because it reads every app below directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from pupils.grants import has_casework_grants
from trusts.http import AuthedRequest
from trusts.models import Role
from trusts.permissions import home_role

from ..home import casework_home, governor_home, parent_home, teacher_home, trustee_home

# role -> (template, what the page shows)
HOMES: dict[str, tuple[str, Callable[[AuthedRequest], dict[str, Any]]]] = {
    Role.INCLUSION_LEAD: ("reports/home/inclusion_lead.html", casework_home),
    Role.TRUSTEE: ("reports/home/trustee.html", trustee_home),
    Role.HEADTEACHER: ("reports/home/headteacher.html", casework_home),
    Role.SENCO: ("reports/home/senco.html", casework_home),
    Role.TEACHER: ("reports/home/teacher.html", teacher_home),
    Role.TEACHING_ASSISTANT: ("reports/home/teacher.html", teacher_home),
    Role.GOVERNOR: ("reports/home/governor.html", governor_home),
    Role.PARENT: ("reports/home/parent.html", parent_home),
}


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    role = home_role(request.user)
    if role is None:
        # No role, but one or more pupils shared with them (external professionals, cover staff).
        if has_casework_grants(request.user):
            return redirect("pupils:shared_with_me")
        return render(request, "reports/home/no_role.html")
    template, build = HOMES[role]
    return render(request, template, {"role": role, **build(request)})
