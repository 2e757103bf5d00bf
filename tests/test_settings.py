"""Production mode refuses to start without its settings and passes Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-for-the-test-only",
    "DATABASE_URL": "postgres://send:send@127.0.0.1:5432/send",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "send.example.org",
    "EMAIL_URL": "smtp+tls://user:pass@smtp.example.org:587",
}


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if k not in PRODUCTION and k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


def test_production_passes_check_deploy() -> None:
    result = run_manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS", "EMAIL_URL"])
def test_production_requires_each_setting(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage(env, "check")
    assert result.returncode != 0
    assert missing in result.stderr


def test_yes_ish_debug_is_refused() -> None:
    result = run_manage({"DEBUG": "yes"}, "check")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_seed_demo_refuses_when_debug_is_off() -> None:
    result = run_manage({**PRODUCTION, "DEBUG": "false"}, "seed_demo")
    assert result.returncode != 0
    assert "refuses to run when DEBUG is off" in result.stderr
