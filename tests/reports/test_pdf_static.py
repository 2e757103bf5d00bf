"""PDFs fetch their stylesheet in production too: there `{% static %}` gives the hashed name collectstatic
wrote (ManifestStaticFilesStorage), which no finder knows; found by the production smoke test."""

from __future__ import annotations

import pytest

from reports.pdf import _static_response


def test_pdf_fetcher_serves_a_hashed_name_from_static_root(settings, tmp_path) -> None:
    settings.STATIC_ROOT = str(tmp_path)
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "print.0123456789ab.css").write_bytes(b"body { color: black }")
    response = _static_response("http://pdf.invalid/static/css/print.0123456789ab.css")
    assert response.read() == b"body { color: black }"
    assert response.headers.get_content_type() == "text/css"


def test_pdf_fetcher_still_serves_source_names_and_refuses_the_rest(settings, tmp_path) -> None:
    settings.STATIC_ROOT = str(tmp_path)
    assert b"@page" in _static_response("http://pdf.invalid/static/css/print.css").read()
    for url in ("http://pdf.invalid/static/../config/settings.py", "http://example.org/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            _static_response(url)
    with pytest.raises(ValueError):
        _static_response("http://pdf.invalid/static/css/missing.0123456789ab.css")
