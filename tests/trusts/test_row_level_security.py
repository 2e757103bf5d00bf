"""Row-level security on PostgreSQL: the second lock between trusts, tested as the application's own
database role (not a superuser, which PostgreSQL never restricts). CI runs this suite on PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django_scopes import scope, scopes_disabled

from tests.factories import pupil_at
from trusts import rls_sql

pytestmark = pytest.mark.django_db
APP_ROLE = "send_rls_test_app"


@pytest.fixture
def as_app_role(demo) -> Iterator[None]:
    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's; CI runs this file on PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
    call_command("grant_app_role", role=APP_ROLE, stdout=open("/dev/null", "w"))  # noqa: SIM115
    pupil_at(demo, demo.acorn)
    pupil_at(demo, demo.willow)
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {APP_ROLE}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _trusts_seen(sql: str = "SELECT DISTINCT trust_id FROM pupils_pupil ORDER BY trust_id") -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def test_every_tenant_table_has_a_policy(demo) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-level security is PostgreSQL's; CI runs this file on PostgreSQL")
    tables = rls_sql.tenant_tables(apps)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE c.relrowsecurity AND p.polname = %s",
            [rls_sql.POLICY],
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert len(tables) > 30
    assert sorted(set(tables) - protected) == []


def test_a_request_that_escapes_django_scopes_still_sees_only_its_trust(demo, as_app_role, settings) -> None:
    settings.ROOT_URLCONF = "tests.rls_urls"
    client = Client()
    client.force_login(demo.user("senco.acorn@oak.test"))
    seen = json.loads(client.get("/__probe__/").content)
    assert seen == {"raw": [demo.oak.pk], "orm": [demo.oak.pk]}
    river = Client()
    river.force_login(demo.user("senco.willow@river.test"))
    assert json.loads(river.get("/__probe__/").content) == {"raw": [demo.river.pk], "orm": [demo.river.pk]}


def test_no_scope_sees_nothing_and_a_scope_sees_its_own(demo, as_app_role) -> None:
    assert _trusts_seen() == []
    with scope(trust=demo.river.pk):
        assert _trusts_seen() == [demo.river.pk]
    with scopes_disabled():  # task loaders and the platform admin
        assert _trusts_seen() == sorted([demo.oak.pk, demo.river.pk])
    assert _trusts_seen() == []


def test_a_row_for_another_trust_cannot_be_written(demo, as_app_role) -> None:
    with scope(trust=demo.oak.pk), pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pupils_pupil SET trust_id = %s WHERE trust_id = %s", [demo.river.pk, demo.oak.pk])


def test_the_app_role_cannot_rewrite_the_audit_trail_or_its_protection(demo, as_app_role) -> None:
    from trusts import audit

    with scope(trust=demo.oak.pk):
        entry = audit.record(actor=None, action="view", obj=demo.acorn)
        for sql in (
            "UPDATE trusts_auditentry SET summary = 'x' WHERE id = %s",
            "DELETE FROM trusts_auditentry WHERE id = %s",
            "TRUNCATE trusts_auditentry",
            "ALTER TABLE trusts_auditentry DISABLE TRIGGER USER",
            "ALTER TABLE pupils_pupil DISABLE ROW LEVEL SECURITY",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [entry.pk] if "%s" in sql else None)


def test_pages_and_sign_in_work_as_the_app_role(demo, as_app_role) -> None:
    client = Client()
    assert (
        client.post("/accounts/login/", {"login": "senco.acorn@oak.test", "password": "send-demo-2026"}).status_code
        == 302
    )
    assert client.get("/register/").status_code == 200
    assert client.get("/").status_code == 200
