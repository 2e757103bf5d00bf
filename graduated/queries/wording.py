"""The wording of a support plan's outcomes, read against the Code of Practice (trusts.plan_wording)."""

from __future__ import annotations

from trusts.plan_wording import Finding, check_outcome

from ..models import Outcome

# A support plan's outcome takes its timescale from the cycle's review date, so that rule has nothing to say.
SKIPPED_RULES = ("outcome-no-timescale",)


def outcome_findings(outcome: Outcome) -> list[Finding]:
    """What to look at again in one outcome: its words, target and measure read together (no queries)."""
    text = ". ".join(part.strip().rstrip(".") for part in (outcome.description, outcome.target, outcome.measured_by))
    return check_outcome(text, skip=SKIPPED_RULES)
