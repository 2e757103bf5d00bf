"""The one PDF renderer (trusts.pdf) fetches our own static files and nothing else. In production `{% static %}`
gives the hashed name collectstatic wrote (ManifestStaticFilesStorage), which no finder knows; found by the
production smoke test. What every PDF contains is checked in tests/test_pdf_accessibility.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from trusts.pdf import RefusedFetch, fetch_static


def test_pdf_fetcher_serves_a_hashed_name_from_static_root(settings, tmp_path) -> None:
    settings.STATIC_ROOT = str(tmp_path)
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "print.0123456789ab.css").write_bytes(b"body { color: black }")
    response = fetch_static("http://pdf.invalid/static/css/print.0123456789ab.css")
    assert response.read() == b"body { color: black }"
    assert response.headers.get_content_type() == "text/css"


def test_pdf_fetcher_serves_source_names() -> None:
    assert b"@page" in fetch_static("http://pdf.invalid/static/css/print.css").read()
    assert b"17pt" in fetch_static("http://pdf.invalid/static/css/print-large.css").read()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/static/css/print.css",
        "file:///etc/passwd",
        "http://pdf.invalid/etc/passwd",
        "http://pdf.invalid/static/../config/settings.py",
        "http://pdf.invalid/static/../../config/settings.py",
        "http://pdf.invalid/media/documents/1/secret",
        "http://pdf.invalid/static/css/missing.css",
        "http://pdf.invalid/static/css/missing.0123456789ab.css",
        "http://pdf.invalid/static/js/app.js",
    ],
)
def test_pdf_fetcher_refuses_everything_else(url: str) -> None:
    with pytest.raises(RefusedFetch):
        fetch_static(url)


def test_there_is_one_renderer() -> None:
    """Every PDF goes through trusts.pdf.render_pdf: no other module calls WeasyPrint."""
    root = Path(settings.BASE_DIR)
    callers = [
        p.relative_to(root).as_posix()
        for p in root.glob("*/**/*.py")
        if ".venv" not in p.parts and p.parts[len(root.parts)] != "tests" and "weasyprint" in p.read_text()
    ]
    assert callers == ["trusts/pdf.py"]
