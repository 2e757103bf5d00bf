"""Where a person acts on an annual-review deadline, registered with ehcp's deadline links."""

from __future__ import annotations

from django.urls import reverse

from ehcp.models import Deadline

from ..models import SUBJECT_TYPE


def review_link(deadline: Deadline) -> str:
    """Where a person acts on an annual-review deadline: the review's page (ehcp's SUBJECT_LINKS)."""
    return reverse("reviews:detail", kwargs={"pk": deadline.subject_id})


def connect() -> None:
    """Register the review pages with ehcp's deadline links. Call from AppConfig.ready()."""
    from ehcp.deadlines import SUBJECT_LINKS

    SUBJECT_LINKS[SUBJECT_TYPE] = review_link
