"""The one PDF renderer: every document the product makes (support plan, annual review report, evidence pack,
SEN information report, board report) goes through `render_pdf`.

Why one: each PDF must be accessible the same way (PDF/UA-1: tagged structure, document title shown in the
viewer's title bar, language, figures with alternative text, fonts embedded), must fetch nothing but our own
static files, and must offer the same large-print style. Three copies drifted apart before (only one knew
collectstatic's hashed names), so the rules now live here, in the bottom layer every app may import.

The URL fetcher serves /static/ files from disk and refuses everything else: no network, no media, no walking
the file system. In production `{% static %}` gives the hashed name ManifestStaticFilesStorage wrote, which no
finder knows, so STATIC_ROOT is read too.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string

BASE_URL = "http://pdf.invalid/"
STATIC_PREFIX = "/static/"
TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
# PDF/UA-1 (ISO 14289-1) on PDF 1.7: WeasyPrint tags the structure tree (headings, lists, tables with TH,
# figures with /Alt), writes /MarkInfo /Marked true, /Lang from <html lang>, DisplayDocTitle, and embeds fonts.
PDF_VARIANT = "pdf/ua-1"
LARGE_PRINT_STYLESHEET = "css/print-large.css"


class RefusedFetch(ValueError):
    """A PDF template asked for something other than one of our static files."""


class InaccessiblePdf(ValueError):
    """WeasyPrint reported that the document breaks PDF/UA (an image without alt text, no lang...)."""


def _static_path(url: str) -> tuple[str, str]:
    parsed = urlparse(url)
    path = parsed.path
    if (
        parsed.scheme not in {"http", "https"}
        or f"{parsed.scheme}://{parsed.netloc}/" != BASE_URL
        or not path.startswith(STATIC_PREFIX)
        or ".." in path
    ):
        raise RefusedFetch(f"Refusing to fetch {url!r} while rendering a PDF")
    suffix = path[path.rfind(".") :]
    if suffix not in TYPES:
        raise RefusedFetch(f"Refusing {path!r}: not a stylesheet or image")
    name = path[len(STATIC_PREFIX) :]
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    if not found and staticfiles_storage.exists(name):
        found = staticfiles_storage.path(name)
    if not found:
        raise RefusedFetch(f"No static file {path!r}")
    return str(found), TYPES[suffix]


def fetch_static(url: str) -> Any:
    """Serve one of our /static/ files (source or hashed name) as a WeasyPrint response; refuse every other URL."""
    from weasyprint.urls import URLFetcherResponse

    found, mime = _static_path(url)
    with open(found, "rb") as f:  # noqa: PTH123
        body = f.read()
    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


def static_only_fetcher() -> Any:
    from weasyprint.urls import URLFetcher

    class StaticOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            return fetch_static(url)

    return StaticOnly()


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def render_pdf(*, template: str, context: dict[str, Any], title: str, large_print: bool = False) -> bytes:
    """Render `template` with `context` to PDF/UA-1 bytes titled `title` (the viewer shows it, not the file
    name). `large_print` adds the large-print stylesheet (17pt body, black on white) after the print one, so the
    same template serves both. The template must set `<html lang>` and give every image alt text: WeasyPrint
    logs those as errors and we refuse the document (InaccessiblePdf) rather than hand out an untagged one."""
    from weasyprint import CSS, HTML
    from weasyprint.logger import LOGGER

    html = render_to_string(template, {**context, "document_title": title, "large_print": large_print})
    fetcher = static_only_fetcher()
    stylesheets = []
    if large_print:
        stylesheets.append(CSS(url=f"{BASE_URL}static/{LARGE_PRINT_STYLESHEET}", url_fetcher=fetcher))
    errors = _Errors()
    LOGGER.addHandler(errors)
    try:
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
            stylesheets=stylesheets, pdf_variant=PDF_VARIANT
        )
        document.metadata.title = title
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT)
    finally:
        LOGGER.removeHandler(errors)
    problems = [m for m in errors.messages if "alt description" in m or '"lang"' in m]
    if problems:
        raise InaccessiblePdf(f"{template}: " + "; ".join(problems))
    assert pdf is not None
    return bytes(pdf)
