"""The SEN support plan for parents as a PDF: WeasyPrint from a template with the print stylesheet.

Only what `queries.plan_for_parent` returns reaches the document (items marked for parents, never staff
notes). The URL fetcher serves our own static files and refuses everything else: no network, no file
system outside the static finders.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from pupils.models import Pupil

from .queries import plan_for_parent

STATIC_PREFIX = "/static/"
BASE_URL = "http://pdf.invalid/"
MIME = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


def _fetch_static(url: str) -> Any:
    from weasyprint.urls import URLFetcherResponse

    parsed = urlparse(url)
    path = parsed.path
    if parsed.netloc not in {"", "pdf.invalid"} or not path.startswith(STATIC_PREFIX) or ".." in path:
        raise ValueError(f"Refusing to fetch {url!r} while rendering a PDF")
    found = finders.find(path[len(STATIC_PREFIX) :])
    if not found or isinstance(found, list):
        raise ValueError(f"No static file {path!r}")
    with open(found, "rb") as f:  # noqa: PTH123
        body = f.read()
    mime = next((m for ext, m in MIME.items() if path.endswith(ext)), "application/octet-stream")
    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


def static_only_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return _fetch_static(url)

    return StaticOnly()


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=static_only_fetcher()).write_pdf()


def render_support_plan_pdf(pupil: Pupil) -> bytes:
    """The plan parents are given: the one-page profile, then outcomes, provision and the review date."""
    return render_pdf(
        "graduated/plan_pdf.html",
        {"pupil": pupil, "school": pupil.school, "plan": plan_for_parent(pupil), "printed_on": timezone.localdate()},
    )
