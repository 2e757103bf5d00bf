"""The annual review report as a PDF: WeasyPrint from a template with the print stylesheet.

The only URLs the renderer may fetch are our own static files (the stylesheet), read from disk: no network,
no other file. Callers audit the download (`services.record_pdf_download`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from .models import AnnualReview
from .queries import review_page

BASE_URL = "http://pdf.invalid/"
STATIC_PREFIX = "/static/"
TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}


class RefusedFetch(ValueError):
    """A PDF template asked for something other than one of our static files."""


def fetch_static(url: str) -> dict[str, Any]:
    """Serve /static/ files from disk (through the static finders); refuse every other URL."""
    parsed = urlparse(url)
    path = parsed.path
    if (
        parsed.scheme not in {"http", "https"}
        or f"{parsed.scheme}://{parsed.netloc}/" != BASE_URL
        or not path.startswith(STATIC_PREFIX)
        or ".." in path
    ):
        raise RefusedFetch(f"Refusing to fetch {url!r} while rendering a PDF")
    found = finders.find(path[len(STATIC_PREFIX) :])
    if not found or isinstance(found, list):
        raise RefusedFetch(f"No static file {path!r}")
    suffix = path[path.rfind(".") :]
    if suffix not in TYPES:
        raise RefusedFetch(f"Refusing {path!r}: not a stylesheet or image")
    with open(found, "rb") as f:  # noqa: PTH123
        data = f.read()
    return {"string": data, "mime_type": TYPES[suffix], "redirected_url": url}


def _fetcher() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            found = fetch_static(url)
            return URLFetcherResponse(url, body=found["string"], headers={"Content-Type": found["mime_type"]})

    return StaticOnly()


def review_pdf_html(review: AnnualReview) -> str:
    page = review_page(review)
    return render_to_string(
        "reviews/report_pdf.html",
        {"page": page, "review": review, "pupil": review.pupil, "printed_on": timezone.localdate()},
    )


def render_review_pdf(review: AnnualReview) -> bytes:
    """The annual review report of `review` as PDF bytes (A4, print stylesheet, static files only)."""
    from weasyprint import HTML

    html = review_pdf_html(review)
    pdf = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).write_pdf()
    assert pdf is not None
    return bytes(pdf)
