"""Reading one cell of an MIS file: dates, yes/no flags, gender and year group, in the spellings MIS exports use."""

from __future__ import annotations

import re
from datetime import date

DATE_FORMATS_HINT = "write dates as DD/MM/YYYY (14/03/2017) or YYYY-MM-DD (2017-03-14)"
TRUE_WORDS = {"y", "yes", "true", "1"}
FALSE_WORDS = {"", "n", "no", "false", "0"}
GENDERS = {"f": "F", "female": "F", "m": "M", "male": "M"}
# Keys are normalised (lower case, no spaces): "Year 4" -> "year4".
YEARS: dict[str, str] = {"r": "R", "yr": "R", "yearr": "R", "rec": "R", "reception": "R"}
for _n in (1, 2):
    YEARS.update({f"n{_n}": f"N{_n}", f"nursery{_n}": f"N{_n}", f"yearn{_n}": f"N{_n}"})
for _y in range(1, 15):
    YEARS.update({str(_y): str(_y), f"0{_y}": str(_y), f"y{_y}": str(_y), f"year{_y}": str(_y)})


def parse_date(text: str) -> date:
    """A date written DD/MM/YYYY (also with - or .) or YYYY-MM-DD; a midnight time after it is ignored."""
    value = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?", value)
    dmy = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?", value)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    elif dmy:
        day, month, year = (int(g) for g in dmy.groups())
    elif re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", value):
        raise ValueError(f"'{value}' has a two-digit year: write the year in full, for example 14/03/2017.")
    else:
        raise ValueError(f"'{value}' is not a date: {DATE_FORMATS_HINT}.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{value}' is not a real date: check the day and the month.") from None


def parse_flag(text: str) -> bool:
    word = text.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"'{text.strip()}' is not yes or no: use Y or N (Yes, No, True, False, 1 or 0 also work).")


def parse_gender(text: str) -> str:
    code = GENDERS.get(text.strip().casefold())
    if code is None:
        raise ValueError(f"'{text.strip()}' is not a gender code: use F or M (or Female, Male).")
    return code


def parse_year(text: str) -> str:
    code = YEARS.get(re.sub(r"\s+", "", text.casefold()))
    if code is None:
        raise ValueError(
            f"'{text.strip()}' is not a year group: use N1, N2, R (Reception) or 1 to 14 (for example Year 4)."
        )
    return code
