"""A register of synthetic young people and a second agency's file about many of them, for data hub tests.

The register is one synthetic extract (FE learners) put on the register of the `region` fixture's LA; the file is
the other (DWP), with the true links between them. 1,200 a side: enough for the model to learn from."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from yep.link import testsets
from yep.people import identifiers
from yep.people.models import Organisation, Person, PersonName
from yep.people.services.persons import name_rows

RECORDS = 1200


@dataclass
class Spine:
    people: dict[str, int]  # the register extract's record id -> person pk
    file_rows: pd.DataFrame  # the second agency's records (person layout)
    truth: dict[str, int]  # the file's record id -> the person it truly is


def load_spine(la: Organisation, records: int = RECORDS) -> Spine:
    """Put one synthetic extract on the register (as a bulk loader would) and return the other with the truth."""
    left, right, truth = testsets.synthetic_pair(records, seed=11)
    today = datetime.date(2026, 11, 1)
    young = left[(pd.to_datetime(left["date_of_birth"]) > pd.Timestamp(today.year - 24, 9, 1))
                 & left["first_name"].notna() & left["last_name"].notna()]
    people = [Person(legal_forenames=r.first_name, legal_surname=r.last_name,
                     dob=datetime.date.fromisoformat(r.date_of_birth), sex=r.sex or "U", postcode=r.postcode or "",
                     postcode_key=identifiers.postcode_key(r.postcode or ""), address_line1=r.address or "",
                     la_of_residence=la, uln=r.uln or None)
              for r in young.itertuples()]
    Person.objects.bulk_create(people)
    PersonName.objects.bulk_create([row for p in people for row in name_rows(p)])
    ids = dict(zip(young["record_id"], (p.pk for p in people), strict=True))
    pairs = zip(truth["left_id"], truth["right_id"], strict=True)
    return Spine(people=ids, file_rows=right, truth={theirs: ids[ours] for ours, theirs in pairs if ours in ids})


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path
