"""Activity timelines with NCCIS codes, calibrated to each LA's published NEET rate.

The current activity is chosen first: for each LA and academic age, exactly the target share
(stochastically rounded) of young people is made NEET (codes 540-680), favouring those with
the highest hidden risk. At academic age 16 the target is the LA's 2012 Year 11 NEET rate; it
rises to 1.5x at 17 and 2x at 18. A few per cent of the rest are "not known" (810/820).
The history is then built backwards from the current activity to the day after Year 11,
so that a sixth form or college course starts in September and a job lasts months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yep.synth.population import People
from yep.synth.reference import LocalAuthority
from yep.synth.sampling import choose_prevalence, choose_share, weighted_choice_rows
from yep.synth.school_calendar import NULL_DAY, SchoolCalendar, academic_year_of, ymd
from yep.synth.schools import Placement

SOURCES = ("school_census", "careers_service", "provider", "dwp", "destination_survey")
EDUCATION = (210, 230, 310, 410)
EMPLOYMENT = (330, 340, 360)
NEET_CODES = np.array([619, 610, 540, 640, 620, 630, 650])
NEET_WEIGHTS = {"F": [0.50, 0.14, 0.08, 0.08, 0.05, 0.09, 0.06], "M": [0.60, 0.17, 0.10, 0.09, 0.04, 0.0, 0.0]}
# Relative to the 2012 Year 11 rate, by academic age: roughly double at 18.
NEET_BY_AGE = {16: 1.0, 17: 1.5, 18: 2.0, 19: 2.3}
NEET_OLDER = 2.5
EET_CODES = np.array([210, 230, 310, 410, 330, 340, 360])
EET_BY_AGE = np.array(
    [
        [0.42, 0.38, 0.05, 0.08, 0.02, 0.02, 0.03],  # 16
        [0.38, 0.36, 0.08, 0.06, 0.04, 0.04, 0.04],  # 17
        [0.03, 0.30, 0.14, 0.04, 0.18, 0.17, 0.14],  # 18
        [0.00, 0.12, 0.12, 0.02, 0.28, 0.30, 0.16],  # 19+
    ]
)
EET_RISK = np.array([-0.5, 0.0, -0.1, 0.4, 0.3, -0.1, 0.3])
HISTORY_CODES = np.array([210, 230, 310, 410, 330, 340, 360, 619, 610, 540, 640, 810])
HISTORY_BY_AGE = np.array(
    [
        [0.30, 0.30, 0.04, 0.08, 0.04, 0.02, 0.05, 0.09, 0.03, 0.02, 0.01, 0.02],  # up to 17
        [0.05, 0.25, 0.10, 0.05, 0.15, 0.10, 0.10, 0.12, 0.03, 0.02, 0.01, 0.02],  # 18
        [0.00, 0.10, 0.10, 0.02, 0.25, 0.22, 0.12, 0.12, 0.03, 0.02, 0.01, 0.01],  # 19+
    ]
)
HISTORY_RISK = np.array([-0.5, 0.0, -0.1, 0.4, 0.2, -0.1, 0.3, 1.0, 1.0, 0.8, 0.6, 0.6])
MAX_PREVIOUS = 7


@dataclass
class Episodes:
    """Activity rows: person index, dates (end NULL_DAY if current), code, hours, org, source."""

    person: np.ndarray
    start: np.ndarray
    end: np.ndarray
    code: np.ndarray
    hours: np.ndarray  # NaN when blank
    org: np.ndarray  # org index or -1
    source: np.ndarray  # index into SOURCES

    @staticmethod
    def concat(parts: list[Episodes]) -> Episodes:
        return Episodes(*(np.concatenate([getattr(p, f) for p in parts]) for f in Episodes.__dataclass_fields__))

    def take(self, index: np.ndarray) -> Episodes:
        return Episodes(*(getattr(self, f)[index] for f in Episodes.__dataclass_fields__))

    def sorted(self) -> Episodes:
        return self.take(np.lexsort((self.start, self.person)))


def neet_targets(las: list[LocalAuthority]) -> np.ndarray:
    """Target NEET share for (LA, academic age 0..24)."""
    base = np.array([a.neet_pct_2012 for a in las]) / 100.0
    multiplier = np.array([NEET_BY_AGE.get(age, NEET_OLDER if age > 19 else 0.0) for age in range(25)])
    return base[:, None] * multiplier[None, :]


def current_codes(rng: np.random.Generator, people: People, las: list[LocalAuthority], idx: np.ndarray) -> np.ndarray:
    """The calibrated current NCCIS code of each post-16 person in ``idx``."""
    age = people.academic_age[idx]
    z = people.z[idx]
    group = people.la[idx] * 25 + age
    neet = choose_share(rng, group, np.exp(1.3 * z), neet_targets(las).ravel())
    code = np.zeros(len(idx), dtype=np.int64)
    female = people.female[idx][neet]
    probs = np.where(female[:, None], NEET_WEIGHTS["F"], NEET_WEIGHTS["M"])
    code[neet] = NEET_CODES[weighted_choice_rows(rng, probs)]
    rest = np.flatnonzero(~neet)
    unknown = choose_prevalence(rng, np.exp(0.5 * z[rest]), 0.035)
    code[rest[unknown]] = np.where(rng.random(int(unknown.sum())) < 0.75, 810, 820)
    eet = rest[~unknown]
    bucket = np.minimum(age[eet], 19) - 16
    probs = EET_BY_AGE[bucket] * np.exp(EET_RISK[None, :] * z[eet, None])
    code[eet] = EET_CODES[weighted_choice_rows(rng, probs)]
    return code


def _duration(rng: np.random.Generator, code: np.ndarray, risk: np.ndarray) -> np.ndarray:
    mean = np.where(np.isin(code, EMPLOYMENT), 320.0, np.where(code >= 800, 70.0, 90.0 * (1 + 2 * risk)))
    return np.maximum(14, rng.exponential(mean)).astype(np.int64)


def _education_start(rng: np.random.Generator, code: np.ndarray, end: np.ndarray) -> np.ndarray:
    """1 September one or two academic years before ``end``: a course taken to ``end``."""
    back = (rng.random(len(code)) < np.where(np.isin(code, (210, 230, 310)), 0.5, 0.2)).astype(np.int64)
    return ymd(academic_year_of(end) - back, 9, 1)


def _starts(
    rng: np.random.Generator, code: np.ndarray, end: np.ndarray, first: np.ndarray, risk: np.ndarray
) -> np.ndarray:
    start = end - _duration(rng, code, risk) + 1
    education = np.isin(code, EDUCATION)
    start[education] = _education_start(rng, code[education], end[education])
    start = np.maximum(start, first)
    return np.where(start - first < 30, first, start)


def _current_start(
    rng: np.random.Generator,
    code: np.ndarray,
    first: np.ndarray,
    today: int,
    risk: np.ndarray,
    sixth_two_year: np.ndarray,
) -> np.ndarray:
    start = _starts(rng, code, np.full(len(code), today), first, risk)
    start[(code == 210) & sixth_two_year] = first[(code == 210) & sixth_two_year]
    return np.minimum(start, today)


def _previous_code(
    rng: np.random.Generator,
    z: np.ndarray,
    age_then: np.ndarray,
    next_code: np.ndarray,
    end: np.ndarray,
    first: np.ndarray,
) -> np.ndarray:
    bucket = np.clip(age_then - 17, 0, 2)
    probs = HISTORY_BY_AGE[bucket] * np.exp(HISTORY_RISK[None, :] * z[:, None])
    code = HISTORY_CODES[weighted_choice_rows(rng, probs)]
    code[(code == 210) & (end - first > 730)] = 230  # sixth form only in the two years after Year 11
    code[(code == next_code) & (code >= 540)] = 330  # one spell NEET, not two in a row
    code[(code == next_code) & (code == 210)] = 230  # a sixth form course is one episode
    return code


def _course_boundary(
    rng: np.random.Generator, code: np.ndarray, boundary: np.ndarray, first: np.ndarray, risk: np.ndarray
) -> np.ndarray:
    """Move the start of the following episode back to 1 September when a course was completed."""
    completes = np.isin(code, EDUCATION) & (rng.random(len(code)) < 0.75 - 0.5 * risk)
    september = ymd(academic_year_of(boundary), 9, 1)
    return np.where(completes & (september > first), september, boundary)


def timelines(
    rng: np.random.Generator, people: People, calendar: SchoolCalendar, idx: np.ndarray, current: np.ndarray
) -> Episodes:
    """Post-16 episodes (after Year 11) for people ``idx`` whose current codes are given.

    Slot 0 holds the current activity and slot j the j-th before it, built backwards.
    """
    m, slots = len(idx), MAX_PREVIOUS + 1
    age = people.academic_age[idx]
    first = calendar.leave_day(age) + 1
    risk, z = people.risk[idx], people.z[idx]
    begin, end = np.full((m, slots), NULL_DAY), np.full((m, slots), NULL_DAY)
    code = np.zeros((m, slots), dtype=np.int64)
    begin[:, 0] = _current_start(rng, current, first, calendar.today, risk, rng.random(m) < 0.85)
    code[:, 0] = current
    active = np.flatnonzero(begin[:, 0] > first)
    for j in range(1, slots):
        boundary = begin[active, j - 1]
        age_then = age[active] - (calendar.academic_year - academic_year_of(boundary - 1))
        earlier = _previous_code(rng, z[active], age_then, code[active, j - 1], boundary - 1, first[active])
        boundary = _course_boundary(rng, earlier, boundary, first[active], risk[active])
        begin[active, j - 1], end[active, j], code[active, j] = boundary, boundary - 1, earlier
        begin[active, j] = _starts(rng, earlier, boundary - 1, first[active], risk[active])
        active = active[begin[active, j] > first[active]]
    # Anyone whose history has not reached Year 11 yet: stretch their earliest episode back to it.
    begin[np.arange(m), (code != 0).sum(axis=1) - 1] = first
    local, slot = np.nonzero(code)
    n = len(local)
    return Episodes(
        idx[local],
        begin[local, slot],
        end[local, slot],
        code[local, slot],
        np.full(n, np.nan),
        np.full(n, -1),
        np.zeros(n, np.int64),
    )


def school_episodes(people: People, calendar: SchoolCalendar, placement: Placement) -> Episodes:
    """Code 110 (at school) from Year 10 to the end of Year 11, for everyone aged 14 or more."""
    idx = np.flatnonzero(people.academic_age >= 14)
    age = people.academic_age[idx]
    start = ymd(calendar.year_started(age, 10), 9, 1)
    end = np.where(age >= 16, calendar.leave_day(age), NULL_DAY)
    n = len(idx)
    return Episodes(
        idx, start, end, np.full(n, 110), np.full(n, np.nan), placement.secondary[idx], np.zeros(n, np.int64)
    )


def describe(
    rng: np.random.Generator, episodes: Episodes, people: People, placement: Placement, calendar: SchoolCalendar
) -> None:
    """Fill in hours per week, organisation and source of post-16 episodes in place."""
    code, n = episodes.code, len(episodes.code)
    hours = np.full(n, np.nan)
    full_time = np.isin(code, (310, 330, 340))
    hours[full_time] = rng.integers(30, 41, int(full_time.sum()))
    part_time = code == 360
    hours[part_time] = np.where(
        rng.random(int(part_time.sum())) < 0.4,
        rng.integers(10, 16, int(part_time.sum())),
        rng.integers(16, 25, int(part_time.sum())),
    )
    college = np.isin(code, (230, 410))
    hours[college] = np.where(
        rng.random(int(college.sum())) < 0.2,
        rng.integers(6, 16, int(college.sum())),
        rng.integers(16, 31, int(college.sum())),
    )
    episodes.hours = hours
    episodes.org = placement.provider_for(rng, code, episodes.person, people.la[episodes.person])
    episodes.source = _sources(rng, episodes, people, calendar)


def _sources(rng: np.random.Generator, episodes: Episodes, people: People, calendar: SchoolCalendar) -> np.ndarray:
    code, n = episodes.code, len(episodes.code)
    u = rng.random(n)
    source = np.full(n, SOURCES.index("careers_service"))
    source[np.isin(code, EDUCATION) & (u < 0.4)] = SOURCES.index("provider")
    adult = people.academic_age[episodes.person] >= 18
    source[(code == 619) & adult & (u < 0.3)] = SOURCES.index("dwp")
    first = calendar.leave_day(people.academic_age[episodes.person]) + 1
    source[(episodes.start == first) & (code != 110) & (u > 0.4)] = SOURCES.index("destination_survey")
    source[code == 110] = SOURCES.index("school_census")
    return source
