"""Exclusions, behaviour, attainment, local indicators and the school census, as imported from schools and the LA.

Each ``record_*`` function receives rows already validated by its import kind (``identify/imports.py``), with
``person_id`` (and any other reference) resolved, matches them on their natural key, and writes only what is new
or different, so the same file imported twice changes nothing. One audit event per file.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.imports import ImportReport
from yep.people.models import Enrolment, Organisation, OrganisationKind, Person
from yep.people.services import create_person, enrol
from yep.people.services.persons import change_year_group

from ..models import Attainment, BehaviourIncident, Exclusion, LocalIndicator, LocalIndicatorValue

BATCH = 5000
KEY_LENGTH, LABEL_LENGTH = 40, 100  # LocalIndicator.key and .label
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class _Shape:
    """How rows of one indicator are matched and corrected: the natural key (person first) and the fields a
    re-import may change."""

    model: type[models.Model]
    key: tuple[str, ...]
    values: tuple[str, ...]
    object_type: str


EXCLUSIONS = _Shape(Exclusion, ("person_id", "date", "kind"), ("days", "organisation_id"), "exclusion")
BEHAVIOUR = _Shape(BehaviourIncident, ("person_id", "date", "severity"), ("count",), "behaviour")
ATTAINMENT = _Shape(Attainment, ("person_id", "key_stage", "subject"), ("result", "expected"), "attainment")
LOCAL_VALUES = _Shape(LocalIndicatorValue, ("person_id", "indicator_id", "start"), ("end",), "local_indicator")


def _upsert(shape: _Shape, records: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
            report: ImportReport) -> None:
    """Create the new records and correct the changed ones, comparing plain tuples (a return can hold hundreds of
    thousands of rows), then write the file's one audit event."""
    width = len(shape.key)
    people = {r["person_id"] for r in records}
    existing = {
        row[:width]: (row[width], row[width + 1:])
        for row in shape.model._default_manager.filter(person_id__in=people)
        .values_list(*shape.key, "pk", *shape.values).iterator(chunk_size=BATCH)
    }
    new, changed = [], []
    for r in records:
        current = existing.get(tuple(r[f] for f in shape.key))
        figures = tuple(r[f] for f in shape.values)
        if current is None:
            new.append(shape.model(**{f: r[f] for f in shape.key + shape.values}, imported_from=report.file_sha256))
        elif current[1] != figures:
            changed.append(shape.model(pk=current[0], **dict(zip(shape.values, figures, strict=True)),
                                       imported_from=report.file_sha256))
    shape.model._default_manager.bulk_create(new, batch_size=BATCH)
    shape.model._default_manager.bulk_update(changed, [*shape.values, "imported_from"], batch_size=BATCH)
    report.created, report.updated = len(new), len(changed)
    report.unchanged = len(records) - len(new) - len(changed)
    audit.record(actor, "import", context, object_type=shape.object_type, object_id=report.file_sha256[:16],
                 detail={"rows": len(records), "created": report.created, "updated": report.updated,
                         "unchanged": report.unchanged, "people": len(people)})


@transaction.atomic
def record_exclusions(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                      report: ImportReport) -> None:
    """Create or correct exclusions, matched on (person, date, kind); a re-import corrects the days and school."""
    records = [{"person_id": r["person_id"], "date": r["date"], "kind": r["kind"], "days": r["days"],
                "organisation_id": r["organisation_id"]} for r in rows]
    _upsert(EXCLUSIONS, records, actor=actor, context=context, report=report)


@transaction.atomic
def record_behaviour(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                     report: ImportReport) -> None:
    """Create or correct behaviour incidents, matched on (person, date, severity). A re-import sets the count
    rather than adding to it: the file is the school's record of that day, not an increment."""
    records = [{"person_id": r["person_id"], "date": r["date"], "severity": r["severity"],
                "count": 1 if r["count"] is None else r["count"]} for r in rows]
    _upsert(BEHAVIOUR, records, actor=actor, context=context, report=report)


@transaction.atomic
def record_attainment(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                      report: ImportReport) -> None:
    """Create or correct key stage results, matched on (person, key stage, subject)."""
    records = [{"person_id": r["person_id"], "key_stage": r["key_stage"], "subject": r["subject"],
                "result": r["result"], "expected": r["expected"]} for r in rows]
    _upsert(ATTAINMENT, records, actor=actor, context=context, report=report)


@transaction.atomic
def record_local_indicators(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                            report: ImportReport) -> None:
    """Flag pupils with the LA's local indicators, matched on (person, indicator, start); a re-import may set or
    correct the end date."""
    records = [{"person_id": r["person_id"], "indicator_id": r["indicator_id"], "start": r["start"],
                "end": r["end"]} for r in rows]
    _upsert(LOCAL_VALUES, records, actor=actor, context=context, report=report)


def _check_indicator(la: Organisation, key: str, label: str, label_cy: str) -> None:
    errors: dict[str, list[str]] = {}
    if la.kind != OrganisationKind.LA:
        errors["la"] = [_("Local indicators are defined by a local authority.")]
    if not _KEY.match(key) or len(key) > KEY_LENGTH:
        errors["key"] = [_("A key is up to 40 lower-case letters, digits, hyphens or underscores, e.g. eal.")]
    if not label or len(label) > LABEL_LENGTH:
        errors["label"] = [_("Enter a label of up to 100 characters.")]
    if len(label_cy) > LABEL_LENGTH:
        errors["label_cy"] = [_("Enter a label of up to 100 characters.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def define_local_indicator(la: Organisation, key: str, label: str, label_cy: str, description: str, *,
                           actor: Any, context: audit.AuditContext) -> LocalIndicator:
    """Define one of the LA's own indicators, or change the wording of one already defined (the key stays: values
    imported under it keep their meaning). Defining it again as it is changes nothing."""
    key, label, label_cy, description = key.strip().lower(), label.strip(), label_cy.strip(), description.strip()
    _check_indicator(la, key, label, label_cy)
    wording = {"label": label, "label_cy": label_cy, "description": description}
    indicator = LocalIndicator.objects.filter(la=la, key=key).first()
    if indicator is None:
        indicator = LocalIndicator.objects.create(la=la, key=key, **wording)
        audit.record(actor, "create", context, object_type="local_indicator", object_id=indicator.pk,
                     fields=["key", *wording], detail={"la": la.pk, "key": key})
        return indicator
    changed = [name for name, value in wording.items() if getattr(indicator, name) != value]
    if changed:
        for name in changed:
            setattr(indicator, name, wording[name])
        indicator.save(update_fields=changed)
        audit.record(actor, "change", context, object_type="local_indicator", object_id=indicator.pk,
                     fields=changed, detail={"la": la.pk, "key": key})
    return indicator


def _open_enrolments(people: list[Person]) -> dict[int, list[Enrolment]]:
    found: dict[int, list[Enrolment]] = defaultdict(list)
    for enrolment in Enrolment.objects.filter(person__in=people, end__isnull=True):
        found[enrolment.person_id].append(enrolment)
    return found


def census_person(row: dict[str, Any]) -> dict[str, Any]:
    """A census row as the register's person fields (shared with the import's checks)."""
    return {"upn": row["upn"], "legal_surname": row["legal_surname"], "legal_forenames": row["legal_forenames"],
            "dob": row["dob"], "sex": row["sex"], "postcode": row["postcode"] or ""}


@transaction.atomic
def record_census(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                  report: ImportReport) -> None:
    """Apply a school census through the register's services: a new UPN becomes a young person enrolled at the
    school in the year group; a known one moves school (the old enrolment ends, reason moved_school) or changes
    year group; one already there in that year group is left as it is. Enrolments start on the day of import,
    the first day the register knows of them. One audit event for the file, beside the register's own."""
    today = timezone.localdate()
    people = {p.upn: p for p in Person.objects.filter(upn__in=[r["upn"] for r in rows])}
    current = _open_enrolments(list(people.values()))
    schools = Organisation.objects.in_bulk({r["school_id"] for r in rows})
    created = updated = 0
    for r in rows:
        school, year_group = schools[r["school_id"]], r["year_group"]
        person = people.get(r["upn"])
        if person is None:
            person = create_person(census_person(r), actor=actor, context=context)
            enrol(person, school, start=today, year_group=year_group, actor=actor, context=context)
            created += 1
            continue
        here = next((e for e in current[person.pk] if e.organisation_id == school.pk), None)
        if here is None:
            enrol(person, school, start=today, year_group=year_group, actor=actor, context=context)
            updated += 1
        elif here.year_group != year_group:
            change_year_group(here, year_group, actor=actor, context=context)
            updated += 1
    report.created, report.updated, report.unchanged = created, updated, len(rows) - created - updated
    audit.record(actor, "import", context, object_type="census", object_id=report.file_sha256[:16],
                 detail={"rows": len(rows), "created": created, "updated": updated,
                         "unchanged": report.unchanged, "schools": sorted(schools)})
