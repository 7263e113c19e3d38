"""The only writer of sources, datasets and their records' links: register a source, receive a dataset (validated
whole, stored whole or not at all), and link a dataset into the person spine.

Linking a dataset: records carrying an identifier the register holds (UPN, ULN, NI number) link to that person;
the rest are scored against the spine with the source's Splink model (trained and saved on first use). Links at
or above the source's ``auto_threshold`` are applied; those from ``review_threshold`` up to it wait in the
clerical review queue; a person's earlier decision on the same record and person is reused, never asked again.
Records nobody matches create a person only if the source may (``MatchMode.CREATE``). Linked records with an
activity put it on the timeline, with the source's code and a confidence that says how the link was made.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.models import SharingAgreement
from yep.imports.framework import ImportRefused, RowError, read_table
from yep.people import crypto
from yep.people.models import ActivityCode, Organisation, OrganisationKind, Person
from yep.people.services.persons import create_person
from yep.track.models import Confidence
from yep.track.services import record_activities

from . import engine, mapping
from .models import (
    Candidate,
    ClericalDecision,
    Dataset,
    DatasetStatus,
    LinkMethod,
    MatchMode,
    RecordStatus,
    Source,
    SourceKind,
    SourceRecord,
)

log = logging.getLogger(__name__)
Progress = Callable[[int, str], None]
HIGH_CONFIDENCE = 0.99  # a probabilistic link this sure counts as high confidence on the timeline
CUSTOMER_AGES = range(14, 25)
STALLED_AFTER = datetime.timedelta(hours=1)
CHUNK = 5000  # an active careers customer: academic age 14 to 24 (the service's remit)


def _refuse(actor: Any, context: audit.AuditContext, wanted: str, message: str) -> PermissionDenied:
    audit.record(actor, "denied", context, object_type="source", detail={"wanted": wanted})
    return PermissionDenied(message)


def _require(actor: Any, permission: str, context: audit.AuditContext, wanted: str) -> None:
    if not (getattr(actor, "pk", None) and actor.has_perm(permission)):
        raise _refuse(actor, context, wanted, _("You cannot do this in the data hub."))


def _clean_source(data: Mapping[str, Any], errors: dict[str, list[str]], *, creating: bool) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if creating:
        code = str(data.get("code") or "").strip().lower()
        if not code or not all(c.isalnum() or c in "-_" for c in code) or len(code) > 40:
            errors["code"] = [_("Enter a short code of letters, digits, - or _ (at most 40).")]
        elif Source.objects.filter(code=code).exists():
            errors["code"] = [_("There is already a source with this code.")]
        cleaned["code"] = code
    name = " ".join(str(data.get("name") or "").split())
    if not name or len(name) > 200:
        errors["name"] = [_("Enter the source's name (at most 200 characters).")]
    cleaned["name"] = name
    kind = str(data.get("kind") or "")
    if kind not in SourceKind.values:
        errors["kind"] = [_("Choose what kind of data this is.")]
    cleaned["kind"] = kind
    mode = str(data.get("mode") or "")
    if mode not in MatchMode.values:
        errors["mode"] = [_("Choose what this source may do to the register.")]
    cleaned["mode"] = mode
    cleaned["column_mapping"] = _clean_mapping(data, kind, errors)
    cleaned["controller"] = _lookup(Organisation, data.get("controller"), "controller", errors,
                                    _("Choose the organisation that controls this data."))
    cleaned["agreement"] = _lookup(SharingAgreement, data.get("agreement"), "agreement", errors,
                                   _("Choose a sharing agreement from the list."))
    cleaned |= _clean_thresholds(data, errors)
    return cleaned


def _clean_thresholds(data: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, float]:
    cleaned: dict[str, float] = {}
    for name_, default in (("auto_threshold", 0.9), ("review_threshold", 0.1)):
        raw = data.get(name_)
        try:
            value = default if raw in (None, "") else float(raw)
        except (TypeError, ValueError):
            value = -1.0
        if not 0 < value < 1:
            errors[name_] = [_("Enter a probability between 0 and 1, for example 0.9.")]
        cleaned[name_] = value
    if "auto_threshold" not in errors and "review_threshold" not in errors \
            and cleaned["review_threshold"] > cleaned["auto_threshold"]:
        errors["review_threshold"] = [_("Links are reviewed below the level they are applied at: make this "
                                        "lower than the first.")]
    return cleaned


def _clean_mapping(data: Mapping[str, Any], kind: str, errors: dict[str, list[str]]) -> dict[str, str]:
    given = data.get("column_mapping") or {}
    if not isinstance(given, Mapping):
        errors["column_mapping"] = [_("The column mapping must say which column holds each field.")]
        given = {}
    column_mapping = {str(k): str(v).strip().lower() for k, v in given.items() if str(v or "").strip()}
    if not column_mapping and kind in SourceKind.values:
        column_mapping = mapping.default_mapping(kind)
    if problems := mapping.check_mapping(column_mapping):
        errors["column_mapping"] = problems
    return column_mapping


def _lookup(model: Any, raw: Any, field: str, errors: dict[str, list[str]], message: str) -> Any:
    if raw in (None, ""):
        return None
    try:
        return model.objects.get(pk=int(raw))
    except (TypeError, ValueError, model.DoesNotExist):
        errors[field] = [message]
        return None


def register_source(data: Mapping[str, Any], *, actor: Any, context: audit.AuditContext) -> Source:
    """Register an external dataset: its code, name, kind, controller, agreement, what it may do to the register,
    its column mapping (the kind's default when none is given) and its thresholds."""
    _require(actor, "link.manage_sources", context, "register a source")
    errors: dict[str, list[str]] = {}
    cleaned = _clean_source(data, errors, creating=True)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        source = Source.objects.create(**cleaned)
        audit.record(actor, "create", context, object_type="source", object_id=source.pk,
                     detail={"code": source.code, "mode": source.mode})
    return source


def update_source(source: Source, data: Mapping[str, Any], *, actor: Any, context: audit.AuditContext) -> Source:
    """Change a source's name, kind, controller, agreement, mode, mapping or thresholds. A changed mapping keeps
    the trained model (the model compares fields, not the file's columns)."""
    _require(actor, "link.manage_sources", context, "change a source")
    errors: dict[str, list[str]] = {}
    cleaned = _clean_source(data, errors, creating=False)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changed = [name for name, value in cleaned.items() if getattr(source, name) != value]
        for name, value in cleaned.items():
            setattr(source, name, value)
        source.save(update_fields=list(cleaned))
        audit.record(actor, "change", context, object_type="source", object_id=source.pk, fields=changed)
    return source


def _validate_file(source: Source, header: list[str], rows: list[list[str]]) -> tuple[list[dict[str, Any]],
                                                                                     list[RowError]]:
    columns = {field: column for field, column in source.column_mapping.items() if column}
    missing = [column for column in columns.values() if column not in header]
    if missing:
        raise ImportRefused([RowError(1, column, "", _("this column is missing")) for column in missing])
    index = {field: header.index(column) for field, column in columns.items()}
    known_codes = set(ActivityCode.objects.values_list("code", flat=True))
    clean: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen: dict[Any, int] = {}
    for number, raw in enumerate(rows, start=2):
        row: dict[str, Any] = {"_row": number}
        row_errors = []
        for field, position in index.items():
            text = raw[position].strip() if position < len(raw) else ""
            if not text:
                row[field] = None
                continue
            try:
                row[field] = mapping.PARSERS[field](text)
            except ValueError as problem:
                row_errors.append(RowError(number, columns[field], text, str(problem)))
        if not row.get("record_id") and not any(e.column == columns["record_id"] for e in row_errors):
            row_errors.append(RowError(number, columns["record_id"], "", _("a value is needed")))
        elif row.get("record_id") in seen:
            row_errors.append(RowError(number, columns["record_id"], row["record_id"],
                                       _("this id is also on row %(row)s") % {"row": seen[row["record_id"]]}))
        seen.setdefault(row.get("record_id"), number)
        if row.get("activity_code") and row["activity_code"] not in known_codes:
            row_errors.append(RowError(number, columns["activity_code"], str(row["activity_code"]),
                                       _("there is no activity with this code")))
        if not row_errors:
            row_errors = [RowError(number, columns.get(field, field), str(row.get(field) or ""), reason)
                          for field, reason in mapping.check_row(row)]
        errors += row_errors
        clean.append(row)
    return clean, errors


def _record(dataset: Dataset, row: Mapping[str, Any]) -> SourceRecord:
    ni = row.get("ni_number") or ""
    payload = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in row.items()
               if k in mapping.FIELD_NAMES and k not in mapping.PERSON_FIELDS and v is not None}
    return SourceRecord(
        dataset=dataset, source=dataset.source, record_key=row["record_id"], first_name=row.get("first_name") or "",
        last_name=row.get("last_name") or "", dob=row.get("date_of_birth"), sex=row.get("sex") or "",
        postcode=row.get("postcode") or "", address=row.get("address") or "", upn=row.get("upn") or "",
        uln=row.get("uln") or "", ni_number_encrypted=crypto.encrypt(ni) if ni else "",
        ni_number_digest=crypto.digest(ni) if ni else "", payload=payload)


def receive_dataset(source: Source, path: Path, *, actor: Any, context: audit.AuditContext,
                    filename: str = "") -> Dataset:
    """Store a file from ``source`` as a dataset: every row checked against the source's column mapping first;
    any problem raises ImportRefused (row, column, value, reason) and nothing is written."""
    _require(actor, "link.link_datasets", context, "receive a dataset")
    if not source.active:
        raise ImportRefused([], _("This source is no longer active."))
    header, rows = read_table(path)
    clean, errors = _validate_file(source, header, rows)
    if errors:
        raise ImportRefused(errors)
    if not clean:
        raise ImportRefused([], _("The file has no rows."))
    with transaction.atomic():
        dataset = Dataset.objects.create(source=source, filename=(filename or path.name)[:255],
                                         sha256=hashlib.sha256(path.read_bytes()).hexdigest(), rows=len(clean),
                                         received_by=audit.label(actor))
        SourceRecord.objects.bulk_create([_record(dataset, row) for row in clean], batch_size=5000)
        audit.record(actor, "import", context, object_type="dataset", object_id=dataset.pk,
                     detail={"source": source.code, "rows": len(clean), "sha256": dataset.sha256})
    return dataset


# Linking -----------------------------------------------------------------------------------------------------


def note_progress(dataset: Dataset, percent: int, note: str) -> None:
    """Move the dataset's progress bar (committed at once, so the page polling it sees it)."""
    Dataset.objects.filter(pk=dataset.pk).update(progress=max(0, min(100, percent)), progress_note=note[:200],
                                                 progress_at=timezone.now())


def _spine(source: Source, on: datetime.date) -> pd.DataFrame:
    """The register in the person layout; for a source limited to active careers customers, only those."""
    people = Person.objects.all()
    if source.mode == MatchMode.ACTIVE_CUSTOMERS:
        youngest, oldest = CUSTOMER_AGES.start, CUSTOMER_AGES.stop - 1
        # Academic age a on day `on` means born from 1 Sept (Y - a - 1) to 31 Aug (Y - a), Y the school year's end.
        year_end = on.year + (1 if on.month >= 9 else 0)
        people = people.filter(dob__gte=datetime.date(year_end - oldest - 2, 9, 1),
                               dob__lte=datetime.date(year_end - youngest - 1, 8, 31))
    rows = people.values_list("pk", "legal_forenames", "legal_surname", "dob", "sex", "postcode", "address_line1",
                              "upn", "uln", "ni_number_digest")
    return pd.DataFrame([{
        "record_id": str(pk), "first_name": first, "last_name": last, "date_of_birth": dob.isoformat(),
        "sex": sex if sex in ("M", "F") else None, "postcode": postcode or None, "address": address or None,
        "upn": upn, "uln": uln, "ni_number": ni}
        for pk, first, last, dob, sex, postcode, address, upn, uln, ni in rows],
        columns=["record_id", *mapping.PERSON_FIELDS[1:]])


def _layout(records: list[SourceRecord]) -> pd.DataFrame:
    return pd.DataFrame([{
        "record_id": str(r.pk), "first_name": r.first_name or None, "last_name": r.last_name or None,
        "date_of_birth": r.dob.isoformat() if r.dob else None, "sex": r.sex or None, "postcode": r.postcode or None,
        "address": r.address or None, "upn": r.upn or None, "uln": r.uln or None,
        "ni_number": r.ni_number_digest or None} for r in records],
        columns=["record_id", *mapping.PERSON_FIELDS[1:]])


def _by_identifier(records: list[SourceRecord], allowed: set[int]) -> dict[int, int]:
    """Record pk -> person pk for records whose UPN, ULN or NI number the register holds (and the source may
    link to)."""
    found: dict[int, int] = {}
    for field, person_field in (("upn", "upn"), ("uln", "uln"), ("ni_number_digest", "ni_number_digest")):
        values = sorted({getattr(r, field) for r in records if getattr(r, field)})
        owners: dict[str, int] = {}
        for start in range(0, len(values), CHUNK):  # SQLite takes at most 32,766 values in one query
            owners |= dict(Person.objects.filter(**{f"{person_field}__in": values[start:start + CHUNK]})
                           .values_list(person_field, "pk"))
        for r in records:
            person_id = owners.get(getattr(r, field))
            if r.pk not in found and person_id is not None and person_id in allowed:
                found[r.pk] = person_id
    return found


def _activity_rows(record: SourceRecord, person_id: int, confidence: str,
                   codes: dict[int, int]) -> list[dict[str, Any]]:
    payload = record.payload
    code = payload.get("activity_code") or mapping.CLOSURE_ACTIVITY.get(payload.get("closure_reason") or "")
    start = payload.get("activity_start")
    if not code or not start or code not in codes:
        return []
    end = payload.get("activity_end")
    return [{"person_id": person_id, "code_id": codes[code], "start": datetime.date.fromisoformat(start),
             "end": datetime.date.fromisoformat(end) if end else None, "hours_per_week": payload.get("hours_per_week"),
             "organisation_id": None, "source": record.source.code[:40], "confidence": confidence}]


def _confidence(method: str, probability: float) -> str:
    if method in (LinkMethod.IDENTIFIER, LinkMethod.CLERICAL, LinkMethod.CREATED) or probability >= HIGH_CONFIDENCE:
        return Confidence.HIGH
    return Confidence.MEDIUM


def _new_person(record: SourceRecord, source: Source, *, actor: Any, context: audit.AuditContext) -> Person | None:
    la = source.controller if source.controller and source.controller.kind == OrganisationKind.LA else (
        source.controller.la if source.controller else None)
    try:
        return create_person({
            "legal_forenames": record.first_name, "legal_surname": record.last_name, "dob": record.dob,
            "sex": record.sex or "U", "postcode": record.postcode, "address_line1": record.address, "upn": record.upn,
            "uln": record.uln, "ni_number": crypto.decrypt(record.ni_number_encrypted),
            "la_code": la.code if la else ""}, actor=actor, context=context)
    except ValidationError:
        return None  # not enough (or not valid) to make a record of: left as nobody matches


def link_dataset(dataset: Dataset, *, actor: Any, context: audit.AuditContext, progress: Progress | None = None,
                 retrain: bool = False, spec: engine.LinkSpec | None = None) -> Dataset:
    """Link the dataset's records that are not linked yet into the person spine (see the module docstring).

    Scoring writes nothing but the progress bar; the outcome is applied in one transaction at the end."""
    _require(actor, "link.link_datasets", context, "link a dataset")
    say = progress or (lambda percent, note: note_progress(dataset, percent, note))
    source = dataset.source
    Dataset.objects.filter(pk=dataset.pk).update(status=DatasetStatus.LINKING)
    say(2, _("Reading the records"))
    waiting = list(dataset.records.exclude(status__in=(RecordStatus.LINKED, RecordStatus.CREATED))
                   .select_related("source"))
    taken = set(dataset.records.filter(person__isnull=False, status__in=(RecordStatus.LINKED, RecordStatus.CREATED))
                .values_list("person_id", flat=True))
    spine = _spine(source, timezone.localdate())
    spine = spine[~spine["record_id"].astype(int).isin(taken)]
    allowed = set(spine["record_id"].astype(int))
    say(10, _("Matching identifiers"))
    keys = {r.record_key for r in waiting}
    key_of = {r.pk: r.record_key for r in waiting}
    decisions = {(d.record_key, d.person_id): d.same_person
                 for d in ClericalDecision.objects.filter(source=source) if d.record_key in keys}
    # A person's "not the same young person" holds against an identifier too (a mistyped UPN names someone else).
    by_identifier = {record_pk: person_id for record_pk, person_id in _by_identifier(waiting, allowed).items()
                     if decisions.get((key_of[record_pk], person_id)) is not False}
    accepted = {key: person for (key, person), same in decisions.items() if same}
    rest = [r for r in waiting if r.pk not in by_identifier and r.record_key not in accepted]
    rest_spine = spine[~spine["record_id"].astype(int).isin(set(by_identifier.values()) | set(accepted.values()))]
    run_spec = spec or engine.LinkSpec(threshold=source.review_threshold)
    model = None if retrain else source.model
    say(20, _("Scoring records against the register") if model else _("Training the model and scoring records"))
    pairs, model = engine.score_against(_layout(rest), rest_spine, run_spec, model=model,
                                        progress=lambda note: say(40, note))
    say(80, _("Applying the links"))
    with transaction.atomic():
        summary = _apply(dataset, waiting, by_identifier, accepted, decisions, pairs, actor=actor, context=context)
        Source.objects.filter(pk=source.pk).update(model=model, model_trained_at=(
            timezone.now() if model is not source.model else source.model_trained_at))
        Dataset.objects.filter(pk=dataset.pk).update(status=DatasetStatus.LINKED, progress=100, summary=summary,
                                                     progress_note="", linked_at=timezone.now())
        audit.record(actor, "change", context, object_type="dataset", object_id=dataset.pk,
                     detail={"source": source.code, "linked": summary})
    dataset.refresh_from_db()
    return dataset


Outcome = dict[int, tuple[str, "int | None", str, "float | None"]]  # record -> (status, person, method, p)


def _apply(dataset: Dataset, waiting: list[SourceRecord], by_identifier: dict[int, int], accepted: dict[str, int],
           decisions: dict[tuple[str, int], bool], pairs: pd.DataFrame, *, actor: Any,
           context: audit.AuditContext) -> dict[str, int]:
    source = dataset.source
    counts = dict.fromkeys(("identifier", "clerical", "probabilistic", "review", "created", "no_match"), 0)
    outcome: Outcome = {}
    for record_pk, person_id in by_identifier.items():
        outcome[record_pk] = (RecordStatus.LINKED, person_id, LinkMethod.IDENTIFIER, 1.0)
        counts["identifier"] += 1
    for record in waiting:
        if record.record_key in accepted and record.pk not in outcome:
            outcome[record.pk] = (RecordStatus.LINKED, accepted[record.record_key], LinkMethod.CLERICAL, None)
            counts["clerical"] += 1
    Candidate.objects.filter(record__dataset=dataset, status="pending").delete()
    _apply_scores(source, {r.pk: r for r in waiting}, decisions, pairs, outcome, counts)
    for record in waiting:
        if record.pk not in outcome:
            person = _new_person(record, source, actor=actor, context=context) \
                if source.mode == MatchMode.CREATE else None
            outcome[record.pk] = (RecordStatus.CREATED, person.pk, LinkMethod.CREATED, None) if person else (
                RecordStatus.NO_MATCH, None, "", None)
            counts["created" if person else "no_match"] += 1
    codes = dict(ActivityCode.objects.values_list("code", "pk"))
    activities = []
    for record in waiting:
        status, linked_to, method, probability = outcome[record.pk]
        record.status, record.person_id, record.method, record.match_probability = status, linked_to, method, \
            probability
        if linked_to is not None:
            activities += _activity_rows(record, linked_to, _confidence(method, probability or 1.0), codes)
    _write_outcomes(waiting)
    if activities:
        record_activities(activities, actor=actor, context=context, source=source.code)
    counts["activities"] = len(activities)
    return counts


def _write_outcomes(records: list[SourceRecord]) -> None:
    """Each record's link, one UPDATE per row in one executemany: Django's bulk_update writes a CASE per row and
    took 58 of 81 seconds for 30,000 records."""
    table = connection.ops.quote_name(SourceRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status = %s, person_id = %s, method = %s, match_probability = %s "  # noqa: S608 (the table name is the model's)
            "WHERE id = %s",
            [(r.status, r.person_id, r.method, r.match_probability, r.pk) for r in records])


def _apply_scores(source: Source, by_pk: dict[int, SourceRecord], decisions: dict[tuple[str, int], bool],
                  pairs: pd.DataFrame, outcome: Outcome, counts: dict[str, int]) -> None:
    """Scored pairs: applied at or above the source's auto threshold, otherwise queued for review."""
    candidates = []
    for left_id, right_id, probability, weight, explanation in pairs[
            ["left_id", "right_id", "match_probability", "match_weight", "explanation"]].itertuples(index=False):
        record, person_id = by_pk[int(left_id)], int(right_id)
        if decisions.get((record.record_key, person_id)) is False:
            continue  # a person said these are not the same young person: never link or ask again
        if probability >= source.auto_threshold:
            outcome[record.pk] = (RecordStatus.LINKED, person_id, LinkMethod.PROBABILISTIC, float(probability))
            counts["probabilistic"] += 1
        else:
            outcome[record.pk] = (RecordStatus.REVIEW, None, "", float(probability))
            candidates.append(Candidate(record=record, person_id=person_id, match_probability=float(probability),
                                        match_weight=float(weight), explanation=explanation))
            counts["review"] += 1
    Candidate.objects.bulk_create(candidates, ignore_conflicts=True)


def link_record(record: SourceRecord, person: Person, *, method: str, actor: Any,
                context: audit.AuditContext) -> None:
    """Link one record to a person (a clerical decision or a merge) and put its activity on the timeline."""
    record.person, record.status, record.method = person, RecordStatus.LINKED, method
    record.save(update_fields=["person", "status", "method"])
    rows = _activity_rows(record, person.pk, Confidence.HIGH, dict(ActivityCode.objects.values_list("code", "pk")))
    if rows:
        record_activities(rows, actor=actor, context=context, source=record.source.code)


def start_linking(dataset: Dataset, *, actor: Any, context: audit.AuditContext, retrain: bool = False) -> None:
    """Link a dataset in the background (a thread; inline when ``settings.YEP_JOBS_INLINE``), moving its
    progress bar. A failure marks the dataset failed with the reason, and changes nothing else."""
    _require(actor, "link.link_datasets", context, "link a dataset")
    dataset.refresh_from_db()
    # A run whose progress has not moved for an hour stopped without finishing (the server restarted): it may
    # be started again. Nothing of it was applied: the outcome is written in one transaction at the end.
    if dataset.status == DatasetStatus.LINKING and dataset.progress_at \
            and timezone.now() - dataset.progress_at < STALLED_AFTER:
        raise ValidationError({"dataset": [_("This dataset is being linked already.")]})
    Dataset.objects.filter(pk=dataset.pk).update(status=DatasetStatus.LINKING, progress=1,
                                                 progress_note=_("Waiting to start"), progress_at=timezone.now())
    if settings.YEP_JOBS_INLINE or connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:":
        _run(dataset.pk, actor, context, retrain)
        return
    threading.Thread(target=_run, args=(dataset.pk, actor, context, retrain), daemon=True,
                     name=f"link-dataset-{dataset.pk}").start()


def _run(dataset_pk: int, actor: Any, context: audit.AuditContext, retrain: bool) -> None:
    try:
        link_dataset(Dataset.objects.get(pk=dataset_pk), actor=actor, context=context, retrain=retrain)
    except Exception as problem:  # noqa: BLE001 (a background job must record why it stopped, whatever it was)
        log.exception("linking dataset %s failed", dataset_pk)
        Dataset.objects.filter(pk=dataset_pk).update(status=DatasetStatus.FAILED,
                                                     progress_note=str(problem)[:200])
    finally:
        if threading.current_thread() is not threading.main_thread():
            close_old_connections()
            connection.close()
