"""Every URL of the product × every role × own school / other school of the trust / other trust.

Each project URL pattern must have a case here: a new view without one fails
`test_every_url_pattern_has_a_case`. Other trust is always 404.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import permission_cases
from tests.permission_cases.base import ROLES, Case

pytestmark = pytest.mark.django_db

SKIPPED_NAMESPACES = {"admin"}


def _load_cases() -> tuple[list[Case], dict[str, str]]:
    """Every module in tests/permission_cases/ contributes CASES (and COVERED_ELSEWHERE)."""
    cases: list[Case] = []
    elsewhere: dict[str, str] = {}
    for info in pkgutil.iter_modules(permission_cases.__path__):
        if info.name == "base":
            continue
        module = importlib.import_module(f"tests.permission_cases.{info.name}")
        cases += getattr(module, "CASES", [])
        elsewhere |= getattr(module, "COVERED_ELSEWHERE", {})
    return cases, elsewhere


CASES, COVERED_ELSEWHERE = _load_cases()


def _project_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIPPED_NAMESPACES or p.app_name in SKIPPED_NAMESPACES:
                    continue
                if p.namespace is None and p.urlconf_module and "allauth" in str(p.urlconf_name):
                    continue
                walk(p.url_patterns, p.namespace or namespace)
            elif isinstance(p, URLPattern) and p.name and namespace:
                names.add(f"{namespace}:{p.name}")

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_pattern_has_a_case() -> None:
    covered = {c.name for c in CASES} | set(COVERED_ELSEWHERE)
    assert _project_url_names() - covered == set()


def _status(client: Any, case: Case, kwargs: dict[str, Any]) -> int:
    url = reverse(case.name, kwargs=kwargs or None)
    return getattr(client, case.method)(url).status_code


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_roles_by_place(demo, case: Case) -> None:
    results = {}
    for email in ROLES:
        client = demo.client_for(email)
        places = {"own": demo.acorn}
        if case.kwargs is not None:
            places |= {"other": demo.beech, "foreign": demo.willow}
        for place, school in places.items():
            kwargs = case.kwargs(demo, school) if case.kwargs else {}
            status = _status(client, case, kwargs)
            allowed = {"own": case.own, "other": case.other_school, "foreign": set()}[place]
            expected = "ok" if email in allowed else "404"
            actual = "ok" if status in case.ok else ("404" if status == 404 else str(status))
            results[(email, place)] = (expected, actual)
    wrong = {k: v for k, v in results.items() if v[0] != v[1]}
    assert wrong == {}


@pytest.mark.parametrize("case", [c for c in CASES if c.kwargs and not c.public], ids=lambda c: c.name)
def test_other_trust_sees_nothing(demo, case: Case) -> None:
    """River's inclusion lead (every casework right, in their own trust) gets 404 on Oak's objects."""
    assert case.kwargs is not None
    client = demo.client_for("lead@river.test")
    for school in (demo.acorn, demo.beech):
        assert _status(client, case, case.kwargs(demo, school)) == 404


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_anonymous_is_sent_to_sign_in(client, demo, case: Case) -> None:
    if case.name == "trusts:privacy":
        assert _status(client, case, {}) == 200
        return
    if case.public:  # the same answers as anyone signed in, another trust's people included
        assert case.kwargs is not None
        river = demo.client_for("lead@river.test")
        for school, allowed in ((demo.acorn, case.own), (demo.beech, case.other_school)):
            expected = 200 if allowed else 404
            assert (_status(client, case, case.kwargs(demo, school)), school.name) == (expected, school.name)
            assert _status(river, case, case.kwargs(demo, school)) == expected
        return
    kwargs = case.kwargs(demo, demo.acorn) if case.kwargs else {}
    response = getattr(client, case.method)(reverse(case.name, kwargs=kwargs or None))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
