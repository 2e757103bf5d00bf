"""The annual review report as a PDF, through the one renderer (trusts.pdf: PDF/UA, static files only).

Callers audit the download (`services.record_pdf_download`).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from trusts.pdf import render_pdf

from .models import AnnualReview
from .queries import review_page

REPORT_TEMPLATE = "reviews/report_pdf.html"


def _context(review: AnnualReview) -> dict[str, Any]:
    return {"page": review_page(review), "review": review, "pupil": review.pupil, "printed_on": timezone.localdate()}


def review_pdf_title(review: AnnualReview) -> str:
    return f"Annual review report – {review.pupil.display_name}"


def review_pdf_html(review: AnnualReview) -> str:
    """The report's HTML as the renderer receives it (for tests of what it contains)."""
    return render_to_string(REPORT_TEMPLATE, {**_context(review), "document_title": review_pdf_title(review)})


def render_review_pdf(review: AnnualReview, *, large_print: bool = False) -> bytes:
    """The annual review report of `review` as PDF bytes; `large_print` for a parent who asked for it."""
    return render_pdf(
        template=REPORT_TEMPLATE, context=_context(review), title=review_pdf_title(review), large_print=large_print
    )
