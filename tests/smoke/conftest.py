"""The production smoke test is collected only when `.ci/smoke/run.sh` points it at a running site
(SMOKE_BASE_URL): `make test` never sees it, and the CI stage fails unless it passes."""

from __future__ import annotations

import os
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

collect_ignore_glob = [] if os.environ.get("SMOKE_BASE_URL") else ["test_*.py"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # gunicorn serves TLS with a certificate made for this run alone (.ci/smoke/run.sh).
    return {**browser_context_args, "ignore_https_errors": True}
