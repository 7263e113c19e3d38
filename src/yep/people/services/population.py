"""Loading a synthetic population (the output of ``yep synth``) into the register, in bulk.

Used by ``yep demo`` and the benchmarks. The files come from our own generator, whose identifiers are valid
by construction, so rows are bulk-inserted without per-row validation; the whole load is one transaction
and one audit event. It returns the database ids of the folder's people and organisations, so that other apps'
loaders (early identification's indicators, the activity timeline) can load the rest of the folder.
"""

import csv
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from yep.access import audit

from .. import crypto, identifiers
from ..models import Characteristic, Contact, Enrolment, Organisation, OrganisationKind, Person, PersonName
from .persons import name_rows

BATCH = 5000
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Loaded:
    """What ``load_population`` loaded: rows per table, and database ids by the folder's ``person_id`` and
    ``org_id``."""

    counts: dict[str, int]
    person_ids: dict[str, int]
    org_ids: dict[str, int]


def _read(directory: Path, name: str) -> Iterator[dict[str, str]]:
    path = directory / name
    if not path.exists():
        return iter(())
    handle = path.open(newline="", encoding="utf-8")
    return csv.DictReader(handle)


def _date(value: str) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _day(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _organisations(directory: Path) -> dict[str, Organisation]:
    las = {o.ref: o for o in Organisation.objects.filter(kind=OrganisationKind.LA)}
    by_ref: dict[str, Organisation] = dict(las)
    national = []
    for row in _read(directory, "organisations.csv"):
        if row["org_id"] in by_ref:
            continue
        la = las.get(f"LA-{row['la_code']}") if row["la_code"] else None
        org, _ = Organisation.objects.get_or_create(
            ref=row["org_id"],
            defaults={"kind": row["kind"], "school_type": row.get("subtype", ""), "name": row["name"],
                      "name_cy": row.get("name_cy", ""), "code": row.get("code", ""), "la": la,
                      "postcode": row.get("postcode", "")},
        )
        by_ref[org.ref] = org
        if la is None and org.kind in (OrganisationKind.CAREERS_SERVICE, OrganisationKind.DWP):
            national.append(org)
    populated = {o.la_id for o in by_ref.values() if o.la_id}
    for org in national:
        # A national service covers the areas of the population loaded with it.
        org.covers.add(*[la for la in las.values() if la.pk in populated])
    return by_ref


def _person(row: dict[str, str], las: dict[str, Organisation]) -> Person:
    ni = row.get("ni_number", "")
    postcode = row.get("postcode", "")
    return Person(
        legal_forenames=row["legal_forenames"], legal_surname=row["legal_surname"],
        preferred_forename=row.get("preferred_forename", ""), dob=_day(row["dob"]), sex=row.get("sex") or "U",
        gender=row.get("gender", ""), address_line1=row.get("address_line1", ""), town=row.get("town", ""),
        postcode=postcode, postcode_key=identifiers.postcode_key(postcode),
        la_of_residence=las.get(f"LA-{row.get('la_code', '')}"),
        preferred_language=row.get("preferred_language") or "en", phone=row.get("phone", ""),
        email=row.get("email", ""), upn=row.get("upn") or None, uln=row.get("uln") or None,
        ni_number_encrypted=crypto.encrypt(ni) if ni else "", ni_number_digest=crypto.digest(ni) if ni else None,
    )


def _people(directory: Path, orgs: dict[str, Organisation], progress: Progress) -> dict[str, int]:
    ids: dict[str, int] = {}
    batch: list[tuple[str, Person]] = []
    total = 0

    def flush() -> None:
        nonlocal total
        Person.objects.bulk_create([p for _, p in batch])
        PersonName.objects.bulk_create([n for _, p in batch for n in name_rows(p)])
        ids.update({key: p.pk for key, p in batch})
        total += len(batch)
        progress("people", total, 0)
        batch.clear()

    for row in _read(directory, "people.csv"):
        batch.append((row["person_id"], _person(row, orgs)))
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    return ids


def _bulk(rows: Iterator[dict[str, str]], make: Callable[[dict[str, str]], Any], model: Any,
          label: str, progress: Progress) -> int:
    batch, total = [], 0
    for row in rows:
        batch.append(make(row))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            total += len(batch)
            progress(label, total, 0)
            batch = []
    model.objects.bulk_create(batch)
    return total + len(batch)


@transaction.atomic
def load_population(directory: Path, *, actor: Any, context: audit.AuditContext,
                    progress: Progress = lambda stage, done, total: None) -> Loaded:
    """Load organisations, people, contacts, characteristics and enrolments from a ``yep synth`` folder."""
    orgs = _organisations(directory)
    ids = _people(directory, orgs, progress)
    counts = {"organisations": len(orgs), "people": len(ids)}
    counts["contacts"] = _bulk(
        _read(directory, "contacts.csv"),
        lambda r: Contact(person_id=ids[r["person_id"]], name=r["name"], relationship=r["relationship"],
                          phone=r.get("phone", ""), email=r.get("email", ""),
                          has_parental_responsibility=r.get("has_parental_responsibility") == "1"),
        Contact, "contacts", progress)
    counts["characteristics"] = _bulk(
        _read(directory, "characteristics.csv"),
        lambda r: Characteristic(person_id=ids[r["person_id"]], kind=r["kind"], value=r.get("value", ""),
                                 start=_day(r["start"]), end=_date(r.get("end", "")), source="synthetic"),
        Characteristic, "characteristics", progress)
    counts["enrolments"] = _bulk(
        _read(directory, "enrolments.csv"),
        lambda r: Enrolment(person_id=ids[r["person_id"]], organisation=orgs[r["org_id"]],
                            year_group=int(r["year_group"]) if r.get("year_group") else None,
                            start=_day(r["start"]), end=_date(r.get("end", "")), end_reason=r.get("end_reason", "")),
        Enrolment, "enrolments", progress)
    audit.record(actor, "import", context, object_type="population", object_id=str(directory.name),
                 detail={"directory": str(directory), **counts})
    return Loaded(counts, ids, {ref: org.pk for ref, org in orgs.items()})
