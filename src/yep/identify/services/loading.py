"""Loading early identification's indicators from a synthetic population folder (``yep synth``), in bulk.

Used by ``yep demo`` after ``people.services.population.load_population``, whose maps from the folder's ids to
the database's it takes. The files come from our own generator, so rows are bulk-inserted without the per-row
validation of an import (``yep import attendance``); the load is one transaction with one audit event per file.
"""

import csv
import datetime
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from django.db import models, transaction

from yep.access import audit
from yep.people.services.population import Progress

from ..models import Attainment, Attendance, BehaviourIncident, Exclusion

BATCH = 5000


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _insert(model: type[models.Model], rows: Iterable[Any], label: str, progress: Progress) -> tuple[int, int]:
    """Bulk-create ``rows`` in batches; returns how many rows, and for how many people."""
    batch: list[Any] = []
    people: set[int] = set()
    total = 0
    for row in rows:
        batch.append(row)
        people.add(row.person_id)
        if len(batch) >= BATCH:
            model._default_manager.bulk_create(batch)
            total += len(batch)
            progress(label, total, 0)
            batch = []
    model._default_manager.bulk_create(batch)
    return total + len(batch), len(people)


def _attendance(rows: Iterator[dict[str, str]], person_ids: Mapping[str, int], _: Mapping[str, int],
                sha: str) -> Iterator[Attendance]:
    # Attendance is the pupil's return for the term, not the school's: the org_id column is not kept.
    for r in rows:
        yield Attendance(person_id=person_ids[r["person_id"]], academic_year=int(r["academic_year"]), term=r["term"],
                         sessions_possible=int(r["sessions_possible"]),
                         sessions_attended=int(r["sessions_attended"]), imported_from=sha)


def _exclusions(rows: Iterator[dict[str, str]], person_ids: Mapping[str, int], org_ids: Mapping[str, int],
                sha: str) -> Iterator[Exclusion]:
    seen: set[tuple[str, str, str]] = set()
    for r in rows:
        key = (r["person_id"], r["date"], r["kind"])
        if key in seen:  # the register keeps one exclusion of a kind per pupil and day
            continue
        seen.add(key)
        yield Exclusion(person_id=person_ids[r["person_id"]], organisation_id=org_ids.get(r["org_id"]),
                        date=datetime.date.fromisoformat(r["date"]), kind=r["kind"],
                        days=int(r["days"]) if r["days"] else None, imported_from=sha)


def _behaviour(rows: Iterator[dict[str, str]], person_ids: Mapping[str, int], org_ids: Mapping[str, int],
               sha: str) -> Iterator[BehaviourIncident]:
    """One row per pupil, day and severity, counting the incidents the file lists separately."""
    days: dict[tuple[str, str, int], list[Any]] = {}
    for r in rows:
        day = days.setdefault((r["person_id"], r["date"], int(r["severity"])), [r["org_id"], 0])
        day[1] += 1
    for (person, date, severity), (org, count) in days.items():
        yield BehaviourIncident(person_id=person_ids[person], organisation_id=org_ids.get(org),
                                date=datetime.date.fromisoformat(date), severity=severity, count=count,
                                imported_from=sha)


def _attainment(rows: Iterator[dict[str, str]], person_ids: Mapping[str, int], _: Mapping[str, int],
                sha: str) -> Iterator[Attainment]:
    for r in rows:
        yield Attainment(person_id=person_ids[r["person_id"]], key_stage=r["key_stage"], subject=r["subject"],
                         result=int(r["result"]), expected=int(r["expected"]), imported_from=sha)


Make = Callable[[Iterator[dict[str, str]], Mapping[str, int], Mapping[str, int], str], Iterator[Any]]
FILES: tuple[tuple[str, type[models.Model], Make], ...] = (
    ("attendance", Attendance, _attendance),
    ("exclusions", Exclusion, _exclusions),
    ("behaviour", BehaviourIncident, _behaviour),
    ("attainment", Attainment, _attainment),
)


@transaction.atomic
def load_indicators(directory: Path, person_ids: Mapping[str, int], org_ids: Mapping[str, int], *, actor: Any,
                    context: audit.AuditContext,
                    progress: Progress = lambda stage, done, total: None) -> dict[str, int]:
    """Load attendance, exclusions, behaviour incidents and attainment from a ``yep synth`` folder whose people
    and organisations are already on the register (``person_ids`` and ``org_ids`` map the folder's ids to the
    database's). A missing file loads nothing. Each file loaded writes one audit event, in this transaction.

    Returns the rows created per file; behaviour has fewer rows than the file, since incidents of one severity
    on one day are counted in one row.
    """
    counts: dict[str, int] = {}
    for name, model, make in FILES:
        path = directory / f"{name}.csv"
        if not path.exists():
            continue
        sha = _sha256(path)
        counts[name], people = _insert(model, make(_rows(path), person_ids, org_ids, sha), name, progress)
        audit.record(actor, "import", context, object_type=name, object_id=sha[:16],
                     detail={"file": path.name, "rows": counts[name], "people": people})
    return counts
