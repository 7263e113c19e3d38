"""Shared linkage fixtures: 1,500 synthetic records each side with hand-made people added, linked once.

Fewer records make the prior (one pair in a few hundred matches) so large that namesakes born the same day come
close to linking: the test would measure the tiny population, not the model."""

from dataclasses import dataclass

import pandas as pd
import pytest

from yep.link import testsets
from yep.link.engine import LinkSpec, link_tables

# Hand-made records (left, right): the same person with errors, and two different people who share a name and date.
SAME_PERSON_WITH_ERRORS = (
    {"record_id": "L-typo", "first_name": "Gwenllian", "last_name": "Prosser", "date_of_birth": "2009-03-11",
     "sex": "F", "postcode": "CF10 1AA", "address": "3 Heol y Felin"},
    {"record_id": "R-typo", "first_name": "Gwenllian", "last_name": "Prossor", "date_of_birth": "2009-11-03",
     "sex": "F", "postcode": "cf101aa", "address": "3 Heol y Felin"},
)
WELSH_AND_ENGLISH_FORMS = (
    {"record_id": "L-form", "first_name": "Dafydd", "last_name": "Pritchard", "date_of_birth": "2008-06-21",
     "sex": "M", "postcode": "LL55 4UR"},
    {"record_id": "R-form", "first_name": "DAVID", "last_name": "PRITCHARD", "date_of_birth": "2008-06-21",
     "sex": "M", "postcode": "LL55 4UR"},
)
NAMESAKES = (
    {"record_id": "L-namesake", "first_name": "Rhys", "last_name": "Jones", "date_of_birth": "2008-05-05",
     "sex": "M", "postcode": "SA1 1AA", "address": "12 Heol Fawr", "ni_number": "JN123456A"},
    {"record_id": "R-namesake", "first_name": "Rhys", "last_name": "Jones", "date_of_birth": "2008-05-05",
     "sex": "M", "postcode": "LL57 2BB", "address": "Flat 2, 9 Ffordd Caergybi", "ni_number": "JT654321B"},
)
HAND_MADE = (SAME_PERSON_WITH_ERRORS, WELSH_AND_ENGLISH_FORMS, NAMESAKES)


@dataclass(frozen=True)
class Linked:
    left: pd.DataFrame
    right: pd.DataFrame
    truth: pd.DataFrame
    pairs: pd.DataFrame


def small_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    left, right, truth = testsets.synthetic_pair(1500, seed=11)
    # Half of the left records also carry the NI number the right one has, as a careers service record might.
    ni = truth.merge(right[["record_id", "ni_number"]], left_on="right_id", right_on="record_id")
    ni = ni.iloc[::2].set_index("left_id")["ni_number"]
    left["ni_number"] = left["record_id"].map(ni)
    left = pd.concat([left, pd.DataFrame([pair[0] for pair in HAND_MADE])], ignore_index=True)
    right = pd.concat([right, pd.DataFrame([pair[1] for pair in HAND_MADE])], ignore_index=True)
    extra = pd.DataFrame([{"left_id": "L-typo", "right_id": "R-typo"}, {"left_id": "L-form", "right_id": "R-form"}])
    return left, right, pd.concat([truth, extra], ignore_index=True)


@pytest.fixture(scope="session")
def linked() -> Linked:
    left, right, truth = small_tables()
    return Linked(left, right, truth, link_tables(left, right, LinkSpec()))
