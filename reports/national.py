"""National figures for comparison, kept as data with their period and source (update yearly)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NationalFigure:
    key: str
    label: str
    value: float
    period: str
    source: str


NATIONAL = {
    f.key: f
    for f in [
        NationalFigure(
            "ehc_pct",
            "Pupils with an EHC plan",
            6.0,
            "January 2026",
            "DfE, Special educational needs in England 2025/26",
        ),
        NationalFigure(
            "support_pct",
            "Pupils on SEN support",
            14.8,
            "January 2026",
            "DfE, Special educational needs in England 2025/26",
        ),
        NationalFigure(
            "ehc_20_weeks_pct",
            "New EHC plans issued within 20 weeks (excluding exceptions)",
            46.4,
            "Calendar year 2024",
            "DfE, Education, health and care plans 2025",
        ),
    ]
}
MOST_COMMON_NEED = {"E": "ASD", "K": "SLCN"}  # January 2026, same source
