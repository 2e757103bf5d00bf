"""Demo data for the graduated approach: a provision catalogue and staff rates per school, cycles for most
pupils on SEN support (some reviewed, some due, some overdue), sessions logged and meetings with parents.

`seed_graduated(objects)` runs with the tenant scope disabled, after the register's demo (seed_demo) and is
idempotent: a school that already has a catalogue is left alone. `seed_scale(context)` is the bulk version
for the benchmark trust.
"""

from .content import (
    BY_AREA,
    CATALOGUE,
    HEAVY,
    IMPORTANT,
    LIKED,
    OUTCOMES,
    RATES,
    STAGES,
    STRATEGIES,
    SUPPORT,
    DemoProvision,
)
from .parent_views import seed_parent_views
from .scale import seed_scale
from .schools import seed_catalogue, seed_graduated, seed_school

__all__ = [
    "BY_AREA",
    "CATALOGUE",
    "DemoProvision",
    "HEAVY",
    "IMPORTANT",
    "LIKED",
    "OUTCOMES",
    "RATES",
    "STAGES",
    "STRATEGIES",
    "SUPPORT",
    "seed_catalogue",
    "seed_graduated",
    "seed_parent_views",
    "seed_scale",
    "seed_school",
]
