"""Rendering templates to PDF with WeasyPrint; only our own static files may be fetched."""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string

STATIC_PREFIX = "/static/"


def _static_response(url: str) -> Any:
    from urllib.parse import urlparse

    from weasyprint.urls import URLFetcherResponse

    path = urlparse(url).path
    if not path.startswith(STATIC_PREFIX) or ".." in path:
        raise ValueError(f"Refusing to fetch {url!r} while rendering a PDF")
    name = path[len(STATIC_PREFIX) :]
    found = finders.find(name)
    if not found and staticfiles_storage.exists(name):
        # Production: `{% static %}` gives the hashed name collectstatic wrote, which no finder knows.
        found = staticfiles_storage.path(name)
    if not found:
        raise ValueError(f"No static file {path!r}")
    with open(found, "rb") as f:  # noqa: PTH123
        data = f.read()
    mime = (
        "text/css"
        if path.endswith(".css")
        else "image/svg+xml"
        if path.endswith(".svg")
        else "application/octet-stream"
    )
    return URLFetcherResponse(url, body=data, headers={"Content-Type": mime})


def static_only_fetcher() -> Any:
    """A WeasyPrint fetcher that serves /static/ files from disk and refuses every other URL
    (no network, no walking the file system)."""
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return _static_response(url)

    return StaticOnly()


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url="http://pdf.invalid/", url_fetcher=static_only_fetcher()).write_pdf()
