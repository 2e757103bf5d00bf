"""MIS import: pupils and teaching groups from the CSV files SIMS, Arbor and Bromcom export.

Reading a file (decoding, headings, cells) needs no database. `plan_*` compares a file with the
database and writes nothing: the preview page and `--dry-run` show a plan. `import_*` plans again
inside one transaction and writes the good rows in bulk, so a file is never half-imported and a
5,000-row file costs a handful of queries, not one per row. User documentation: docs/imports.md.
"""

from trusts import audit

from .cells import (
    DATE_FORMATS_HINT,
    FALSE_WORDS,
    GENDERS,
    TRUE_WORDS,
    YEARS,
    parse_date,
    parse_flag,
    parse_gender,
    parse_year,
)
from .files import (
    FLAG_FIELDS,
    GROUP_COLUMNS,
    MAX_FILE_BYTES,
    PUPIL_COLUMNS,
    TEXT_LIMITS,
    Column,
    FileProblem,
    Problem,
    Table,
    decode,
    normalise_heading,
    read_table,
)
from .group_import import GROUP_ROLE_OF, GroupPlan, import_groups, plan_group_import
from .leavers import PUPIL_LEFT_HOOKS, confirm_leaver, keep_on_roll, possible_leaver_counts, possible_leavers
from .pupil_import import TEMPORARY_UPN_REGEX, PupilChange, PupilPlan, import_pupils, normalise_upn, plan_pupil_import
from .uploads import UPLOAD_DIR, UPLOAD_LIFETIME, delete_stale_uploads, discard_upload, load_upload, store_upload

__all__ = [
    "Column",
    "DATE_FORMATS_HINT",
    "FALSE_WORDS",
    "FLAG_FIELDS",
    "FileProblem",
    "GENDERS",
    "GROUP_COLUMNS",
    "GROUP_ROLE_OF",
    "GroupPlan",
    "MAX_FILE_BYTES",
    "PUPIL_COLUMNS",
    "PUPIL_LEFT_HOOKS",
    "Problem",
    "PupilChange",
    "PupilPlan",
    "TEMPORARY_UPN_REGEX",
    "TEXT_LIMITS",
    "TRUE_WORDS",
    "Table",
    "UPLOAD_DIR",
    "UPLOAD_LIFETIME",
    "YEARS",
    "audit",
    "confirm_leaver",
    "decode",
    "delete_stale_uploads",
    "discard_upload",
    "import_groups",
    "import_pupils",
    "keep_on_roll",
    "load_upload",
    "normalise_heading",
    "normalise_upn",
    "parse_date",
    "parse_flag",
    "parse_gender",
    "parse_year",
    "plan_group_import",
    "plan_pupil_import",
    "possible_leaver_counts",
    "possible_leavers",
    "read_table",
    "store_upload",
]
