"""The person layout that linkage reads, and its standardisation into the columns the model compares.

A person-layout table has ``record_id`` and any of ``first_name``, ``last_name``, ``date_of_birth``
(YYYY-MM-DD), ``sex``, ``postcode``, ``address``, ``upn``, ``uln`` and ``ni_number``; a missing column counts
as blank in every row. ``standardise`` folds case and diacritics, keeps Welsh/English forename groups
(Dafydd = David = Dai, from the project's name-forms reference), puts postcodes in the standard form with one
space, and derives the parts that blocking rules use.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from yep.synth.reference import fold as fold_forms
from yep.synth.reference import name_forms

RECORD_ID = "record_id"
PERSON_COLUMNS = (
    "first_name", "last_name", "date_of_birth", "sex", "postcode", "address", "upn", "uln", "ni_number",
)
IDENTIFIERS = ("upn", "uln", "ni_number")
TEXT = pd.StringDtype("pyarrow")  # pyarrow-backed strings: vectorised string functions in C++, not per-row Python

_SURNAME_PREFIXES = ("ap ", "ab ", "ferch ", "verch ")
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class LayoutError(ValueError):
    """The table is not in the person layout (for example, it has no ``record_id`` column)."""


def read_person_csv(path: Path) -> pd.DataFrame:
    """Read a person-layout CSV with every column as text (blanks as missing)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    check_layout(frame, str(path))
    return frame


def check_layout(frame: pd.DataFrame, name: str) -> None:
    """Raise LayoutError unless ``frame`` has non-blank, unique record ids."""
    if RECORD_ID not in frame.columns:
        raise LayoutError(f"{name}: there is no {RECORD_ID} column")
    ids = frame[RECORD_ID]
    if ids.isna().any():
        raise LayoutError(f"{name}: row {int(ids.isna().to_numpy().argmax()) + 2} has no {RECORD_ID}")
    duplicated = ids[ids.duplicated()]
    if len(duplicated):
        raise LayoutError(f"{name}: {RECORD_ID} {duplicated.iloc[0]} appears more than once")


@cache
def _forename_groups() -> dict[str, str]:
    forms = name_forms()
    return {fold_forms(form): f"g{int(forms.group[row])}" for row, form in enumerate(forms.forms)}


def _clean_text(series: pd.Series[Any]) -> pd.Series[Any]:
    """Lower-case ASCII letters and single spaces ('Siân Morgan-Jones' -> 'sian morgan jones'); blank as missing.

    Done with pyarrow's compute kernels: a Python function per row costs seconds at 250,000 rows.
    """
    text = pa.array(series.astype(object).where(series.notna(), None), pa.string(), from_pandas=True)
    text = pc.replace_substring_regex(pc.utf8_lower(pc.utf8_normalize(text, "NFKD")), r"\p{Mn}+", "")
    text = pc.replace_substring_regex(text, r"[^a-z ]+", " ")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r" +", " "))
    cleaned = pd.Series(text.to_pandas(), index=series.index, dtype=TEXT)
    return cleaned.where(cleaned.str.len() > 0)


def _surname_key(series: pd.Series[Any]) -> pd.Series[Any]:
    lowered = _clean_text(series)
    for prefix in _SURNAME_PREFIXES:
        lowered = lowered.str.removeprefix(prefix)
    key = lowered.str.replace(" ", "", regex=False)
    return key.where(key.str.len() > 0)


def _postcode(series: pd.Series[Any]) -> pd.Series[Any]:
    compact = series.astype(TEXT).str.upper().str.replace(r"\s+", "", regex=True)
    parts = compact.str.extract(_POSTCODE.pattern)
    standard: pd.Series[Any] = parts[0] + " " + parts[1]
    # A postcode that does not parse is still compared exactly, in its compact form.
    return standard.fillna(compact).where(compact.str.len() > 0)


def _date_of_birth(series: pd.Series[Any]) -> pd.Series[Any]:
    text = series.astype(TEXT).str.strip()
    return text.where(text.str.match(_DATE.pattern, na=False))


def _identifier(series: pd.Series[Any]) -> pd.Series[Any]:
    text = series.astype(TEXT).str.upper().str.replace(r"[\s-]+", "", regex=True)
    return text.where(text.str.len() > 0)


def standardise(frame: pd.DataFrame) -> pd.DataFrame:
    """The model's columns for a person-layout table (see the module docstring)."""
    get = {c: frame[c] if c in frame.columns else pd.Series(pd.NA, index=frame.index, dtype=TEXT)
           for c in PERSON_COLUMNS}
    forenames = _clean_text(get["first_name"])
    forename = forenames.str.split(" ").str[0]
    groups = _forename_groups()
    dob = _date_of_birth(get["date_of_birth"])
    sex = get["sex"].astype(TEXT).str.strip().str.upper().str[:1]
    out = pd.DataFrame({
        "unique_id": frame[RECORD_ID].astype(str),
        "forename": forename,
        "forenames": forenames,
        "forename_group": forename.map(lambda f: groups.get(f, f), na_action="ignore"),
        "surname": _surname_key(get["last_name"]),
        "dob": dob,
        "dob_swapped": dob.str[:4] + "-" + dob.str[8:10] + "-" + dob.str[5:7],
        "dob_year": dob.str[:4],
        "dob_month_day": dob.str[5:],
        "sex": sex.where(sex.isin(["M", "F"])),
        "postcode": _postcode(get["postcode"]),
        "address": _clean_text(get["address"]),
    })
    out["postcode_district"] = out["postcode"].str.extract(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ", expand=False)
    out["forename_initial"] = out["forename"].str[:1]
    out["surname_initial"] = out["surname"].str[:1]
    for name in IDENTIFIERS:
        out[name] = _identifier(get[name])
    return out.astype(object).where(out.notna(), None)
