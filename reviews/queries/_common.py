"""The review status used by every read of annual reviews."""

from __future__ import annotations

from ..models import AnnualReview

Status = AnnualReview.Status
