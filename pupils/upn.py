"""Unique pupil numbers (UPNs): validation, check letters and generation.

A UPN has 13 characters: a check letter, a 3-digit LA code, a 4-digit establishment number,
a 2-digit year of allocation and a 3-digit serial. A temporary UPN ends in a letter instead of
the last digit (2 digits + letter). Source: DfE "Unique pupil numbers (UPNs)" guidance; see
domain.md, "Identifiers".

Check letter (DfE): number the 13 characters 1..13 and sum ``position x value`` over positions
2..13, where a digit's value is the digit and a final letter's value is its index in
``CHECK_LETTERS``; the check letter is ``CHECK_LETTERS[sum mod 23]``. With this literal reading
(weights 2..13, no other adjustment) all four worked examples in domain.md hold:
B801200005001 and R674123101121 valid, X00180001701A valid temporary, Q207000016049 invalid
(the check letter should be P).

Pure Python, no Django imports, so forms, importers and demo data can all use it.
"""

from __future__ import annotations

# I, O and S are never used: they are too easily misread as 1, 0 and 5.
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
UPN_LENGTH = 13
_BODY_LENGTH = UPN_LENGTH - 1


class InvalidUPN(ValueError):
    """The value is not a valid UPN; the message says what is wrong in plain English."""


def _char_value(char: str, position: int, shown: str) -> int:
    """The value of the character at 1-based ``position`` (2..13); ``shown`` names the UPN in errors."""
    if char.isascii() and char.isdigit():
        return int(char)
    if position == UPN_LENGTH:
        if char in CHECK_LETTERS:
            return CHECK_LETTERS.index(char)
        raise InvalidUPN(
            f"{shown} ends with '{char}'. The last character must be a digit, "
            "or for a temporary UPN a letter other than I, O or S."
        )
    raise InvalidUPN(f"{shown} has '{char}' as character {position}. Characters 2 to 12 must all be digits (0 to 9).")


def _check_letter(body: str, shown: str) -> str:
    if len(body) != _BODY_LENGTH:
        raise InvalidUPN(f"A UPN without its check letter has 12 characters, but {shown} has {len(body)}.")
    total = sum(position * _char_value(char, position, shown) for position, char in enumerate(body, start=2))
    return CHECK_LETTERS[total % len(CHECK_LETTERS)]


def check_letter(body12: str) -> str:
    """Return the check letter for the 12 characters that follow it in a UPN.

    Raises InvalidUPN if ``body12`` is not 11 digits followed by a digit or a letter.
    """
    body = body12.strip().upper()
    return _check_letter(body, f"The UPN ending {body}" if body else "an empty value")


def validate_upn(value: str) -> str:
    """Return the UPN stripped and in upper case, or raise InvalidUPN saying what is wrong."""
    upn = value.strip().upper()
    if not upn:
        raise InvalidUPN("Enter a UPN. It has 13 characters, for example B801200005001.")
    if len(upn) != UPN_LENGTH:
        raise InvalidUPN(
            f"UPN {upn} has {len(upn)} characters but should have 13: a check letter, then 12 digits "
            "(a temporary UPN ends in a letter). Check for missing or extra characters or spaces."
        )
    first = upn[0]
    if first not in CHECK_LETTERS:
        if first in "IOS":
            reason = f"UPN {upn} starts with {first}, which is never used as a check letter."
        else:
            reason = f"UPN {upn} starts with '{first}' but should start with a check letter."
        raise InvalidUPN(f"{reason} Check the first character against the pupil's records.")
    expected = _check_letter(upn[1:], f"UPN {upn}")
    if first != expected:
        raise InvalidUPN(
            f"UPN {upn} has check letter {first} but should start with {expected}. "
            "One of the characters is probably mistyped: check it against the pupil's records."
        )
    return upn


def is_valid_upn(value: str) -> bool:
    """Whether ``value`` is a valid UPN (after stripping spaces around it and upper-casing)."""
    try:
        validate_upn(value)
    except InvalidUPN:
        return False
    return True


def is_temporary(upn: str) -> bool:
    """Whether a UPN is temporary: its last character is a letter rather than a digit."""
    return upn.strip()[-1:].isalpha()


def _check_range(name: str, number: int, digits: int) -> None:
    if not 0 <= number < 10**digits:
        raise ValueError(f"{name} must be a whole number from 0 to {10**digits - 1}, not {number}.")


def _with_check_letter(body: str) -> str:
    return check_letter(body) + body


def make_upn(la_code: int, estab: int, year2: int, serial: int) -> str:
    """Build a valid permanent UPN, e.g. make_upn(801, 2000, 5, 1) == "B801200005001"."""
    _check_range("LA code", la_code, 3)
    _check_range("Establishment number", estab, 4)
    _check_range("Year of allocation", year2, 2)
    _check_range("Serial", serial, 3)
    return _with_check_letter(f"{la_code:03d}{estab:04d}{year2:02d}{serial:03d}")


def make_temporary_upn(la_code: int, estab: int, year2: int, serial: int, letter: str = "A") -> str:
    """Build a valid temporary UPN: a 2-digit ``serial`` followed by ``letter`` (not I, O or S).

    E.g. make_temporary_upn(1, 8000, 17, 1) == "X00180001701A".
    """
    _check_range("LA code", la_code, 3)
    _check_range("Establishment number", estab, 4)
    _check_range("Year of allocation", year2, 2)
    _check_range("Temporary serial", serial, 2)
    suffix = letter.upper()
    if len(suffix) != 1 or suffix not in CHECK_LETTERS:
        raise ValueError(f"A temporary UPN must end in one letter other than I, O or S, not {letter!r}.")
    return _with_check_letter(f"{la_code:03d}{estab:04d}{year2:02d}{serial:02d}{suffix}")
