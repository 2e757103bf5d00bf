"""`/healthz`: is this instance able to serve, for load balancers and docker-compose healthchecks.

No sign-in and no data: the answer says only which dependency fails, never why in detail (an error text
could carry a host name or a credential); the reason goes to the log. It costs one database query (`SELECT
1`), one cache write and read, and one broker connection, each bounded by HEALTH_CHECK_TIMEOUT seconds, so
polling it every few seconds is safe. Nothing per client is stored, so it needs no rate limit of its own.

Status:
- "down" (503) when the database does not answer: nothing can be served, take this instance out.
- "degraded" (200) when the cache or the broker fails, the last deadline sweep is older than
  HEALTH_SWEEP_MAX_AGE_SECONDS, or (with DATABASE_REPLICA_URL, while its reads are on) the read replica
  does not answer, is not a standby, or is more than HEALTH_REPLICA_MAX_LAG_SECONDS behind: pages still
  work (emails and reminders wait in the database and catch up; DATABASE_REPLICA_READS=false moves the
  replica's reads to the primary), so a Redis blip must not make a load balancer take every web instance
  out at once. Alert on it.
- "ok" (200) otherwise.

The time of the last sweep is kept in the cache (`record_sweep`, called by the last trust's task of each
fanned-out `ehcp.tasks.sweep_deadlines`),
not in a table: it is a hint for operators, not data, and a table would be one more thing to secure. With
the default per-process cache (no CACHE_URL) the web process cannot see the worker's entry, so the age is
null ("unknown"), which does not degrade the status; production uses Redis (CACHE_URL) and sees it.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from .replica import replica_configured

logger = logging.getLogger(__name__)

LAST_SWEEP_KEY = "health:last-deadline-sweep"
OK, ERROR = "ok", "error"


def record_sweep(*, at: float | None = None) -> None:
    """Note that the deadline sweep just finished (a Unix time). A cache failure is logged, never raised:
    the sweep's work is committed and must not be reported as failed because of its health note."""
    try:
        cache.set(LAST_SWEEP_KEY, time.time() if at is None else at, timeout=None)
    except Exception:  # noqa: BLE001 - any cache error; /healthz reports the cache itself
        logger.warning("Could not record the time of the deadline sweep in the cache", exc_info=True)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any driver error means "down"
        logger.error("Health check: the database does not answer", exc_info=True)
        return ERROR
    return OK


def check_replica() -> tuple[str, float | None]:
    """The read replica (trusts.replica): answers, is a standby, and how many seconds its replay is behind
    what it has received from the primary (0 when it has applied everything; an idle primary is no lag)."""
    try:
        with connections["replica"].cursor() as cursor:
            cursor.execute(
                "SELECT pg_is_in_recovery(), CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
            )
            standby, lag = cursor.fetchone()
    except Exception:  # noqa: BLE001
        logger.warning("Health check: the read replica does not answer", exc_info=True)
        return ERROR, None
    if not standby:
        logger.error("Health check: DATABASE_REPLICA_URL is not a standby (promoted?)")
        return ERROR, None
    return OK, round(float(lag), 3)


def check_cache() -> str:
    token = uuid.uuid4().hex
    try:
        cache.set("health:probe", token, timeout=60)
        if cache.get("health:probe") != token:
            raise RuntimeError("the cache did not return what was just written")
    except Exception:  # noqa: BLE001
        logger.warning("Health check: the cache fails", exc_info=True)
        return ERROR
    return OK


def check_broker() -> str:
    """Open a connection to the Celery broker (for Redis: connect and PING) within the timeout."""
    from kombu import Connection

    timeout = settings.HEALTH_CHECK_TIMEOUT
    options: dict[str, Any] = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    options.update(socket_timeout=timeout, socket_connect_timeout=timeout)
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            conn.default_channel  # noqa: B018 - the Redis transport PINGs the server when opening a channel
    except Exception:  # noqa: BLE001
        logger.warning("Health check: the Celery broker does not answer", exc_info=True)
        return ERROR
    return OK


def last_sweep_age_seconds() -> int | None:
    try:
        at = cache.get(LAST_SWEEP_KEY)
    except Exception:  # noqa: BLE001 - reported by check_cache
        return None
    if at is None:
        return None
    return max(0, int(time.time() - float(at)))


def report() -> tuple[int, dict[str, Any]]:
    """The HTTP status and the body of /healthz (see the module docstring for what each status means)."""
    checks: dict[str, Any] = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    age = last_sweep_age_seconds() if checks["cache"] == OK else None
    checks["last_sweep_age_seconds"] = age
    replica_behind = False
    if replica_configured():
        checks["replica"], checks["replica_lag_seconds"] = check_replica()
        lag = checks["replica_lag_seconds"]
        replica_behind = checks["replica"] != OK or (lag is not None and lag > settings.HEALTH_REPLICA_MAX_LAG_SECONDS)
    if checks["database"] != OK:
        return 503, {"status": "down", "checks": checks}
    stale = age is not None and age > settings.HEALTH_SWEEP_MAX_AGE_SECONDS
    if checks["cache"] != OK or checks["broker"] != OK or stale or replica_behind:
        return 200, {"status": "degraded", "checks": checks}
    return 200, {"status": "ok", "checks": checks}


@csrf_exempt
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    status, body = report()
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response
