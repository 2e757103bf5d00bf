import pytest
from hypothesis import given
from hypothesis import strategies as st

from pupils.upn import (
    CHECK_LETTERS,
    InvalidUPN,
    check_letter,
    is_temporary,
    is_valid_upn,
    make_temporary_upn,
    make_upn,
    validate_upn,
)


@pytest.mark.parametrize("upn", ["B801200005001", "R674123101121", "X00180001701A"])
def test_worked_examples_from_domain_are_valid(upn):
    assert validate_upn(upn) == upn


def test_worked_example_with_wrong_check_letter_says_what_it_should_be():
    with pytest.raises(InvalidUPN) as excinfo:
        validate_upn("Q207000016049")
    assert str(excinfo.value).startswith("UPN Q207000016049 has check letter Q but should start with P.")
    assert validate_upn("P207000016049") == "P207000016049"


def test_check_letter_of_worked_examples():
    assert check_letter("801200005001") == "B"
    assert check_letter("674123101121") == "R"
    assert check_letter("00180001701A") == "X"
    assert check_letter("207000016049") == "P"


def test_validate_strips_and_upper_cases():
    assert validate_upn("  x00180001701a \n") == "X00180001701A"


def test_invalid_upn_is_a_value_error():
    assert issubclass(InvalidUPN, ValueError)


def test_empty_value_asks_for_a_upn():
    with pytest.raises(InvalidUPN, match="Enter a UPN"):
        validate_upn("   ")


@pytest.mark.parametrize("value", ["B80120000500", "B8012000050011", "B801 200005001"])
def test_wrong_length_says_how_many_characters(value):
    with pytest.raises(InvalidUPN) as excinfo:
        validate_upn(value)
    assert f"has {len(value)} characters but should have 13" in str(excinfo.value)


def test_digit_in_first_place_is_rejected():
    with pytest.raises(InvalidUPN, match="starts with '8' but should start with a check letter"):
        validate_upn("8801200005001")


@pytest.mark.parametrize("letter", ["I", "O", "S"])
def test_unused_letters_are_never_check_letters(letter):
    with pytest.raises(InvalidUPN, match=f"starts with {letter}, which is never used"):
        validate_upn(letter + "801200005001")


def test_letter_in_the_middle_is_rejected():
    with pytest.raises(
        InvalidUPN, match="^UPN B801X00005001 has 'X' as character 5. Characters 2 to 12 must all be digits"
    ):
        validate_upn("B801X00005001")


@pytest.mark.parametrize("last", ["I", "O", "S", "-"])
def test_temporary_upn_cannot_end_in_an_unused_letter(last):
    with pytest.raises(InvalidUPN, match=f"^UPN X00180001701{last} ends with '{last}'"):
        validate_upn("X00180001701" + last)


def test_check_letter_needs_twelve_characters():
    with pytest.raises(InvalidUPN, match="has 12 characters"):
        check_letter("80120000500")


def test_is_temporary():
    assert is_temporary("X00180001701A")
    assert not is_temporary("B801200005001")


def test_is_valid_upn():
    assert is_valid_upn("B801200005001")
    assert not is_valid_upn("Q207000016049")


def test_make_upn_rebuilds_worked_examples():
    assert make_upn(801, 2000, 5, 1) == "B801200005001"
    assert make_upn(674, 1231, 1, 121) == "R674123101121"
    assert make_temporary_upn(1, 8000, 17, 1) == "X00180001701A"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1000, 2000, 5, 1), "LA code must be a whole number from 0 to 999"),
        ((801, 10000, 5, 1), "Establishment number"),
        ((801, 2000, 100, 1), "Year of allocation"),
        ((801, 2000, 5, -1), "Serial"),
    ],
)
def test_make_upn_rejects_out_of_range_parts(args, message):
    with pytest.raises(ValueError, match=message):
        make_upn(*args)


def test_make_temporary_upn_rejects_bad_suffix():
    with pytest.raises(ValueError, match="Temporary serial"):
        make_temporary_upn(1, 8000, 17, 100)
    with pytest.raises(ValueError, match="other than I, O or S"):
        make_temporary_upn(1, 8000, 17, 1, letter="O")


la_codes = st.integers(0, 999)
estabs = st.integers(0, 9999)
years = st.integers(0, 99)


@given(la_codes, estabs, years, st.integers(0, 999))
def test_generated_permanent_upns_validate(la_code, estab, year2, serial):
    upn = make_upn(la_code, estab, year2, serial)
    assert validate_upn(upn) == upn
    assert not is_temporary(upn)


@given(la_codes, estabs, years, st.integers(0, 99), st.sampled_from(CHECK_LETTERS))
def test_generated_temporary_upns_validate(la_code, estab, year2, serial, letter):
    upn = make_temporary_upn(la_code, estab, year2, serial, letter)
    assert validate_upn(upn) == upn
    assert is_temporary(upn)


@st.composite
def valid_upns(draw):
    parts = (draw(la_codes), draw(estabs), draw(years))
    if draw(st.booleans()):
        return make_temporary_upn(*parts, draw(st.integers(0, 99)), draw(st.sampled_from(CHECK_LETTERS)))
    return make_upn(*parts, draw(st.integers(0, 999)))


@given(valid_upns(), st.integers(1, 12), st.integers(1, 9))
def test_changing_any_single_digit_is_caught(upn, index, shift):
    # Weights 2..13 and digit changes 1..9 are never multiples of 23 (a prime), so every
    # single-digit typing error changes the check letter.
    if not upn[index].isdigit():
        return
    changed = upn[:index] + str((int(upn[index]) + shift) % 10) + upn[index + 1 :]
    assert check_letter(changed[1:]) != upn[0]
    assert not is_valid_upn(changed)


@given(valid_upns(), st.sampled_from(CHECK_LETTERS))
def test_changing_the_check_letter_is_caught(upn, letter):
    changed = letter + upn[1:]
    assert is_valid_upn(changed) == (letter == upn[0])
