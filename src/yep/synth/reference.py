"""Reference data the synthetic population is drawn from.

Two kinds of data are read here and nowhere else:

* the register's versioned reference data (``yep/people/reference/v1``): the 22 Welsh local
  authorities with their postcode districts and 2012 Year 11 NEET rates, and the groups of
  equivalent Welsh and English forenames;
* the generator's own frequency lists in ``yep/synth/data`` (forenames, surnames, streets, post
  towns, places, ethnicity shares and a small profile per local authority).

Everything is loaded once and cached; the values are approximate but realistic, and synthetic.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "people" / "reference" / "v1"
DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class LocalAuthority:
    """One Welsh local authority, as the generator needs it."""

    code: str
    ons_code: str
    name_en: str
    name_cy: str
    districts: tuple[str, ...]
    neet_pct_2012: float
    pupil_share: float
    welsh_share: float
    urban: bool


@dataclass(frozen=True)
class Vocabulary:
    """A list of strings with sampling weights and optional per-entry attributes."""

    values: np.ndarray
    weights: np.ndarray
    attrs: dict[str, np.ndarray]


@dataclass(frozen=True)
class NameForms:
    """Groups of equivalent forenames (Dafydd, David, Dai, Dave ...).

    ``by_key`` maps a folded form (lower case, no diacritics) to its row; rows of one group are
    contiguous, starting at ``group_start[group]`` for ``group_size[group]`` rows.
    """

    forms: tuple[str, ...]
    group: np.ndarray
    is_nickname: np.ndarray
    language: tuple[str, ...]
    group_start: np.ndarray
    group_size: np.ndarray
    by_key: dict[str, int]

    def group_of(self, name: str) -> int:
        """The group index of ``name`` (any case, with or without diacritics), or -1."""
        row = self.by_key.get(fold(name), -1)
        return int(self.group[row]) if row >= 0 else -1

    def members(self, group: int) -> tuple[str, ...]:
        start = int(self.group_start[group])
        return self.forms[start : start + int(self.group_size[group])]


def fold(text: str) -> str:
    """Lower case without diacritics, for comparing names (Siân -> sian)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def local_authorities() -> dict[str, LocalAuthority]:
    """All 22 Welsh local authorities, keyed and ordered by LA code."""
    profile = {row["la_code"]: row for row in _rows(DATA_DIR / "la_profile.csv")}
    result = {}
    for row in sorted(_rows(REFERENCE_DIR / "local_authorities.csv"), key=lambda r: r["la_code"]):
        extra = profile[row["la_code"]]
        result[row["la_code"]] = LocalAuthority(
            code=row["la_code"],
            ons_code=row["ons_code"],
            name_en=row["name_en"],
            name_cy=row["name_cy"],
            districts=tuple(row["postcode_districts"].split()),
            neet_pct_2012=float(row["year11_neet_pct_2012"]),
            pupil_share=float(row["share_of_wales_pupils"]),
            welsh_share=float(extra["welsh_language_share"]),
            urban=extra["urban"] == "1",
        )
    return result


@cache
def name_forms() -> NameForms:
    rows = _rows(REFERENCE_DIR / "name_forms.csv")
    groups = sorted({row["group"] for row in rows})
    group_index = {g: i for i, g in enumerate(groups)}
    rows.sort(key=lambda r: group_index[r["group"]])  # stable: keeps the file's order in a group
    group = np.array([group_index[r["group"]] for r in rows], dtype=np.int32)
    size = np.bincount(group, minlength=len(groups))
    return NameForms(
        forms=tuple(r["form"] for r in rows),
        group=group,
        is_nickname=np.array([r["kind"] == "nickname" for r in rows]),
        language=tuple(r["language"] for r in rows),
        group_start=np.concatenate([[0], np.cumsum(size)[:-1]]),
        group_size=size,
        by_key={fold(r["form"]): i for i, r in enumerate(rows)},
    )


def _vocabulary(file_name: str, value_column: str) -> Vocabulary:
    rows = _rows(DATA_DIR / file_name)
    attrs = [c for c in rows[0] if c not in (value_column, "weight")]
    return Vocabulary(
        values=np.array([r[value_column] for r in rows], dtype=object),
        weights=np.array([float(r.get("weight", 1) or 1) for r in rows]),
        attrs={a: np.array([r[a] for r in rows], dtype=object) for a in attrs},
    )


@cache
def forenames() -> Vocabulary:
    """Forenames with sex (F/M), name origin and language (cy/en)."""
    return _vocabulary("forenames.csv", "forename")


@cache
def surnames() -> Vocabulary:
    """Surnames with name origin; the common Welsh surnames carry most of the weight."""
    return _vocabulary("surnames.csv", "surname")


@cache
def streets() -> Vocabulary:
    return _vocabulary("streets.csv", "street")


@cache
def post_towns() -> dict[str, str]:
    return {r["district"]: r["town"] for r in _rows(DATA_DIR / "post_towns.csv")}


@cache
def places() -> dict[str, list[tuple[str, str]]]:
    """Places in each LA (English, Welsh), used to name schools."""
    result: dict[str, list[tuple[str, str]]] = {}
    for row in _rows(DATA_DIR / "places.csv"):
        result.setdefault(row["la_code"], []).append((row["place_en"], row["place_cy"]))
    return result


@cache
def ethnicities() -> tuple[tuple[str, ...], np.ndarray, np.ndarray, tuple[str, ...]]:
    """Ethnicity codes, default and urban weights, and the name origin each mostly draws from."""
    rows = _rows(DATA_DIR / "ethnicity.csv")
    return (
        tuple(r["code"] for r in rows),
        np.array([float(r["weight_default"]) for r in rows]),
        np.array([float(r["weight_urban"]) for r in rows]),
        tuple(r["name_origin"] for r in rows),
    )


NAME_ORIGINS = ("uk", "eu", "sa", "af", "ea")
