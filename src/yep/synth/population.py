"""The young people themselves: where they live, how old they are, and their hidden risk.

Each person gets a latent score ``z`` (standard normal, shifted up in LAs whose 2012 Year 11
NEET rate was higher). Everything that should correlate with the risk of becoming NEET —
free school meals, attendance, exclusions, attainment, becoming NEET itself — is drawn with a
loading on ``z``. The published ``risk`` (0-1) is a logistic transform of ``z``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from yep.synth.reference import NAME_ORIGINS, LocalAuthority, ethnicities
from yep.synth.sampling import sigmoid, uniform_days, weighted_choice
from yep.synth.school_calendar import SchoolCalendar

ACADEMIC_AGES = np.arange(6, 25)
# Roughly uniform over single years of age, tapering slightly towards 24.
AGE_WEIGHTS = 1.0 - 0.01 * (ACADEMIC_AGES - 6)
WALES_MEAN_NEET_PCT = 4.0
GENDER_VALUES = np.array(["non-binary", "trans man", "trans woman", "other"], dtype=object)


@dataclass
class People:
    """Column arrays for all people; index i is person_id i + 1."""

    la: np.ndarray  # index into the run's LAs
    academic_age: np.ndarray
    dob: np.ndarray  # day numbers
    female: np.ndarray
    z: np.ndarray
    risk: np.ndarray
    welsh_speaker: np.ndarray
    ethnicity: np.ndarray
    origin: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # string columns, filled by later stages

    @property
    def n(self) -> int:
        return len(self.la)

    @property
    def person_id(self) -> np.ndarray:
        return np.arange(1, self.n + 1, dtype=np.int64)


def draw_people(rng: np.random.Generator, las: list[LocalAuthority], calendar: SchoolCalendar, n: int) -> People:
    la = weighted_choice(rng, np.array([a.pupil_share for a in las]), n)
    age = ACADEMIC_AGES[weighted_choice(rng, AGE_WEIGHTS, n)]
    first, last = calendar.dob_window(age)
    dob = uniform_days(rng, first, last)
    female = rng.random(n) < 0.49
    shift = 0.35 * np.log(np.array([a.neet_pct_2012 for a in las]) / WALES_MEAN_NEET_PCT)
    z = rng.standard_normal(n) + shift[la]
    risk = np.round(sigmoid(1.5 * z - 2.2), 4)
    ethnicity, origin = _draw_ethnicity(rng, las, la)
    welsh_share = np.array([a.welsh_share for a in las])[la]
    # Families from outside the UK speak Welsh at home less often.
    welsh_speaker = rng.random(n) < welsh_share * np.where(origin == 0, 1.0, 0.3)
    return People(la, age, dob, female, z, risk, welsh_speaker, ethnicity, origin)


def _draw_ethnicity(
    rng: np.random.Generator, las: list[LocalAuthority], la: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    codes, default, urban, name_origin = ethnicities()
    urban_la = np.array([a.urban for a in las])[la]
    ethnicity = np.empty(len(la), dtype=np.int64)
    for is_urban, weights in ((False, default), (True, urban)):
        mask = urban_la == is_urban
        ethnicity[mask] = weighted_choice(rng, weights, int(mask.sum()))
    origin_of_code = np.array([NAME_ORIGINS.index(o) for o in name_origin])
    # Most people's names follow their family's origin; some do not.
    origin = np.where(rng.random(len(la)) < 0.8, origin_of_code[ethnicity], 0)
    return ethnicity, origin


def draw_gender(rng: np.random.Generator, people: People) -> np.ndarray:
    """Mostly blank; a rare recorded gender identity for secondary-age and older people."""
    result = np.full(people.n, None, dtype=object)
    chosen = (rng.random(people.n) < 0.006) & (people.academic_age >= 11)
    result[chosen] = GENDER_VALUES[rng.integers(0, len(GENDER_VALUES), int(chosen.sum()))]
    return result
