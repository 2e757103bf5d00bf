"""Playwright on Debian's Chromium (/usr/bin/chromium): never a downloaded browser."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    if os.path.exists(CHROMIUM) or os.environ.get("CI") == "true":
        return  # in CI a missing Chromium must fail loudly, not skip
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def axe_clean() -> Iterator[Any]:
    """Call with a page: fails on any serious or critical axe violation, naming each one."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page: Any) -> None:
        results = axe.run(page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v.get("impact") in {"serious", "critical"}
        ]
        assert bad == [], f"accessibility problems on {page.url}: {bad}"

    yield check


@pytest.fixture
def live_demo(transactional_db: Any, live_server: Any) -> Any:
    """The demo tenancy in a database the live server can see."""
    from django_scopes import scopes_disabled

    from tests.conftest import Demo
    from trusts.demo import seed_tenancy

    with scopes_disabled():
        demo = Demo(seed_tenancy())
    demo.url = live_server.url
    return demo


def sign_in(page: Any, base_url: str, email: str, password: str = "send-demo-2026") -> None:
    page.set_default_timeout(8000)
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Sign in").click()


def open_section(page: Any, section: str, page_name: str | None = None) -> None:
    """Open a section of the menu (on a phone, behind "Menu" first), then one of its pages if named."""
    menu = page.get_by_role("button", name="Menu")
    if menu.count() and menu.first.is_visible():  # the menu folds behind a button on a narrow screen
        menu.first.click()
    navigate(page, page.get_by_role("navigation", name="Main").get_by_role("link", name=section, exact=True))
    if page_name is not None:
        pages = page.get_by_role("navigation", name=f"{section} pages")
        navigate(page, pages.get_by_role("link", name=page_name, exact=True))


def navigate(page: Any, locator: Any) -> None:
    """Click something that loads a new page, and return only once that page has loaded: a check made
    straight after a bare click can run on the page that is still being left."""
    with page.expect_navigation(wait_until="load"):
        locator.click()
