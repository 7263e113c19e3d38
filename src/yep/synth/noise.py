"""Recording errors of the kind found in agencies' extracts.

Each function takes a column (numpy object array of strings, None for blank, or day numbers)
and returns a corrupted copy, touching only a random share of rows: one-character typos, other
forms of a forename (Dafydd -> David or Dai), dropped diacritics (Siân -> Sian), shortened
hyphenated surnames, case changes, swapped day and month, a year off, and blanks. The few rows
that change are edited in a Python loop driven by pre-drawn random numbers, so runs repeat.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from yep.synth.reference import fold, name_forms
from yep.synth.school_calendar import NULL_DAY, day_of_month, month_of, year_of

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _chosen(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """A random ``rate`` of the rows, leaving out blanks."""
    rows = np.flatnonzero(rng.random(len(values)) < rate)
    if values.dtype == object:
        return rows[np.array([values[r] is not None for r in rows], dtype=bool)]
    return rows[values[rows] != NULL_DAY]


def typo(text: str, kind: int, where: float, letter: int) -> str:
    """One insertion (0), deletion (1), substitution (2) or transposition (3)."""
    if len(text) < 3:
        return text
    i = min(int(where * len(text)), len(text) - 1)
    new = _LETTERS[letter]
    if i == 0 and text[0].isupper():
        new = new.upper()
    if kind == 0:
        return text[:i] + new + text[i:]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    if kind == 2:
        replacement = new if new.lower() != text[i].lower() else _LETTERS[(letter + 1) % 26]
        return text[:i] + replacement + text[i + 1 :]
    pairs = [k for k in range(len(text) - 1) if text[k] != text[k + 1]]
    if not pairs:
        return typo(text, 2, where, letter)
    i = min(pairs, key=lambda k: (abs(k - i), k))  # the nearest pair of different letters
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def typos(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    result = values.copy()
    rows = _chosen(rng, values, rate)
    kinds, where, letters = rng.integers(0, 4, len(rows)), rng.random(len(rows)), rng.integers(0, 26, len(rows))
    for row, kind, at, letter in zip(rows, kinds, where, letters, strict=True):
        result[row] = typo(result[row], int(kind), float(at), int(letter))
    return result


def name_variants(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """Another form of the same forename from the register's name forms, where there is one."""
    forms = name_forms()
    result = values.copy()
    rows = _chosen(rng, values, rate)
    for row, u in zip(rows, rng.random(len(rows)), strict=True):
        group = forms.group_of(result[row])
        if group < 0:
            continue
        others = [f for f in forms.members(group) if fold(f) != fold(result[row])]
        if others:
            result[row] = others[int(u * len(others))]
    return result


def strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def drop_diacritics(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    result = values.copy()
    for row in _chosen(rng, values, rate):
        if not result[row].isascii():
            result[row] = strip_diacritics(result[row])
    return result


def shorten_hyphenated(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """Morgan-Jones -> Morgan or Jones."""
    result = values.copy()
    rows = _chosen(rng, values, rate)
    for row, u in zip(rows, rng.random(len(rows)), strict=True):
        parts = result[row].split("-")
        if len(parts) > 1:
            result[row] = parts[int(u * len(parts))]
    return result


def change_case(rng: np.random.Generator, values: np.ndarray, rate: float, upper_share: float = 0.7) -> np.ndarray:
    result = values.copy()
    rows = _chosen(rng, values, rate)
    for row, u in zip(rows, rng.random(len(rows)), strict=True):
        result[row] = result[row].upper() if u < upper_share else result[row].lower()
    return result


def replace_some(rng: np.random.Generator, values: np.ndarray, rate: float, replacements: np.ndarray) -> np.ndarray:
    """Replace a share of values with the corresponding replacement (e.g. a new surname)."""
    result = values.copy()
    rows = _chosen(rng, values, rate)
    result[rows] = replacements[rows]
    return result


def blank(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    result = values.copy()
    result[rng.random(len(values)) < rate] = NULL_DAY if values.dtype != object else None
    return result


def _days(years: np.ndarray, months: np.ndarray, days: np.ndarray) -> np.ndarray:
    base = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (months - 1)
    return (base.astype("datetime64[D]") + (days - 1)).astype(np.int64)


def swap_day_month(rng: np.random.Generator, dob: np.ndarray, rate: float) -> np.ndarray:
    """12/03 recorded as 03/12, where the day could be a month."""
    result = dob.copy()
    rows = _chosen(rng, dob, rate)
    d, m, y = day_of_month(dob[rows]), month_of(dob[rows]), year_of(dob[rows])
    ok = (d <= 12) & (d != m)
    result[rows[ok]] = _days(y[ok], d[ok], m[ok])
    return result


def year_off(rng: np.random.Generator, dob: np.ndarray, rate: float) -> np.ndarray:
    result = dob.copy()
    rows = _chosen(rng, dob, rate)
    shift = np.where(rng.random(len(rows)) < 0.5, -1, 1)
    d, m, y = day_of_month(dob[rows]), month_of(dob[rows]), year_of(dob[rows])
    result[rows] = _days(y + shift, m, np.minimum(d, 28))
    return result


def digit_slip(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """One digit of an identifier mistyped."""
    result = values.copy()
    rows = _chosen(rng, values, rate)
    for row, at, digit in zip(rows, rng.random(len(rows)), rng.integers(0, 10, len(rows)), strict=True):
        text = result[row]
        positions = [i for i, c in enumerate(text) if c.isdigit()]
        if positions:
            i = positions[int(at * len(positions))]
            new = str(digit) if str(digit) != text[i] else str((digit + 1) % 10)
            result[row] = text[:i] + new + text[i + 1 :]
    return result


def squash_postcodes(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    """CF24 3AB written as CF243AB or cf24 3ab."""
    result = values.copy()
    rows = _chosen(rng, values, rate)
    for row, u in zip(rows, rng.random(len(rows)), strict=True):
        result[row] = result[row].replace(" ", "") if u < 0.6 else result[row].lower()
    return result
