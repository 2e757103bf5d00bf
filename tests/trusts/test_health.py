"""/healthz: no sign-in, no data, one query; a real Redis up, and real failures on a closed loopback port."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from ehcp.tasks import sweep_deadlines
from trusts.health import LAST_SWEEP_KEY, record_sweep

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(
    not REDIS_URL and os.environ.get("CI") != "true",
    reason="set REDIS_URL=redis://127.0.0.1:6379/0 to check /healthz against a real Redis",
)


def closed_port() -> int:
    """A loopback port nothing listens on: connecting is refused at once (a real failure, not a mock)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_cache(url: str) -> dict[str, Any]:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-health-{os.getpid()}",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def get_health(client: Client | None = None) -> Any:
    return (client or Client()).get("/healthz")


def test_healthz_needs_no_sign_in_and_is_ok_with_the_embedded_services(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):  # SELECT 1, whatever the data
        response = get_health()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok", "last_sweep_age_seconds": None},
    }


def test_healthz_shows_no_data_to_a_signed_in_person_either(demo) -> None:
    response = get_health(demo.client_for("senco.acorn@oak.test"))
    assert response.status_code == 200
    assert set(response.json()) == {"status", "checks"}
    assert "Oak" not in response.content.decode()


def test_healthz_query_count_does_not_grow_with_the_data(demo, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        get_health()


def test_healthz_answers_get_and_head_only_and_needs_no_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@needs_redis
def test_healthz_with_a_real_redis_broker_and_cache(settings) -> None:
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    settings.CACHES = redis_cache(REDIS_URL)
    body = get_health().json()
    assert body["status"] == "ok"
    assert body["checks"]["broker"] == "ok"
    assert body["checks"]["cache"] == "ok"


def test_a_broker_that_refuses_connections_degrades_but_keeps_the_instance_in_service(settings) -> None:
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    started = time.monotonic()
    response = get_health()
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["broker"] == "error"
    assert body["checks"]["database"] == "ok"
    assert "127.0.0.1" not in response.content.decode()  # the reason goes to the log, not the answer


def test_a_cache_that_refuses_connections_degrades(settings) -> None:
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}/0")
    body = get_health().json()
    assert body["status"] == "degraded"
    assert body["checks"]["cache"] == "error"
    assert body["checks"]["last_sweep_age_seconds"] is None


@pytest.mark.django_db(transaction=True)
def test_a_database_that_does_not_answer_is_down_with_503(settings) -> None:
    from django.db import connection

    port = closed_port()
    original = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = f"/nonexistent-{port}/no.sqlite3"
    else:
        connection.settings_dict["PORT"] = port
        connection.settings_dict["HOST"] = "127.0.0.1"
    try:
        response = get_health()
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["checks"]["database"] == "error"


def test_the_sweep_records_when_it_last_ran_and_healthz_reports_its_age(demo) -> None:
    assert cache.get(LAST_SWEEP_KEY) is None
    sweep_deadlines()
    age = get_health().json()["checks"]["last_sweep_age_seconds"]
    assert age is not None and 0 <= age < 60


def test_a_stale_sweep_degrades(settings) -> None:
    settings.HEALTH_SWEEP_MAX_AGE_SECONDS = 600
    record_sweep(at=time.time() - 3600)
    body = get_health().json()
    assert body["status"] == "degraded"
    assert body["checks"]["last_sweep_age_seconds"] >= 3600


@needs_redis
def test_the_sweep_age_is_shared_through_redis(settings) -> None:
    """The worker writes, the web reads: only a shared cache (Redis in production) carries it across."""
    settings.CACHES = redis_cache(REDIS_URL)
    cache.delete(LAST_SWEEP_KEY)
    record_sweep(at=time.time() - 30)
    age = get_health().json()["checks"]["last_sweep_age_seconds"]
    cache.delete(LAST_SWEEP_KEY)
    assert 30 <= age < 90
