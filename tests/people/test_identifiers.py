"""UPN, ULN, NI number and postcode rules, as a school's MIS and the LRS apply them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yep.people import identifiers


def test_a_upn_with_the_right_check_letter_is_accepted():
    body = "681400119001"
    upn = identifiers.upn_check_letter(body) + body
    assert identifiers.check_upn(upn.lower()) == upn


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_changing_the_check_letter_of_any_upn_is_refused(body):
    right = identifiers.upn_check_letter(body)
    wrong = next(letter for letter in identifiers.UPN_CHECK_LETTERS if letter != right)
    with pytest.raises(ValueError, match="check letter"):
        identifiers.check_upn(wrong + body)


def test_a_malformed_upn_is_refused_with_its_format():
    with pytest.raises(ValueError, match="12 digits"):
        identifiers.check_upn("A12345")


@given(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: s[0] != "0"))
def test_a_uln_is_valid_only_with_its_check_digit(first9):
    check = identifiers.uln_check_digit(first9)
    if check is None:
        for digit in "0123456789":
            with pytest.raises(ValueError):
                identifiers.check_uln(first9 + digit)
    else:
        assert identifiers.check_uln(first9 + check) == first9 + check
        wrong = "0" if check != "0" else "1"
        with pytest.raises(ValueError, match="check digit"):
            identifiers.check_uln(first9 + wrong)


@pytest.mark.parametrize("value", ["AB123456C", "ab 12 34 56 c", "AB123456D"])
def test_well_formed_ni_numbers_are_accepted_and_normalised(value):
    assert identifiers.check_ni_number(value) == value.upper().replace(" ", "")


@pytest.mark.parametrize("value", ["DA123456A", "AO123456A", "GB123456A", "AB123456E", "QQ12345C"])
def test_ni_numbers_with_disallowed_letters_or_shape_are_refused(value):
    with pytest.raises(ValueError):
        identifiers.check_ni_number(value)


@pytest.mark.parametrize(("raw", "clean"), [("cf243ab", "CF24 3AB"), ("SA1  1AA", "SA1 1AA"), ("ll57 2dg", "LL57 2DG")])
def test_postcodes_are_normalised(raw, clean):
    assert identifiers.check_postcode(raw) == clean


@pytest.mark.parametrize("raw", ["CF24", "12345", "CF24 3A", "ZZZZ 1AA"])
def test_postcodes_that_cannot_exist_are_refused(raw):
    with pytest.raises(ValueError, match="real postcode"):
        identifiers.check_postcode(raw)
