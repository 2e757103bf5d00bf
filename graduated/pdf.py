"""The SEN support plan for parents as a PDF, through the one renderer (trusts.pdf: PDF/UA, static files only).

Only what `queries.plan_for_parent` returns reaches the document (items marked for parents, never staff
notes).
"""

from __future__ import annotations

from django.utils import timezone

from pupils.models import Pupil
from trusts.pdf import render_pdf

from .queries import plan_for_parent

PLAN_TEMPLATE = "graduated/plan_pdf.html"


def render_support_plan_pdf(pupil: Pupil, *, large_print: bool = False) -> bytes:
    """The plan parents are given: the one-page profile, then outcomes, provision and the review date;
    `large_print` for a parent who asked for it (pupils.Contact.large_print)."""
    return render_pdf(
        template=PLAN_TEMPLATE,
        context={
            "pupil": pupil,
            "school": pupil.school,
            "plan": plan_for_parent(pupil),
            "printed_on": timezone.localdate(),
        },
        title=f"SEN support plan – {pupil.display_name}",
        large_print=large_print,
    )
