"""School records: attendance by term, exclusions, behaviour incidents and attainment.

Attendance, exclusions and behaviour cover three academic years (the current one and the two before),
for each year in which a young person was in Years 1-11, at whichever school they were enrolled at. So
the two latest leaver cohorts keep their school history: this autumn's leavers (academic age 16) have
Years 10 and 11, last year's (17) Year 11 — what early identification's back-test scores them on.
Attendance falls with risk and keeps falling term by term for the young people most at risk;
exclusions and behaviour incidents rise with risk, and key stage results fall with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from yep.synth.characteristics import Characteristics
from yep.synth.enrolments import Enrolments
from yep.synth.population import People
from yep.synth.school_calendar import SchoolCalendar, academic_year_of, ymd

TERM_NAMES = ("autumn", "spring", "summer")
SUBJECTS = ("english", "welsh", "maths", "science")
KEY_STAGES = {"KS2": (6, 4, 1, 6), "KS3": (9, 5, 2, 8)}  # year completed, expected, min, max
YEARS = 3  # academic years of attendance, exclusions and behaviour: the current one and the two before


@dataclass(frozen=True)
class Records:
    columns: dict[str, np.ndarray]


def _columns(parts: Sequence[tuple[np.ndarray, ...]]) -> list[np.ndarray]:
    """Concatenate row parts given as tuples of columns."""
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def _in_scope(people: People) -> np.ndarray:
    """Everyone who was in Years 1-11 during one of the years covered."""
    return np.flatnonzero((people.academic_age >= 6) & (people.academic_age <= 15 + YEARS - 1))


def _first_year(cal: SchoolCalendar) -> int:
    return cal.academic_year - YEARS + 1


def _year_group_then(people: People, idx: np.ndarray, cal: SchoolCalendar, year: int | np.ndarray) -> np.ndarray:
    """Each person's year group in the academic year starting in ``year`` (0 Reception, 12+ left school)."""
    return people.academic_age[idx] - (cal.academic_year - np.asarray(year)) - 4


def _terms(cal: SchoolCalendar) -> list[tuple[int, int, str, int, int, int]]:
    """(term index, academic year, name, first day, last day counted, sessions possible).

    Term 0 is the autumn of last year, as before the third year was added, so attendance in the two latest
    years is drawn as it always was; the year before has negative indices (attendance not yet fallen).
    """
    result = []
    for year in range(_first_year(cal), cal.academic_year + 1):
        k = year - (cal.academic_year - 1)
        for t, (name, first, last, sessions) in enumerate(cal.terms(year)):
            if first > cal.today:
                continue
            counted = min(last, cal.today)
            possible = round(sessions * (counted - first + 1) / (last - first + 1))
            if possible >= 5:
                result.append((3 * k + t, year, name, first, counted, possible))
    return result


def attendance(rng: np.random.Generator, people: People, cal: SchoolCalendar, enrol: Enrolments) -> Records:
    idx = _in_scope(people)
    risk_shape = people.risk[idx] ** 1.5
    personal = rng.normal(0, 0.015, len(idx))
    parts = []
    for term, year, name, _first, last, possible in _terms(cal):
        year_group = _year_group_then(people, idx, cal, year)
        who = idx[(year_group >= 1) & (year_group <= 11)]
        org = enrol.school_at(who, np.full(len(who), last))
        sel = org >= 0
        at = np.searchsorted(idx, who[sel])
        rate = 0.972 - 0.25 * risk_shape[at] - 0.04 * risk_shape[at] * term + personal[at]
        rate = np.clip(rate + rng.normal(0, 0.02, len(at)), 0.2, 1.0)
        attended = rng.binomial(possible, rate)
        n = len(at)
        parts.append(
            (who[sel], org[sel], np.full(n, year), np.full(n, TERM_NAMES.index(name)), np.full(n, possible), attended)
        )
    person, org_index, years, term_index, sessions, present = _columns(parts)
    order = np.lexsort((term_index, years, person))
    return Records(
        {
            "person_id": person[order] + 1,
            "org_id": org_index[order],
            "academic_year": years[order],
            "term": np.array(TERM_NAMES, dtype=object)[term_index[order]],
            "sessions_possible": sessions[order],
            "sessions_attended": present[order],
        }
    )


def _incidents(
    rng: np.random.Generator,
    people: People,
    cal: SchoolCalendar,
    enrol: Enrolments,
    rate: np.ndarray,
    primary_share: float,
    idx: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dated incidents at the school each person attended on the day.

    ``rate`` is per school year at secondary; days in primary school keep ``primary_share`` of it. Each
    person's window runs from Year 1 (or the first year covered) to the end of Year 11 (or today), so the
    rate per year does not depend on the as-of date.
    """
    age = people.academic_age[idx]
    first = np.maximum(ymd(_first_year(cal), 9, 1), ymd(cal.year_started(age, 1), 9, 1))
    last = np.minimum(cal.today, cal.leave_day(age))
    span = np.maximum(last - first, 1)
    count = rng.poisson(rate * span / 365.25)
    person, first, span = np.repeat(idx, count), np.repeat(first, count), np.repeat(span, count)
    day = first + (rng.random(len(person)) * span).astype(np.int64)
    year_group = _year_group_then(people, person, cal, academic_year_of(day))
    org = enrol.school_at(person, day)
    keep = (org >= 0) & ((year_group >= 7) | (rng.random(len(person)) < primary_share))
    return person[keep], org[keep], day[keep]


def _first_per_day(person: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Indices of the first row of each (person, day), in (person, day) order."""
    order = np.lexsort((day, person))
    p, d = person[order], day[order]
    return order[np.r_[True, (p[1:] != p[:-1]) | (d[1:] != d[:-1])]]


def exclusions(rng: np.random.Generator, people: People, cal: SchoolCalendar, enrol: Enrolments) -> Records:
    idx = _in_scope(people)
    person, org, day = _incidents(rng, people, cal, enrol, 0.02 + 2.0 * people.risk[idx] ** 2, 0.25, idx)
    # At most one fixed-term exclusion starts on a day: the register keeps one per person, day and kind.
    once = _first_per_day(person, day)
    person, org, day = person[once], org[once], day[once]
    days = np.minimum(1 + rng.geometric(0.45, len(person)) - 1, 15)
    p_person, p_org, p_day = enrol.permanent_exclusions
    window = p_day >= ymd(_first_year(cal), 9, 1)
    person = np.concatenate([person, p_person[window]])
    kind = np.r_[np.zeros(len(org), np.int64), np.ones(int(window.sum()), np.int64)]
    org, day = np.concatenate([org, p_org[window]]), np.concatenate([day, p_day[window]])
    days = np.r_[days, np.full(int(window.sum()), -1)]
    order = np.lexsort((day, person))
    return Records(
        {
            "person_id": person[order] + 1,
            "org_id": org[order],
            "date": day[order],
            "kind": np.array(["fixed_term", "permanent"], dtype=object)[kind[order]],
            "days": days[order],
        }
    )


def behaviour(rng: np.random.Generator, people: People, cal: SchoolCalendar, enrol: Enrolments) -> Records:
    idx = _in_scope(people)
    person, org, day = _incidents(rng, people, cal, enrol, 0.3 + 8.0 * people.risk[idx] ** 1.5, 0.5, idx)
    r = people.risk[person]
    u = rng.random(len(person))
    severity = np.where(u < 0.05 + 0.3 * r, 3, np.where(u < 0.3 + 0.5 * r, 2, 1))
    order = np.lexsort((day, person))
    return Records(
        {
            "person_id": person[order] + 1,
            "org_id": org[order],
            "date": day[order],
            "severity": severity[order],
        }
    )


def attainment(rng: np.random.Generator, people: People, chars: Characteristics, welsh_medium: np.ndarray) -> Records:
    """Teacher-assessed levels at KS2 (expected 4) and KS3 (expected 5) for those past them."""
    ability = -0.9 * people.z + rng.normal(0, 0.7, people.n) - 0.8 * chars.flag("aln", people.n)
    parts = []
    for stage, (year_done, expected, low, high) in KEY_STAGES.items():
        for s, subject in enumerate(SUBJECTS):
            eligible = people.academic_age >= year_done + 5
            if subject == "welsh":
                eligible &= welsh_medium
            who = np.flatnonzero(eligible)
            raw = expected + 0.3 + 0.8 * ability[who] + rng.normal(0, 0.5, len(who))
            result = np.clip(np.round(raw), low, high).astype(np.int64)
            parts.append(
                (
                    who,
                    np.full(len(who), list(KEY_STAGES).index(stage)),
                    np.full(len(who), s),
                    result,
                    np.full(len(who), expected),
                )
            )
    person, stages, subjects, results, expected_levels = _columns(parts)
    order = np.lexsort((subjects, stages, person))
    return Records(
        {
            "person_id": person[order] + 1,
            "key_stage": np.array(list(KEY_STAGES), dtype=object)[stages[order]],
            "subject": np.array(SUBJECTS, dtype=object)[subjects[order]],
            "result": results[order],
            "expected": expected_levels[order],
        }
    )
