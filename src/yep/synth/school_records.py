"""School records: attendance by term, exclusions, behaviour incidents and attainment.

Records cover the current and previous academic year for everyone now in Years 2-11, and the
previous year (Year 11) for this autumn's leavers, at whichever school they were enrolled at.
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
from yep.synth.school_calendar import SchoolCalendar, ymd

TERM_NAMES = ("autumn", "spring", "summer")
SUBJECTS = ("english", "welsh", "maths", "science")
KEY_STAGES = {"KS2": (6, 4, 1, 6), "KS3": (9, 5, 2, 8)}  # year completed, expected, min, max


@dataclass(frozen=True)
class Records:
    columns: dict[str, np.ndarray]


def _columns(parts: Sequence[tuple[np.ndarray, ...]]) -> list[np.ndarray]:
    """Concatenate row parts given as tuples of columns."""
    return [np.concatenate(column) for column in zip(*parts, strict=True)]


def _in_scope(people: People) -> np.ndarray:
    return np.flatnonzero((people.academic_age >= 6) & (people.academic_age <= 16))


def _terms(cal: SchoolCalendar) -> list[tuple[int, int, str, int, int, int]]:
    """(term index, academic year, name, first day, last day counted, sessions possible)."""
    result = []
    for k, year in enumerate((cal.academic_year - 1, cal.academic_year)):
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
        leaver = people.academic_age[idx] == 16
        who = idx[~leaver] if year == cal.academic_year else idx
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
    rng: np.random.Generator, people: People, cal: SchoolCalendar, enrol: Enrolments, rate: np.ndarray, idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson counts of dated incidents at the school each person attended on the day."""
    count = rng.poisson(rate)
    person = np.repeat(idx, count)
    first = ymd(cal.academic_year - 1, 9, 1)
    last = np.minimum(cal.today, cal.leave_day(people.academic_age[person]))
    day = first + (rng.random(len(person)) * np.maximum(last - first, 1)).astype(np.int64)
    org = enrol.school_at(person, day)
    keep = org >= 0
    return person[keep], org[keep], day[keep]


def exclusions(rng: np.random.Generator, people: People, cal: SchoolCalendar, enrol: Enrolments) -> Records:
    idx = _in_scope(people)
    secondary = np.where(people.academic_age[idx] >= 11, 1.0, 0.25)
    person, org, day = _incidents(rng, people, cal, enrol, (0.02 + 2.0 * people.risk[idx] ** 2) * secondary, idx)
    days = np.minimum(1 + rng.geometric(0.45, len(person)) - 1, 15)
    p_person, p_org, p_day = enrol.permanent_exclusions
    window = p_day >= ymd(cal.academic_year - 1, 9, 1)
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
    phase = np.where(people.academic_age[idx] >= 11, 1.0, 0.5)
    person, org, day = _incidents(rng, people, cal, enrol, (0.3 + 8.0 * people.risk[idx] ** 1.5) * phase, idx)
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
