"""One convention for pages and addresses in every app: views in <app>/views/ (or one views.py), URL patterns
only in <app>/urls.py, and no module past about 500 lines."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("trusts", "pupils", "register", "graduated", "ehcp", "reviews", "reports")
LIMIT = 520  # "about 500": a module this long is split by concept


def _sources():
    for app in (*APPS, "config", "tests", "bench"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_views_live_in_views_and_patterns_in_urls() -> None:
    stray = [str(p.relative_to(ROOT)) for app in APPS for p in (ROOT / app).glob("*_views.py")]
    assert stray == [], f"move these into <app>/views/: {stray}"
    patterns = [
        str(p.relative_to(ROOT))
        for app in APPS
        for p in (ROOT / app).rglob("*.py")
        if p.name != "urls.py" and "urlpatterns" in p.read_text(encoding="utf-8")
    ]
    assert patterns == [], f"URL patterns belong in the app's urls.py: {patterns}"


def test_no_module_outside_migrations_passes_the_limit() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in _sources()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert long == {}, f"split these by concept (over {LIMIT} lines): {long}"
