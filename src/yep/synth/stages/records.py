"""Stages that complete the records: identifiers (then people.csv), school records, contacts,
and the agencies' extracts with their ground truth."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from yep.synth import extracts as ext
from yep.synth import school_records as sr
from yep.synth.contacts import build_contacts
from yep.synth.enrolments import END_REASONS
from yep.synth.identifiers import uln_strings, unique_ni_numbers, unique_ulns, upn_body, upn_strings
from yep.synth.output import dates, ints, lookup, strings
from yep.synth.sampling import group_ranks
from yep.synth.school_calendar import NULL_DAY
from yep.synth.stages.run import Run
from yep.synth.text import objects

PEOPLE_COLUMNS = ("legal_forenames", "legal_surname", "preferred_forename")
CONTACT_COLUMNS = ("address_line1", "town", "postcode")


def _upns(run: Run) -> np.ndarray:
    """UPNs allocated by each person's first school in their Reception year; ~3% have none."""
    p, rng = run.people, run.rng
    school = run.placement.primary
    # Establishment numbers are the LA code and a 4-digit school number; non-schools get 0 (never used).
    establishment = np.array([int(r["code"]) if r["kind"] == "school" else 0 for r in run.orgs.rows], dtype=np.int64)
    la, number = np.divmod(establishment[school], 10_000)
    year = run.cal.year_started(p.academic_age, 0)
    serial = group_ranks(school * 1000 + (year % 1000), rng.random(p.n)) + 1
    result = objects(upn_strings(upn_body(la, number, year, np.minimum(serial, 999))))
    result[(rng.random(p.n) < 0.03) | (serial > 999)] = None
    return result


def _numbered(eligible: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give the eligible people the first identifiers; keep the rest for people outside."""
    result = np.full(len(eligible), None, dtype=object)
    k = int(eligible.sum())
    result[eligible] = values[:k]
    return result, values[k:]


def identifiers(run: Run) -> None:
    p, rng, n = run.people, run.rng, run.people.n
    spare = max(100, n // 20)
    age = p.academic_age
    p.columns["upn"] = _upns(run)
    has_uln = (age >= 14) & (rng.random(n) < 0.92)
    ulns = objects(uln_strings(unique_ulns(rng, int(has_uln.sum()) + spare)))
    p.columns["uln"], run.spare["uln"] = _numbered(has_uln, ulns)
    has_ni = (age >= 16) & (rng.random(n) < np.where(age == 16, 0.85, 0.95))
    nis = objects(unique_ni_numbers(rng, int(has_ni.sum()) + spare))
    p.columns["ni_number"], run.spare["ni_number"] = _numbered(has_ni, nis)
    _write_people(run)


def _write_people(run: Run) -> None:
    p, c = run.people, run.people.columns
    la_codes = np.array([a.code for a in run.las], dtype=object)
    run.write(
        "people",
        {
            "person_id": ints(p.person_id),
            **{k: strings(c[k]) for k in PEOPLE_COLUMNS},
            "dob": dates(p.dob),
            "sex": strings(np.where(p.female, "F", "M").astype(object)),
            "gender": strings(c["gender"]),
            **{k: strings(c[k]) for k in CONTACT_COLUMNS},
            "la_code": strings(la_codes[p.la]),
            "preferred_language": strings(np.where(p.welsh_speaker, "cy", "en").astype(object)),
            **{k: strings(c[k]) for k in ("phone", "email", "upn", "uln", "ni_number")},
        },
    )


def _with_orgs(run: Run, columns: dict[str, np.ndarray], date_columns: tuple[str, ...] = ()) -> dict[str, pa.Array]:
    result = {}
    for key, values in columns.items():
        if key == "org_id":
            result[key] = lookup(run.org_ids, values)
        elif key in date_columns:
            result[key] = dates(values)
        elif values.dtype == object:
            result[key] = strings(values)
        else:
            result[key] = ints(values, values < 0)
    return result


def school_records(run: Run) -> None:
    rng, p, cal, enrol = run.rng, run.people, run.cal, run.enrol
    run.write("attendance", _with_orgs(run, sr.attendance(rng, p, cal, enrol).columns))
    run.write("exclusions", _with_orgs(run, sr.exclusions(rng, p, cal, enrol).columns, ("date",)))
    run.write("behaviour", _with_orgs(run, sr.behaviour(rng, p, cal, enrol).columns, ("date",)))
    welsh = np.array(run.orgs.welsh_medium + [False])
    medium = welsh[run.placement.primary] | welsh[run.placement.secondary]
    run.write("attainment", _with_orgs(run, sr.attainment(rng, p, run.chars, medium).columns))


def contacts(run: Run) -> None:
    columns = build_contacts(run.rng, run.people, run.chars, run.names.surname)
    run.write("contacts", _with_orgs(run, columns))


def _fe_base(run: Run) -> ext.Base:
    e = run.enrol
    kinds = np.array([r["kind"] for r in run.orgs.rows], dtype=object)
    at_college = kinds[e.org] == "fe_college"
    reason = np.array(END_REASONS, dtype=object)[e.reason[at_college]]
    status = np.where(
        e.end[at_college] == NULL_DAY, "enrolled", np.where(reason == "completed", "completed", "withdrawn")
    )
    ukprn = np.array([r["code"] for r in run.orgs.rows], dtype=object)[e.org[at_college]]
    return ext.fe_base(e.person[at_college], ukprn, status.astype(object))


def extracts(run: Run) -> None:
    rng, p = run.rng, run.people
    ctx = ext.Context(p, run.cal, run.las, run.districts, run.spare)
    bases = {
        "careers_service": (ext.careers_base(rng, p, run.current, run.previous), 14),
        "fe_learners": (_fe_base(run), 16),
        "dwp": (ext.dwp_base(rng, p, run.current), 16),
    }
    truth_parts = []
    for source, (base, min_age) in bases.items():
        columns, truth = ext.build_extract(rng, ctx, source, base, min_age)
        run.write(f"extracts/{source}", _with_orgs(run, columns, ("dob",)))
        truth_parts.append(truth)
    truth = {k: np.concatenate([t[k] for t in truth_parts]) for k in truth_parts[0]}
    run.write("truth", _with_orgs(run, truth))
    run.write("truth_risk", {"person_id": ints(p.person_id), "risk": _risk(p.risk)})


def _risk(risk: np.ndarray) -> pa.Array:
    return pa.array(np.round(risk, 4), pa.float64())
