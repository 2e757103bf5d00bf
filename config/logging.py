"""Logs and error reports that never carry pupils' data.

What a log line may hold: the request's method, its URL pattern (`pupils/<int:pk>/`, never the raw path or
query string, where a search for a child's name would sit), the view's name, the status, the duration and
the ids of the person and their trust. Never names, UPNs, form data, cookies or headers.

Three guards, so one mistake does not leak:
- `RequestLogMiddleware` writes the one line per request from those fields only;
- `ScrubFilter`, on every handler, blanks values under sensitive keys passed as `extra=` or as
  `%(name)s`-style arguments, cuts query strings out of request lines (runserver's log, Django's own), and
  masks anything shaped like a UPN;
- error reports (Sentry, only when SENTRY_DSN is set) go out without request bodies, cookies, headers,
  query strings, local variables or personal data (`before_send`).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse

SCRUBBED = "[scrubbed]"

# Keys whose values are never logged, matched case-insensitively against parts of a key ("first_name",
# "pupilName", "HTTP_COOKIE" all match).
SENSITIVE_PARTS = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "cookie",
    "session",
    "csrf",
    "api_key",
    "apikey",
    "dsn",
    "name",
    "upn",
    "email",
    "address",
    "phone",
    "birth",
    "dob",
    "query",
    "body",
    "post",
    "data",
    "form",
    "return_value",  # what a Celery task returned: it may carry what the task worked on
)
# Record attributes the logging module itself sets (never scrubbed: "name" is the logger's name).
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
# Request-log fields that are known safe although they match a part above.
SAFE_KEYS = frozenset({"route", "view", "method", "status", "duration_ms", "user_id", "trust_id"})

# A unique pupil number: a check letter, 11 digits, and a final digit or letter (DfE UPN format).
UPN = re.compile(r"\b[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]\b")
# A request path followed by a query string, as in "GET /pupils/?q=Amelia HTTP/1.1".
QUERY_STRING = re.compile(r"(/[^\s?\"']*)\?[^\s\"']*")


def is_sensitive(key: str) -> bool:
    lowered = key.lower()
    return lowered not in SAFE_KEYS and any(part in lowered for part in SENSITIVE_PARTS)


# An email address anywhere in free text (a parent's, a member of staff's).
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def scrub_text(text: str) -> str:
    """Mask UPNs and email addresses, and cut query strings, from free text (a message or an argument)."""
    return EMAIL.sub(SCRUBBED, UPN.sub(SCRUBBED, QUERY_STRING.sub(rf"\1?{SCRUBBED}", text)))


def scrub_value(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if depth > 4:
        return value
    if isinstance(value, Mapping):
        return {k: SCRUBBED if is_sensitive(str(k)) else scrub_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub_value(v, depth + 1) for v in value)
    return value


class ScrubFilter(logging.Filter):
    """Blank sensitive extras and arguments, strip query strings and UPNs (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key in list(vars(record)):
            if key in _RECORD_FIELDS or key.startswith("_"):
                continue
            setattr(record, key, SCRUBBED if is_sensitive(key) else scrub_value(getattr(record, key)))
        if isinstance(record.msg, str):
            record.msg = scrub_text(record.msg)
        if isinstance(record.args, Mapping):
            task = record.args.get("name") if record.name.startswith("celery.") else None
            record.args = scrub_value(record.args)
            if isinstance(task, str) and isinstance(record.args, dict):
                # Celery's "Task <name>[<id>] succeeded" names the task (code, not data): keep it readable.
                record.args["name"] = task
        elif isinstance(record.args, tuple):
            record.args = tuple(scrub_value(a) for a in record.args)
        # Django's request logger attaches the request object itself; it never reaches a formatter.
        if "request" in vars(record):
            delattr(record, "request")
        return True


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: one console handler, plain text or one JSON object a line (LOG_FORMAT=json)."""
    if log_format not in {"plain", "json"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {log_format!r}")
    level = level.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {level!r}")
    formatters: dict[str, Any] = {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s%(request_fields)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"scrub": {"()": ScrubFilter}, "request_fields": {"()": RequestFieldsFilter}},
        "formatters": {"main": formatters[log_format]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "main",
                "filters": ["scrub", "request_fields"] if log_format == "plain" else ["scrub"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own request logging repeats ours (with the raw path); keep its errors only.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }


class RequestFieldsFilter(logging.Filter):
    """For the plain format: append the request log's fields as key=value (JSON carries them itself)."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = [f"{key}={getattr(record, key)}" for key in REQUEST_FIELDS if hasattr(record, key)]
        record.request_fields = (" " + " ".join(fields)) if fields else ""
        return True


REQUEST_FIELDS = ("method", "route", "view", "status", "duration_ms", "user_id", "trust_id")
request_logger = logging.getLogger("send.request")


class RequestLogMiddleware:
    """One log line per request, from safe fields only (first in MIDDLEWARE, so it times everything).

    /healthz and static files are logged at DEBUG: a healthcheck every few seconds would drown the rest.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.monotonic()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        authenticated = bool(user is not None and user.is_authenticated)
        fields = {
            "method": request.method,
            "route": ("/" + match.route) if match is not None and match.route else "<unmatched>",
            "view": match.view_name if match is not None else "",
            "status": response.status_code,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "user_id": getattr(user, "pk", None) if authenticated else None,
            "trust_id": getattr(user, "trust_id", None) if authenticated else None,
        }
        quiet = request.path == "/healthz" or request.path.startswith("/static/")
        request_logger.log(logging.DEBUG if quiet else logging.INFO, "request", extra=fields)
        return response


# ---------------------------------------------------------------- error reporting (optional)
def before_send(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """Strip what could identify a child from an error report before it leaves the server."""
    request = event.get("request")
    if isinstance(request, dict):
        url = request.get("url")
        event["request"] = {
            "method": request.get("method"),
            "url": url.split("?", 1)[0] if isinstance(url, str) else None,
        }
    if isinstance(event.get("user"), dict):
        event["user"] = {"id": event["user"].get("id")}
    for key in ("extra", "contexts", "tags"):
        if isinstance(event.get(key), dict):
            event[key] = scrub_value(event[key])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        event["logentry"] = {"message": scrub_text(str(logentry.get("message", ""))), "params": []}
    if isinstance(event.get("message"), str):
        event["message"] = scrub_text(event["message"])
    for exception in (event.get("exception") or {}).get("values") or []:
        if isinstance(exception.get("value"), str):
            exception["value"] = scrub_text(exception["value"])
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    values = breadcrumbs.get("values") if isinstance(breadcrumbs, dict) else breadcrumbs
    for crumb in values or []:
        crumb.pop("data", None)
        if isinstance(crumb.get("message"), str):
            crumb["message"] = scrub_text(crumb["message"])
    return event


def sentry_options(*, dsn: str, environment: str, release: str) -> dict[str, Any]:
    return {
        "dsn": dsn,
        "environment": environment,
        "release": release or None,
        "send_default_pii": False,
        "include_local_variables": False,
        "max_request_body_size": "never",
        "before_send": before_send,
        "traces_sample_rate": 0.0,
    }


def init_error_reporting(*, dsn: str, environment: str, release: str) -> None:
    """Start Sentry (only called when SENTRY_DSN is set; sentry-sdk is the optional `sentry` extra)."""
    try:
        import sentry_sdk
    except ImportError as exc:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'send-casework[sentry]'"
        ) from exc
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        integrations=[DjangoIntegration(), CeleryIntegration()],
        **sentry_options(dsn=dsn, environment=environment, release=release),
    )
