"""Tenancy guards: scoped managers everywhere, no query outside a scope, no cross-trust reads."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.apps import apps
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from trusts.models import AuditEntry, Membership, School, User

ROOT = pathlib.Path(__file__).resolve().parents[2]
PROJECT_APPS = {"trusts", "pupils", "register", "graduated", "ehcp", "reviews", "reports"}
# The user row must be found at sign-in before any trust is known; it holds no casework.
UNSCOPED_BY_DESIGN = {User}


def test_every_tenant_model_has_a_scoped_manager() -> None:
    missing = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model in UNSCOPED_BY_DESIGN:
            continue
        field_names = {f.name for f in model._meta.get_fields()}
        if "trust" in field_names and "Scoped" not in type(model._default_manager).__qualname__ + str(
            type(model._default_manager).__mro__
        ):
            missing.append(model._meta.label)
    assert missing == []


def test_every_casework_model_carries_a_trust() -> None:
    without_trust = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS
        and m._meta.label not in {"trusts.Trust", "trusts.User"}
        and "trust" not in {f.name for f in m._meta.get_fields()}
        and not m._meta.auto_created
        and not m.__name__.endswith(("UserObjectPermission", "GroupObjectPermission"))
    ]
    assert without_trust == []


@pytest.mark.django_db
def test_query_outside_a_scope_raises(demo) -> None:
    with pytest.raises(ScopeError):
        list(School.objects.all())


@pytest.mark.django_db
def test_scope_shows_only_own_trust(demo) -> None:
    with scope(trust=demo.river.pk):
        names = set(School.objects.values_list("name", flat=True))
        memberships = Membership.objects.count()
    assert names == {"Willow Primary"}
    assert memberships == 4


def test_scopes_disabled_only_where_allowed() -> None:
    # demo.py modules are the seeders that only seed_demo / seed_scale (management commands) call.
    # trusts/sso.py and trusts/invitations.py read their own rows before anyone is signed in (like User):
    # the single sign-on configuration found by provider or domain, an invitation found by its token;
    # trusts/public.py finds the trust of a public page's school by its URN.
    allowed = re.compile(
        r"(tasks\.py|/migrations/|admin\.py|/management/commands/|middleware\.py|/tests/|conftest|/demo\.py"
        r"|^/trusts/sso\.py$|^/trusts/invitations\.py$|^/trusts/public\.py$)"
    )
    offenders = []
    for path in ROOT.glob("**/*.py"):
        rel = str(path.relative_to(ROOT))
        if rel.startswith((".venv", "bench/")) or allowed.search("/" + rel):
            continue
        if "scopes_disabled(" in path.read_text():
            offenders.append(rel)
    assert offenders == []


def test_audit_entries_cannot_be_changed_or_removed(oak_scope) -> None:
    from trusts import audit

    entry = audit.record(actor=oak_scope.user("senco.acorn@oak.test"), action="view", obj=oak_scope.acorn)
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="edited")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == ""


def test_audit_trigger_refuses_raw_update(oak_scope) -> None:
    """PostgreSQL and SQLite both refuse it (triggers); see tests/trusts/test_audit_chain.py for the rest."""
    from django.db import DatabaseError, connection, transaction

    from trusts import audit

    entry = audit.record(actor=None, action="view", obj=oak_scope.acorn)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE trusts_auditentry SET summary = 'x' WHERE id = %s", [entry.pk])
