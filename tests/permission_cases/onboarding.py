"""Permission cases for the platform operator's onboarding page: no role of any trust reaches it (404).
Operators themselves are tested in tests/trusts/test_onboarding.py (they need the second factor)."""

from __future__ import annotations

from .base import Case

CASES = [
    Case("trusts:platform_onboard", own=set()),
    Case("trusts:platform_onboard", own=set(), method="post"),
]
