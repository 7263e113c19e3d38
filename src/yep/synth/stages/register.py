"""Stages that build the register: people, organisations, characteristics, activities, enrolments."""

from __future__ import annotations

import numpy as np

from yep.synth import activities as act
from yep.synth.addresses import draw_addresses, email_addresses, mobile_numbers
from yep.synth.characteristics import add_from_activities, draw_characteristics
from yep.synth.enrolments import END_REASONS, build_enrolments
from yep.synth.names import draw_names
from yep.synth.organisations import build_organisations
from yep.synth.output import dates, ints, lookup, strings
from yep.synth.population import draw_gender, draw_people
from yep.synth.reference import forenames, surnames
from yep.synth.school_calendar import NULL_DAY
from yep.synth.schools import place_people
from yep.synth.stages.run import Run
from yep.synth.text import objects, words


def people(run: Run) -> None:
    rng, n = run.rng, run.config.people
    p = draw_people(rng, run.las, run.cal, n)
    names = draw_names(rng, p.female, p.origin, p.welsh_speaker)
    address = draw_addresses(rng, run.las, run.districts, p.la)
    first = forenames().values[names.forename]
    middle = np.where(names.middle >= 0, forenames().values[np.maximum(names.middle, 0)], None)
    surname = surnames().values[names.surname]
    age = p.academic_age
    p.columns.update(
        forename=first,
        legal_forenames=objects(words(first, middle, size=n)),
        legal_surname=surname,
        preferred_forename=names.preferred,
        address_line1=address.line1,
        town=address.town,
        postcode=address.postcode,
        gender=draw_gender(rng, p),
    )
    phone = mobile_numbers(rng, n)
    phone[rng.random(n) >= np.select([age < 11, age < 16], [0.15, 0.8], 0.92)] = None
    p.columns["phone"] = phone
    email = email_addresses(rng, first, surname, 1.0)
    email[rng.random(n) >= np.select([age < 11, age < 16], [0.25, 0.8], 0.9)] = None
    p.columns["email"] = email
    run.people, run.names = p, names


def organisations(run: Run) -> None:
    p, n_la = run.people, len(run.las)
    phase = np.select([p.academic_age <= 10, p.academic_age <= 15], [0, 1], 2)
    counts = np.zeros((n_la, 3), dtype=np.int64)
    np.add.at(counts, (p.la, phase), 1)
    run.orgs = build_organisations(run.rng, run.las, run.districts, counts)
    run.write("organisations", {k: strings(v) for k, v in run.orgs.columns().items()})


def characteristics(run: Run) -> None:
    run.chars = draw_characteristics(run.rng, run.people, run.cal)


def activities(run: Run) -> None:
    rng, p = run.rng, run.people
    run.placement = place_people(rng, p, run.orgs, len(run.las), run.chars.complex_needs)
    idx = np.flatnonzero(p.academic_age >= 16)
    current = act.current_codes(rng, p, run.las, idx)
    post16 = act.timelines(rng, p, run.cal, idx, current)
    act.describe(rng, post16, p, run.placement, run.cal)
    now = post16.end == NULL_DAY
    add_from_activities(run.chars, rng, p, run.cal, post16.person[now], post16.code[now], post16.start[now])
    every = act.Episodes.concat([act.school_episodes(p, run.cal, run.placement), post16]).sorted()
    run.post16, run.current = post16, np.zeros(p.n, dtype=np.int64)
    run.current[idx] = current
    run.previous = _previous_codes(every, p.n)
    run.write(
        "activities",
        {
            "person_id": ints(every.person + 1),
            "start": dates(every.start),
            "end": dates(every.end),
            "activity_code": ints(every.code),
            "hours_per_week": ints(np.nan_to_num(every.hours), np.isnan(every.hours)),
            "org_id": lookup(run.org_ids, every.org),
            "source": lookup(np.array(act.SOURCES), every.source),
        },
    )
    c = run.chars.columns()
    run.write(
        "characteristics",
        {
            "person_id": ints(c["person_id"]),
            "kind": strings(c["kind"]),
            "value": strings(c["value"]),
            "start": dates(c["start"]),
            "end": dates(c["end"]),
        },
    )


def _previous_codes(every: act.Episodes, n: int) -> np.ndarray:
    """Each person's latest ended activity code (0 if none); rows are sorted by person, start."""
    result = np.zeros(n, dtype=np.int64)
    ended = np.flatnonzero(every.end != NULL_DAY)
    person = every.person[ended]
    last = np.r_[person[1:] != person[:-1], True]  # the last ended row of each person
    result[person[last]] = every.code[ended[last]]
    return result


def enrolments(run: Run) -> None:
    e = build_enrolments(run.rng, run.people, run.cal, run.placement, run.chars, run.post16)
    run.enrol = e
    run.write(
        "enrolments",
        {
            "person_id": ints(e.person + 1),
            "org_id": lookup(run.org_ids, e.org),
            "year_group": ints(e.year_group, e.year_group == 0),
            "start": dates(e.start),
            "end": dates(e.end),
            "end_reason": lookup(np.array(END_REASONS, dtype=object), np.where(e.reason == 0, -1, e.reason)),
        },
    )
