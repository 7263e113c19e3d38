"""UPN, ULN and NI numbers: valid check characters, unique, held by the right ages."""

import re

import pytest

from yep.synth.identifiers import ni_prefixes, uln_check_digit, upn_check_letter

from .conftest import academic_age


def test_upn_check_letter_matches_a_worked_example():
    # 6x2 + 8x3 + 1x4 + 4x5 + 0 + 0 + 0 + 2x9 + 6x10 + 0 + 0 + 1x13 = 151; 151 mod 23 = 13 -> "P"
    assert upn_check_letter("681400026001") == "P"


def test_uln_check_digit_matches_a_worked_example_and_refuses_remainder_zero():
    # 1x10 + 2x9 + 3x8 + 4x7 + 5x6 + 6x5 + 7x4 + 8x3 + 9x2 = 210; 210 mod 11 = 1 -> 10 - 1 = 9
    assert uln_check_digit("123456789") == "9"
    # 2x10 + 1x2 = 22; 22 mod 11 = 0 -> check 10, so no valid ULN starts with these digits
    assert uln_check_digit("200000001") is None


@pytest.mark.parametrize("bad", ["12345678901", "68140002600A", ""])
def test_upn_check_letter_refuses_anything_but_twelve_digits(bad):
    with pytest.raises(ValueError):
        upn_check_letter(bad)


def test_every_upn_passes_its_check_is_unique_and_most_people_have_one(small):
    upns = [row["upn"] for row in small.rows("people.csv") if row["upn"]]
    assert len(upns) == len(set(upns))
    assert 0.94 * small.manifest.people <= len(upns) < small.manifest.people
    for upn in upns:
        assert len(upn) == 13 and upn[1:].isdigit()
        assert upn[0] == upn_check_letter(upn[1:])


def test_every_uln_passes_its_check_is_unique_and_only_from_age_14(small):
    people = small.rows("people.csv")
    ulns = [row["uln"] for row in people if row["uln"]]
    assert len(ulns) == len(set(ulns))
    for row in people:
        if row["uln"]:
            assert academic_age(row["dob"]) >= 14
            assert len(row["uln"]) == 10 and row["uln"][0] != "0"
            assert row["uln"][9] == uln_check_digit(row["uln"][:9])
    older = [row for row in people if academic_age(row["dob"]) >= 14]
    assert 0.85 < sum(1 for row in older if row["uln"]) / len(older) < 0.98


def test_ni_numbers_are_valid_unique_and_only_from_age_16(small):
    prefixes = set(ni_prefixes())
    people = small.rows("people.csv")
    numbers = [row["ni_number"] for row in people if row["ni_number"]]
    assert len(numbers) == len(set(numbers))
    for row in people:
        if row["ni_number"]:
            assert academic_age(row["dob"]) >= 16
            assert re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", row["ni_number"])
            assert row["ni_number"][:2] in prefixes


def test_ni_prefixes_follow_the_rules():
    prefixes = set(ni_prefixes())
    assert "AB" in prefixes and "WL" in prefixes
    for banned in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ", "DA", "AD", "QA", "AO", "VA", "AU"):
        assert banned not in prefixes


def test_upns_carry_the_la_and_reception_year_of_the_first_school(small):
    las = {row["la_code"] for row in small.rows("organisations.csv") if row["kind"] == "la"}
    for row in small.rows("people.csv"):
        if row["upn"]:
            assert row["upn"][1:4] in las
            reception_year = int(row["dob"][:4]) + (5 if row["dob"][5:] > "08-31" else 4)
            assert row["upn"][8:10] == f"{reception_year % 100:02d}"
