"""Shared fixtures: two trusts with staff of every role (the demo tenancy), scoped helpers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


def _flush_despite_the_audit_triggers() -> None:
    """A transactional test's teardown empties every table; the audit triggers refuse that (see
    tests/audit_triggers.py), so they are off for the teardown alone."""
    from django.test import testcases

    original = testcases.TransactionTestCase._fixture_teardown
    if getattr(original, "_audit_aware", False):
        return

    def teardown(self: Any) -> None:
        from tests.audit_triggers import audit_triggers_off

        with audit_triggers_off():
            original(self)

    teardown._audit_aware = True  # type: ignore[attr-defined]
    testcases.TransactionTestCase._fixture_teardown = teardown  # type: ignore[method-assign]


_flush_despite_the_audit_triggers()


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MFA_REQUIRED = False
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _reads_from_the_primary(request: Any, settings: Any) -> None:
    """With a read replica configured (CI passes DATABASE_REPLICA_URL), every test reads from the primary but
    those marked `replica` (tests/integration/test_read_replica.py): a replica replays the primary's commits
    a little later, so other tests' reads would race their own writes."""
    if request.node.get_closest_marker("replica") is None:
        settings.DATABASE_REPLICA_READS = False


class Demo:
    """The demo tenancy: trusts and schools by key, users by email."""

    def __init__(self, objects: dict[str, Any]) -> None:
        self.trusts = objects["trusts"]
        self.schools = objects["schools"]
        self.users = objects["users"]
        self.oak = self.trusts["Oak Learning Trust"]
        self.river = self.trusts["River Schools Trust"]
        self.acorn = self.schools["acorn"]
        self.beech = self.schools["beech"]
        self.willow = self.schools["willow"]

    def user(self, email: str) -> Any:
        return self.users[email]

    def client_for(self, email: str) -> Client:
        client = Client()
        client.force_login(self.users[email])
        return client


@pytest.fixture
def demo(db: Any) -> Demo:
    from trusts.demo import seed_tenancy

    with scopes_disabled():
        return Demo(seed_tenancy())


@pytest.fixture
def oak_scope(demo: Demo) -> Iterator[Demo]:
    with scope(trust=demo.oak.pk):
        yield demo


@pytest.fixture
def river_scope(demo: Demo) -> Iterator[Demo]:
    with scope(trust=demo.river.pk):
        yield demo
