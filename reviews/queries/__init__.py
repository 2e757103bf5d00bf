"""Reads of annual reviews: who may see them, the school's list, one review's steps, parents' summaries.

Every function runs a fixed number of queries whatever the number of reviews.
"""

from ._common import Status
from .access import plans_for_review, review_schools, reviews_visible_to
from .counts import annual_review_counts, annual_reviews_not_held
from .links import connect, review_link
from .lists import ACTIVE, DUE_SOON, UNHELD, ReviewList, review_list
from .parents import (
    PLAIN_DECISION,
    NextReview,
    ReviewSummary,
    completed_review_for_parent,
    meetings_for_parent,
    next_review_for_parent,
    review_summaries_for_parent,
)
from .review_page import NextAction, ReviewPage, Step, next_action, review_deadlines, review_page

__all__ = [
    "ACTIVE",
    "DUE_SOON",
    "NextAction",
    "NextReview",
    "PLAIN_DECISION",
    "ReviewList",
    "ReviewPage",
    "ReviewSummary",
    "Status",
    "Step",
    "UNHELD",
    "annual_review_counts",
    "annual_reviews_not_held",
    "connect",
    "meetings_for_parent",
    "next_action",
    "next_review_for_parent",
    "plans_for_review",
    "review_deadlines",
    "review_link",
    "review_list",
    "review_page",
    "review_schools",
    "review_summaries_for_parent",
    "completed_review_for_parent",
    "reviews_visible_to",
]
