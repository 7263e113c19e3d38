"""Synthetic populations shared by the synth tests: generated once per session, never in a database."""

import csv
import datetime
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from yep.synth import Manifest, SynthConfig, generate
from yep.synth.reference import local_authorities

AS_OF = datetime.date(2026, 11, 23)


@dataclass
class Population:
    out: Path
    manifest: Manifest
    _read: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of one output file, read once per session (callers must not change them)."""
        if name not in self._read:
            with (self.out / name).open(encoding="utf-8", newline="") as handle:
                self._read[name] = list(csv.DictReader(handle))
        return self._read[name]

    def by_person(self) -> dict[str, dict[str, str]]:
        return {row["person_id"]: row for row in self.rows("people.csv")}


def academic_age(dob: str, as_of: datetime.date = AS_OF) -> int:
    """Age on the 31 August before the academic year of ``as_of``."""
    year = as_of.year if as_of.month >= 9 else as_of.year - 1
    born = datetime.date.fromisoformat(dob)
    return year - born.year - (1 if (born.month, born.day) > (8, 31) else 0)


def _generate(tmp_path_factory: pytest.TempPathFactory, name: str, **options) -> Population:
    out = tmp_path_factory.mktemp(name)
    config = SynthConfig(out=out, as_of=AS_OF, **options)
    return Population(out, generate(config))


@pytest.fixture(scope="session")
def small(tmp_path_factory: pytest.TempPathFactory) -> Population:
    """3,000 young people across all 22 LAs."""
    return _generate(tmp_path_factory, "small", people=3000, seed=11)


@pytest.fixture(scope="session")
def large(tmp_path_factory: pytest.TempPathFactory) -> Population:
    """60,000 young people across all 22 LAs, for rates and calibration."""
    return _generate(tmp_path_factory, "large", people=60_000, seed=5)


@pytest.fixture(scope="session")
def neet_targets() -> dict[str, float]:
    return {code: la.neet_pct_2012 / 100 for code, la in local_authorities().items()}
