"""Characteristics: ethnicity for everyone, and needs and circumstances at realistic rates.

Each kind is given to a fixed share of the eligible people, chosen with a loading on the hidden
risk (free school meals ~20%, ALN ~15%, looked after ~1% of under-18s, young carers ~3%, Families
First ~6% at some time before 18, a social worker now for ~3% of under-18s ...). Every looked-after
child has a social worker while looked after. A row has a start and, once it no longer applies, an
end; a blank end means current.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from yep.synth.population import People
from yep.synth.reference import ethnicities
from yep.synth.sampling import (
    choose_prevalence,
    uniform_days,
    weighted_choice,
    weighted_choice_rows,
)
from yep.synth.school_calendar import NULL_DAY, SchoolCalendar, ymd

KINDS = (
    "ethnicity",
    "fsm",
    "looked_after",
    "care_experienced",
    "aln",
    "young_carer",
    "young_parent",
    "pregnancy",
    "youth_justice",
    "eotas",
    "home_educated",
    "disability",
    "refugee_asylum",
    "families_first",
    "social_worker",
)
ALN_CATEGORIES = np.array(["MLD", "SPLD", "SLCN", "SEMH", "ASD", "OTH", "PD", "HI", "VI", "SLD", "PMLD", "MSI"])
ALN_CATEGORY_WEIGHTS = [22, 15, 15, 18, 15, 5, 3, 2, 1, 2, 0.5, 0.5]
ALN_LEVELS = np.array(["school_idp", "la_idp", "statement"])
EIGHTEEN = 6575  # days, about 18 years
# Children in need or on a protection plan, at some time: with the looked after, ~3% of under-18s have a social
# worker now and ~1 in 10 young people had one at some time (about the 1 in 10 over six years found by the DfE's
# review of children in need, 2019).
SOCIAL_WORKER_SHARE = 0.075
DISABILITIES = np.array(["physical", "sensory", "learning", "mental_health", "long_term_condition"])


@dataclass
class Characteristics:
    person: list[np.ndarray] = field(default_factory=list)
    kind: list[np.ndarray] = field(default_factory=list)
    value: list[np.ndarray] = field(default_factory=list)
    start: list[np.ndarray] = field(default_factory=list)
    end: list[np.ndarray] = field(default_factory=list)
    has: dict[str, np.ndarray] = field(default_factory=dict)  # current or past, per person
    since: dict[str, np.ndarray] = field(default_factory=dict)  # latest start day, per person
    complex_needs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # set with ALN

    def add(
        self,
        n_people: int,
        kind: str,
        person: np.ndarray,
        value: np.ndarray | str,
        start: np.ndarray,
        end: np.ndarray | None = None,
    ) -> None:
        n = len(person)
        self.person.append(person)
        self.kind.append(np.full(n, KINDS.index(kind)))
        self.value.append(np.full(n, value, dtype=object) if isinstance(value, str) else value.astype(object))
        self.start.append(np.asarray(start, dtype=np.int64))
        self.end.append(np.full(n, NULL_DAY) if end is None else np.asarray(end, dtype=np.int64))
        self.has.setdefault(kind, np.zeros(n_people, dtype=bool))[person] = True
        self.since.setdefault(kind, np.full(n_people, NULL_DAY))[person] = start

    def flag(self, kind: str, n_people: int) -> np.ndarray:
        return self.has.get(kind, np.zeros(n_people, dtype=bool))

    def columns(self) -> dict[str, np.ndarray]:
        person, kind, start = (np.concatenate(x) for x in (self.person, self.kind, self.start))
        order = np.lexsort((start, kind, person))
        return {
            "person_id": person[order] + 1,
            "kind": np.array(KINDS, dtype=object)[kind[order]],
            "value": np.concatenate(self.value)[order],
            "start": start[order],
            "end": np.concatenate(self.end)[order],
        }


def _pick(
    rng: np.random.Generator, people: People, eligible: np.ndarray, loading: float, prevalence: float
) -> np.ndarray:
    idx = np.flatnonzero(eligible)
    return idx[choose_prevalence(rng, np.exp(loading * people.z[idx]), prevalence)]


def _ethnicity(c: Characteristics, rng: np.random.Generator, people: People, school_start: np.ndarray) -> None:
    codes = np.array(ethnicities()[0], dtype=object)
    everyone = np.arange(people.n)
    c.add(people.n, "ethnicity", everyone, codes[people.ethnicity], school_start)
    refu = people.ethnicity == list(codes).index("REFU")
    migrant = (people.origin > 0) & (rng.random(people.n) < 0.015)
    who = np.flatnonzero((refu & (rng.random(people.n) < 0.9)) | migrant)
    value = np.where(rng.random(len(who)) < 0.6, "refugee", "asylum_seeker")
    c.add(people.n, "refugee_asylum", who, value, school_start[who])


def _school_flag(
    c: Characteristics,
    rng: np.random.Generator,
    people: People,
    cal: SchoolCalendar,
    kind: str,
    who: np.ndarray,
    school_start: np.ndarray,
    value: np.ndarray | str = "Y",
) -> None:
    """A flag held at school: current for pupils, ended at the end of Year 11 for leavers."""
    leave = cal.leave_day(people.academic_age[who])
    last = np.minimum(leave, cal.today) - 30
    start = uniform_days(rng, school_start[who], np.maximum(last, school_start[who]))
    end = np.where(people.academic_age[who] >= 16, leave, NULL_DAY)
    c.add(people.n, kind, who, value, start, end)


def _aln(
    c: Characteristics, rng: np.random.Generator, people: People, cal: SchoolCalendar, school_start: np.ndarray
) -> None:
    who = _pick(rng, people, np.ones(people.n, bool), 0.7, 0.15)
    age = people.academic_age[who]
    # IDPs replaced statements from 2021, so statements survive mostly among older pupils.
    level_weights = np.where(
        (age <= 12)[:, None], [75.0, 20, 5], np.where((age <= 15)[:, None], [55.0, 20, 25], [35.0, 15, 50])
    )
    level = ALN_LEVELS[weighted_choice_rows(rng, level_weights)]
    category = ALN_CATEGORIES[weighted_choice(rng, ALN_CATEGORY_WEIGHTS, len(who))]
    _school_flag(c, rng, people, cal, "aln", who, school_start, np.char.add(np.char.add(level, ":"), category))
    complex_needs = np.isin(category, ("SLD", "PMLD", "MSI")) | (
        (level != "school_idp") & np.isin(category, ("ASD", "SEMH")) & (rng.random(len(who)) < 0.3)
    )
    c.complex_needs = np.zeros(people.n, dtype=bool)
    c.complex_needs[who[complex_needs]] = True


def _care(c: Characteristics, rng: np.random.Generator, people: People, cal: SchoolCalendar) -> None:
    who = _pick(rng, people, np.ones(people.n, bool), 1.6, 0.025)
    dob = people.dob[who]
    eighteen = dob + EIGHTEEN
    start = uniform_days(rng, dob + 365, np.minimum(eighteen, cal.today) - 60)
    still = (people.academic_age[who] <= 17) & (rng.random(len(who)) < 0.45)
    end = np.where(still, NULL_DAY, uniform_days(rng, start + 60, np.minimum(eighteen, cal.today - 1)))
    c.add(people.n, "looked_after", who, "Y", start, end)
    c.add(people.n, "care_experienced", who, "Y", start)
    # A looked-after child always has a social worker, for as long as they are looked after.
    c.add(people.n, "social_worker", who, "Y", start, end)


def _childhood_spells(
    rng: np.random.Generator, people: People, cal: SchoolCalendar, who: np.ndarray, lookback: int, days: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of one spell of support for each of ``who``, begun in the last ``lookback`` days and before
    18, lasting ``days`` (low, high) and ended at 18 at the latest; the end is blank while it continues."""
    first, last = _spell_window(people, cal, lookback)
    start = uniform_days(rng, first[who], last[who])
    end = np.minimum(start + rng.integers(*days, len(who)), people.dob[who] + EIGHTEEN)
    return start, np.where(end >= cal.today, NULL_DAY, end)


def _spell_window(people: People, cal: SchoolCalendar, lookback: int) -> tuple[np.ndarray, np.ndarray]:
    """First and last day a childhood spell of support may begin (from age 2, at least a month before 18)."""
    first = np.maximum(people.dob + 2 * 365, cal.today - lookback)
    last = np.minimum(people.dob + EIGHTEEN, cal.today) - 30
    return first, last


def _support(c: Characteristics, rng: np.random.Generator, people: People, cal: SchoolCalendar) -> None:
    """Families First (a team around the family) and social workers beyond looked-after children: both during
    childhood, more often the higher the risk. Runs after ``_care``, whose children already have a social worker."""
    n = people.n
    first, last = _spell_window(people, cal, 8 * 365)
    who = _pick(rng, people, last - first >= 30, 0.9, 0.06)
    c.add(n, "families_first", who, "Y", *_childhood_spells(rng, people, cal, who, 8 * 365, (120, 720)))
    # Children in need and on child protection plans, besides those looked after.
    first, last = _spell_window(people, cal, 6 * 365)
    who = _pick(rng, people, (last - first >= 30) & ~c.flag("looked_after", n), 1.4, SOCIAL_WORKER_SHARE)
    c.add(n, "social_worker", who, "Y", *_childhood_spells(rng, people, cal, who, 6 * 365, (180, 1000)))


def _circumstances(c: Characteristics, rng: np.random.Generator, people: People, cal: SchoolCalendar) -> None:
    age, n, today = people.academic_age, people.n, cal.today
    who = _pick(rng, people, age >= 8, 0.6, 0.03)
    c.add(n, "young_carer", who, "Y", uniform_days(rng, people.dob[who] + 7 * 365, today - 30))
    parent_share = np.where(people.female, 1.0, 0.3)
    who = _pick(rng, people, (age >= 16) & (rng.random(n) < parent_share), 1.0, 0.025)
    c.add(
        n, "young_parent", who, "Y", uniform_days(rng, np.maximum(people.dob[who] + 16 * 365, today - 1000), today - 1)
    )
    who = _pick(rng, people, (age >= 15) & people.female, 0.8, 0.008)
    c.add(n, "pregnancy", who, "Y", today - rng.integers(14, 240, len(who)))
    who = _pick(rng, people, age >= 11, 1.8, 0.015)
    start = uniform_days(rng, np.maximum(people.dob[who] + 10 * 365, today - 5 * 365), today - 30)
    end = np.where(
        rng.random(len(who)) < 0.5, np.minimum(start + rng.integers(180, 540, len(who)), today - 1), NULL_DAY
    )
    c.add(n, "youth_justice", who, "Y", start, end)
    who = _pick(rng, people, np.ones(n, bool), 0.4, 0.04)
    c.add(
        n,
        "disability",
        who,
        DISABILITIES[rng.integers(0, len(DISABILITIES), len(who))],
        uniform_days(rng, people.dob[who], today - 1),
    )


def draw_characteristics(rng: np.random.Generator, people: People, cal: SchoolCalendar) -> Characteristics:
    c = Characteristics()
    school_start = ymd(cal.year_started(people.academic_age, 0), 9, 1)
    _ethnicity(c, rng, people, school_start)
    _school_flag(c, rng, people, cal, "fsm", _pick(rng, people, np.ones(people.n, bool), 1.1, 0.20), school_start)
    _care(c, rng, people, cal)
    _support(c, rng, people, cal)
    _aln(c, rng, people, cal, school_start)
    _circumstances(c, rng, people, cal)
    _out_of_school(c, rng, people, cal)
    return c


def _out_of_school(c: Characteristics, rng: np.random.Generator, people: People, cal: SchoolCalendar) -> None:
    """Education other than at school, and home education, which began during the current phase."""
    first = cal.latest_phase_start(people.academic_age) + 60
    last = cal.today - 30
    pupils = (people.academic_age >= 6) & (people.academic_age <= 15) & (last > first)
    for kind, loading, share in (("eotas", 1.5, 0.006), ("home_educated", 0.3, 0.008)):
        who = _pick(rng, people, pupils & ~c.flag("eotas", people.n), loading, share)
        c.add(people.n, kind, who, "Y", uniform_days(rng, first[who], np.full(len(who), last)))


def add_from_activities(
    c: Characteristics,
    rng: np.random.Generator,
    people: People,
    cal: SchoolCalendar,
    person: np.ndarray,
    code: np.ndarray,
    start: np.ndarray,
) -> None:
    """Make the record consistent with current NEET reasons (young carer, parent, pregnancy)."""
    for activity, kind in ((620, "young_carer"), (630, "young_parent"), (650, "pregnancy")):
        who = (code == activity) & ~c.flag(kind, people.n)[person]
        begin = start[who] - rng.integers(0, 200, int(who.sum())) if kind != "pregnancy" else start[who]
        c.add(people.n, kind, person[who], "Y", np.minimum(begin, cal.today - 1))
