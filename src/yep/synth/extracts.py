"""Agencies' extracts with realistic errors, and the ground truth to score linkage against.

Three sources hold noisy copies of the young people they would plausibly know:

* ``careers_service``: everyone from academic age 14 the careers service has met, with the UPN
  sometimes and the NCCIS code it last recorded (sometimes out of date) as ``status``;
* ``fe_learners``: one record per FE college enrolment, with the ULN, the college's UKPRN and
  ``status`` enrolled / completed / withdrawn;
* ``dwp``: claimants aged 16+ (mostly NEET) and some people in work on Universal Credit, with
  the NI number and a benefit ``status``.

Each extract also has a few duplicates and some records of people who are not in the
population at all. Record ids are random, and rows are in random order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from yep.synth import noise
from yep.synth.activities import NEET_CODES
from yep.synth.addresses import DistrictTable, draw_addresses
from yep.synth.names import draw_names, draw_surnames
from yep.synth.population import People, draw_people
from yep.synth.reference import LocalAuthority, forenames, surnames
from yep.synth.school_calendar import SchoolCalendar

SOURCES = ("careers_service", "fe_learners", "dwp")


@dataclass(frozen=True)
class SourceProfile:
    prefix: str
    identifier: str
    identifier_kept: float
    preferred_name: float
    name_variant: float
    diacritics_dropped: float
    upper_case: float


PROFILES = {
    "careers_service": SourceProfile("CWS", "upn", 0.45, 0.6, 0.05, 0.3, 0.02),
    "fe_learners": SourceProfile("FEL", "uln", 0.88, 0.5, 0.05, 0.3, 0.03),
    "dwp": SourceProfile("DWP", "ni_number", 0.96, 0.15, 0.10, 0.7, 0.4),
}


@dataclass
class Base:
    """Clean records before errors: person index (-1 for nobody) and the source's fields."""

    person: np.ndarray
    status: np.ndarray
    extra: dict[str, np.ndarray]  # source-specific columns without errors (e.g. provider UKPRN)


@dataclass(frozen=True)
class Context:
    people: People
    cal: SchoolCalendar
    las: list[LocalAuthority]
    districts: DistrictTable
    spare: dict[str, np.ndarray]  # identifiers reserved for people outside the population


def careers_base(rng: np.random.Generator, people: People, current: np.ndarray, previous: np.ndarray) -> Base:
    who = np.flatnonzero((people.academic_age >= 14) & (rng.random(people.n) < 0.92))
    status = np.where(people.academic_age[who] >= 16, current[who], 110)
    stale = (rng.random(len(who)) < 0.08) & (previous[who] > 0)
    status = np.where(stale, previous[who], status)
    return Base(who, status.astype(str).astype(object), {})


def fe_base(person: np.ndarray, ukprn: np.ndarray, status: np.ndarray) -> Base:
    return Base(person, status, {"provider_ukprn": ukprn})


def dwp_base(rng: np.random.Generator, people: People, current: np.ndarray) -> Base:
    age = people.academic_age
    claimant = np.isin(current, NEET_CODES) & (rng.random(people.n) < np.where(age >= 18, 0.75, 0.25))
    working = np.isin(current, (330, 360)) & (age >= 18) & (rng.random(people.n) < 0.12)
    who = np.flatnonzero(claimant | working)
    code = current[who]
    status = np.select(
        [np.isin(code, (330, 360)), np.isin(code, (619, 610, 540)), (code == 640) & (rng.random(len(who)) < 0.5)],
        ["uc_working", "uc_searching", "esa"],
        "uc_no_work_requirements",
    )
    return Base(who, status.astype(object), {})


def _with_duplicates_and_outsiders(rng: np.random.Generator, base: Base) -> Base:
    n = len(base.person)
    dupes = rng.integers(0, max(n, 1), int(round(0.015 * n))) if n else np.empty(0, np.int64)
    outsiders = rng.integers(0, max(n, 1), int(round(0.03 * n))) if n else np.empty(0, np.int64)
    rows = np.r_[np.arange(n), dupes, outsiders]
    person = np.r_[base.person, base.person[dupes], np.full(len(outsiders), -1)]
    extra = {k: v[rows] for k, v in base.extra.items()}
    return Base(person, base.status[rows], extra)


def _outsider_fields(
    rng: np.random.Generator, ctx: Context, count: int, min_age: int, identifier: str
) -> dict[str, np.ndarray]:
    """Plausible people who are not in the population, for the non-matching records."""
    others = draw_people(rng, ctx.las, ctx.cal, count)
    others.academic_age[:] = np.maximum(others.academic_age, min_age)
    first, last = ctx.cal.dob_window(others.academic_age)
    others.dob[:] = first + (rng.random(count) * (last - first + 1)).astype(np.int64)
    names = draw_names(rng, others.female, others.origin, others.welsh_speaker)
    address = draw_addresses(rng, ctx.las, ctx.districts, others.la)
    spare = ctx.spare.get(identifier, np.empty(0, dtype=object))
    ids = np.full(count, None, dtype=object)
    if len(spare):
        ids[:] = spare[np.arange(count) % len(spare)]
    return {
        "forename": forenames().values[names.forename],
        "surname": surnames().values[names.surname],
        "dob": others.dob,
        "sex": np.where(others.female, "F", "M").astype(object),
        "postcode": address.postcode,
        "address_line1": address.line1,
        identifier: ids,
    }


def _clean_fields(
    rng: np.random.Generator, ctx: Context, base: Base, profile: SourceProfile, min_age: int
) -> dict[str, np.ndarray]:
    cols = ctx.people.columns
    inside = base.person >= 0
    p = np.where(inside, base.person, 0)
    preferred = cols["preferred_forename"][p]
    use_preferred = (rng.random(len(p)) < profile.preferred_name) & preferred.astype(bool)  # None and "" are False
    forename = np.where(use_preferred, preferred, cols["forename"][p])
    forename = np.where(rng.random(len(p)) < 0.05, cols["legal_forenames"][p], forename)
    fields = {
        "forename": forename,
        "surname": cols["legal_surname"][p],
        "dob": ctx.people.dob[p],
        "sex": np.where(ctx.people.female[p], "F", "M").astype(object),
        "postcode": cols["postcode"][p],
        "address_line1": cols["address_line1"][p],
        profile.identifier: cols[profile.identifier][p],
    }
    out = np.flatnonzero(~inside)
    for key, values in _outsider_fields(rng, ctx, len(out), min_age, profile.identifier).items():
        fields[key][out] = values
    return fields


def _moved_address(rng: np.random.Generator, ctx: Context, fields: dict[str, np.ndarray], person: np.ndarray) -> None:
    """An old address for some: the source has not heard the young person moved."""
    rows = np.flatnonzero((rng.random(len(person)) < 0.05) & (person >= 0))
    old = draw_addresses(rng, ctx.las, ctx.districts, ctx.people.la[person[rows]])
    fields["postcode"][rows] = old.postcode
    fields["address_line1"][rows] = old.line1


def _add_errors(
    rng: np.random.Generator, ctx: Context, fields: dict[str, np.ndarray], person: np.ndarray, profile: SourceProfile
) -> None:
    f = fields
    f["forename"] = noise.name_variants(rng, f["forename"], profile.name_variant)
    f["forename"] = noise.drop_diacritics(rng, noise.typos(rng, f["forename"], 0.03), profile.diacritics_dropped)
    new_surname = surnames().values[draw_surnames(rng, ctx.people.origin[np.maximum(person, 0)])]
    f["surname"] = noise.replace_some(rng, f["surname"], 0.003, new_surname)
    f["surname"] = noise.shorten_hyphenated(rng, noise.typos(rng, f["surname"], 0.03), 0.4)
    f["surname"] = noise.drop_diacritics(rng, f["surname"], profile.diacritics_dropped)
    for key in ("forename", "surname"):
        f[key] = noise.blank(rng, noise.change_case(rng, f[key], profile.upper_case, 0.8), 0.004)
    f["dob"] = noise.blank(rng, noise.year_off(rng, noise.swap_day_month(rng, f["dob"], 0.01), 0.01), 0.005)
    f["sex"] = noise.blank(rng, f["sex"], 0.01)
    _moved_address(rng, ctx, f, person)
    f["postcode"] = noise.blank(rng, noise.squash_postcodes(rng, f["postcode"], 0.05), 0.02)
    f["address_line1"] = noise.blank(rng, noise.typos(rng, f["address_line1"], 0.02), 0.02)
    ident = profile.identifier
    f[ident] = noise.blank(rng, noise.digit_slip(rng, f[ident], 0.003), 1 - profile.identifier_kept)


def build_extract(
    rng: np.random.Generator, ctx: Context, source: str, base: Base, min_age: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The extract's columns and its truth rows, both in the extract's (random) order."""
    profile = PROFILES[source]
    full = _with_duplicates_and_outsiders(rng, base)
    fields = _clean_fields(rng, ctx, full, profile, min_age)
    _add_errors(rng, ctx, fields, full.person, profile)
    order = rng.permutation(len(full.person))
    numbers = 10_000_000 + rng.choice(90_000_000, size=len(order), replace=False)
    record_id = np.array([f"{profile.prefix}-{k}" for k in numbers], dtype=object)
    columns = {"record_id": record_id}
    columns |= {k: v[order] for k, v in fields.items()}
    columns |= {k: v[order] for k, v in full.extra.items()}
    columns["status"] = full.status[order]
    person = full.person[order]
    truth = {
        "source": np.full(len(order), source, dtype=object),
        "record_id": record_id,
        "person_id": np.where(person >= 0, person + 1, -1),
    }
    return columns, truth
