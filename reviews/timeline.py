"""Annual review meetings and the LA's decisions on the pupil record's timeline (pupils.timeline)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import F, QuerySet
from django.urls import reverse

from pupils.models import Pupil
from pupils.timeline import Row, TimelineEvent, event_rows
from trusts.models import User
from trusts.permissions import can

from .models import AnnualReview, Recommendation


def sources(user: User, pupil: Pupil) -> Iterable[QuerySet[Any]]:
    """Casework staff only, as for every annual review page."""
    if not can(user, "review.change", pupil):
        return []
    reviews = AnnualReview.objects.filter(pupil=pupil)
    return [
        event_rows(reviews, kind="review_held", day="held_on", note=F("recommendation")),
        event_rows(reviews, kind="review_la_decision", day="la_decision_on", note=F("la_decision")),
    ]


def _words(value: str) -> str:
    label = str(Recommendation(value).label) if value in Recommendation.values else "no recommendation recorded"
    return label[0].lower() + label[1:]


def _held(row: Row) -> TimelineEvent:
    url = reverse("reviews:detail", kwargs={"pk": row["ref"]})
    return TimelineEvent(row["day"], f"Annual review meeting held. Recommended: {_words(row['note'])}.", url)


def _decision(row: Row) -> TimelineEvent:
    url = reverse("reviews:detail", kwargs={"pk": row["ref"]})
    return TimelineEvent(row["day"], f"The LA's decision after the annual review: {_words(row['note'])}.", url)


TEXTS = {"review_held": _held, "review_la_decision": _decision}
