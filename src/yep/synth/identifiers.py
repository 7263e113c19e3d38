"""Identifiers for synthetic young people: UPN, ULN and National Insurance number.

The scalar functions ``upn_check_letter`` and ``uln_check_digit`` are the reference for the
check characters and are public, so the register's validators can be tested against them. The
vectorised generators build whole columns of valid, unique identifiers.

* UPN (unique pupil number): check letter + 3-digit LA code + 4-digit school number + 2-digit
  year of allocation + 3-digit serial. The check letter indexes ``UPN_CHECK_LETTERS`` by the sum
  of digit x weight over characters 2-13 (weights 2..13) modulo 23.
* ULN (unique learner number): 10 digits, the first not 0; the check digit is
  10 - (sum of d_i x (11 - i) for i = 1..9) mod 11, and a remainder of 0 makes the number invalid.
* NI number: two prefix letters (neither D, F, I, Q, U, V; the second not O; not BG, GB, KN,
  NK, NT, TN, ZZ), six digits and a suffix A-D.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# The register's rules are the one definition of a valid UPN and ULN; the vectorised generators below follow them
# and the tests check their output with these.
from yep.people.identifiers import UPN_CHECK_LETTERS, uln_check_digit, upn_check_letter  # noqa: F401 (re-exported)

_NI_BANNED_LETTERS = set("DFIQUV")
_NI_BANNED_PREFIXES = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def ni_prefixes() -> list[str]:
    """All valid two-letter NI number prefixes, in alphabetical order."""
    letters = [chr(c) for c in range(ord("A"), ord("Z") + 1) if chr(c) not in _NI_BANNED_LETTERS]
    return [a + b for a in letters for b in letters if b != "O" and a + b not in _NI_BANNED_PREFIXES]


def _digit_sum(numbers: np.ndarray, width: int, weights: range) -> np.ndarray:
    total = np.zeros(len(numbers), dtype=np.int64)
    for position, weight in zip(range(width), weights, strict=True):
        total += (numbers // 10 ** (width - 1 - position)) % 10 * weight
    return total


def _unique_in_draw_order(values: np.ndarray) -> np.ndarray:
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]


def _padded(numbers: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(pa.array(numbers, pa.int64()), pa.string()), width, "0")


def upn_strings(body12: np.ndarray) -> pa.Array:
    """UPNs for 12-digit bodies given as integers (LA, school, year, serial packed as digits)."""
    body12 = np.asarray(body12, dtype=np.int64)
    letters = np.array(list(UPN_CHECK_LETTERS), dtype=object)
    check = letters[_digit_sum(body12, 12, range(2, 14)) % 23]
    return pc.binary_join_element_wise(pa.array(check, pa.string()), _padded(body12, 12), "")


def upn_body(la: np.ndarray, school: np.ndarray, year: np.ndarray, serial: np.ndarray) -> np.ndarray:
    return (
        np.asarray(la, np.int64) * 10**9
        + np.asarray(school, np.int64) * 10**5
        + (np.asarray(year, np.int64) % 100) * 10**3
        + np.asarray(serial, np.int64)
    )


def unique_ulns(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct valid ULNs as 10-digit integers, in random order."""
    found = np.empty(0, dtype=np.int64)
    while len(found) < n:
        first9 = rng.integers(100_000_000, 1_000_000_000, size=int((n - len(found)) * 1.15) + 64)
        remainder = _digit_sum(first9, 9, range(10, 1, -1)) % 11
        valid = first9[remainder != 0] * 10 + (10 - remainder[remainder != 0])
        found = _unique_in_draw_order(np.concatenate([found, valid]))
    return found[:n]


def unique_ni_numbers(rng: np.random.Generator, n: int) -> pa.Array:
    """``n`` valid NI numbers whose letters and digits are all distinct, in random order."""
    prefixes = np.array(ni_prefixes(), dtype=object)
    found = np.empty(0, dtype=np.int64)
    while len(found) < n:
        draws = rng.integers(0, len(prefixes) * 1_000_000, size=int((n - len(found)) * 1.05) + 64)
        found = _unique_in_draw_order(np.concatenate([found, draws]))
    found = found[:n]
    suffix = np.array(list("ABCD"), dtype=object)[rng.integers(0, 4, size=n)]
    return pc.binary_join_element_wise(
        pa.array(prefixes[found // 1_000_000], pa.string()),
        _padded(found % 1_000_000, 6),
        pa.array(suffix, pa.string()),
        "",
    )


def uln_strings(ulns: np.ndarray) -> pa.Array:
    return pc.cast(pa.array(ulns, pa.int64()), pa.string())
