"""Logs never carry pupils' data: the real LOGGING setting (plain and JSON) on a real request."""

from __future__ import annotations

import json
import logging
import logging.config
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, resolve, reverse

from config.logging import SCRUBBED, before_send, logging_config, sentry_options
from tests.factories import pupil_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def configured(capsys) -> Iterator[Any]:
    """Apply a LOGGING built like the setting (its handler writes to pytest's captured stderr)."""

    def apply(log_format: str) -> None:
        logging.config.dictConfig(logging_config(log_format=log_format, level="INFO"))

    yield apply
    logging.config.dictConfig(settings.LOGGING)


def pupil_record_url(pk: int) -> str:
    """The pupil's record page (moving from the register app to pupils; either name will do)."""
    for name in ("pupils:record", "register:pupil_record"):
        try:
            return reverse(name, kwargs={"pk": pk})
        except NoReverseMatch:
            continue
    raise AssertionError("no pupil record page")


def lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


def test_a_pupil_page_with_a_name_in_the_query_string_logs_the_route_not_the_name(demo, configured, capsys):
    pupil = pupil_at(demo, demo.acorn, legal_forename="Philippa", legal_surname="Quennell")
    configured("json")
    client = demo.client_for("senco.acorn@oak.test")
    url = pupil_record_url(pupil.pk)
    response = client.get(f"{url}?q=Philippa+Quennell&upn={pupil.upn}")
    assert response.status_code == 200
    match = resolve(url)
    output = lines(capsys)
    records = [json.loads(line) for line in output]
    request_lines = [r for r in records if r.get("logger") == "send.request"]
    assert len(request_lines) == 1
    entry = request_lines[0]
    senco = demo.user("senco.acorn@oak.test")
    assert entry["method"] == "GET"
    assert entry["route"] == "/" + match.route and "<int:pk>" in entry["route"]
    assert entry["view"] == match.view_name
    assert entry["status"] == 200
    assert entry["user_id"] == senco.pk
    assert entry["trust_id"] == demo.oak.pk
    assert entry["duration_ms"] >= 0
    everything = "\n".join(output)
    for secret in ("Philippa", "Quennell", pupil.upn, url):
        assert secret not in everything


def test_plain_format_carries_the_same_fields_and_no_form_data(demo, configured, capsys):
    pupil = pupil_at(demo, demo.acorn, legal_forename="Tobiah")
    configured("plain")
    client = demo.client_for("senco.acorn@oak.test")
    client.post(f"/register/pupil/{pupil.pk}/status/", {"note": "Tobiah struggles with reading", "status": "x"})
    output = "\n".join(lines(capsys))
    assert "route=/register/pupil/<int:pk>/status/" in output
    assert "method=POST" in output
    assert "Tobiah" not in output


def test_an_unmatched_path_is_not_logged_as_typed(demo, configured, capsys):
    configured("json")
    demo.client_for("senco.acorn@oak.test").get("/pupils/Philippa-Quennell/?name=Philippa")
    output = "\n".join(lines(capsys))
    assert '"route": "<unmatched>"' in output
    assert "Philippa" not in output


def test_the_filter_scrubs_sensitive_extras_arguments_upns_and_query_strings(configured, capsys):
    configured("json")
    log = logging.getLogger("tests.logging")
    log.warning("Imported %s", "A123456789012", extra={"pupil_name": "Philippa", "password": "hunter2", "rows": 3})
    log.warning('"GET /register/?q=Philippa HTTP/1.1" 200')
    log.warning("Parent %(email)s", {"email": "parent@example.org"})
    records = [json.loads(line) for line in lines(capsys)]
    assert records[0]["message"] == f"Imported {SCRUBBED}"
    assert records[0]["pupil_name"] == SCRUBBED
    assert records[0]["password"] == SCRUBBED
    assert records[0]["rows"] == 3
    assert "Philippa" not in records[1]["message"] and "/register/?" in records[1]["message"]
    assert records[2]["message"] == f"Parent {SCRUBBED}"


def test_log_format_and_level_are_checked():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be plain or json"):
        logging_config(log_format="xml", level="INFO")
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL must be"):
        logging_config(log_format="json", level="loud")


def test_error_reports_leave_without_bodies_cookies_query_strings_locals_or_personal_data():
    event = {
        "request": {
            "method": "POST",
            "url": "https://send.example.org/register/?q=Philippa",
            "query_string": "q=Philippa",
            "data": {"legal_surname": "Quennell"},
            "cookies": {"sessionid": "abc"},
            "headers": {"Cookie": "sessionid=abc"},
        },
        "user": {"id": 7, "email": "senco@example.org", "username": "senco"},
        "extra": {"pupil_name": "Philippa", "count": 2},
        "logentry": {"message": "Duplicate UPN %s", "params": ["A123456789012"]},
        "exception": {
            "values": [
                {
                    "value": "Key (upn)=(A123456789012) already exists",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"pupil": "Philippa Quennell"}}]},
                }
            ]
        },
        "breadcrumbs": {"values": [{"category": "query", "message": "SELECT 1", "data": {"params": ["x"]}}]},
    }
    cleaned = before_send(event, {})
    text = json.dumps(cleaned)
    for leaked in ("Philippa", "Quennell", "sessionid", "senco@example.org", "A123456789012", '"params": ["x"]'):
        assert leaked not in text
    assert cleaned["request"] == {"method": "POST", "url": "https://send.example.org/register/"}
    assert cleaned["user"] == {"id": 7}
    assert cleaned["extra"]["count"] == 2


def test_sentry_is_set_up_without_personal_data():
    options = sentry_options(dsn="https://key@sentry.example/1", environment="production", release="")
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert options["before_send"] is before_send
    assert options["release"] is None


def test_sentry_is_off_without_a_dsn():
    assert settings.SENTRY_DSN == ""
    sentry_sdk = pytest.importorskip("sentry_sdk")
    assert not sentry_sdk.get_client().is_active()


def test_production_reads_the_operations_settings_from_the_environment() -> None:
    """LOG_FORMAT, LOG_LEVEL and SECRET_KEY_FALLBACKS reach the settings of a real production start."""
    from tests.test_settings import PRODUCTION, run_manage

    env = {**PRODUCTION, "LOG_FORMAT": "json", "LOG_LEVEL": "debug", "SECRET_KEY_FALLBACKS": "old-one,older-one"}
    code = (
        "from django.conf import settings; import logging; "
        "print(settings.SECRET_KEY_FALLBACKS, logging.getLogger().level == logging.DEBUG, settings.SENTRY_DSN == '')"
    )
    result = run_manage(env, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['old-one', 'older-one'] True True"
    result = run_manage({**env, "LOG_FORMAT": "xml"}, "check")
    assert result.returncode != 0 and "LOG_FORMAT must be plain or json" in result.stderr


def test_celery_task_lines_keep_the_task_name_but_not_what_it_returned(configured, capsys):
    """Operators must see which task ran ("Task ehcp.tasks.sweep[…] succeeded"); its result may hold data."""
    configured("json")
    log = logging.getLogger("celery.app.trace")
    log.info(
        "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return_value)s",
        {"name": "trusts.tasks.deliver_email", "id": "abc", "runtime": 0.1, "return_value": "parent@example.org"},
    )
    (record,) = [json.loads(line) for line in lines(capsys)]
    assert "trusts.tasks.deliver_email[abc]" in record["message"]
    assert "parent@example.org" not in record["message"]
