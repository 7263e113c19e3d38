"""Runs: score a cohort with a model version, store the snapshot, check the safeguards, publish to schools.

A run reads every indicator for the whole cohort at once, scores with numpy and writes the results in bulk, so
an LA of 250,000 pupils is scored in seconds. Each result keeps its inputs, so any result can be explained and
the whole run reproduced from its snapshot."""

import datetime
import hashlib
import json
from collections.abc import Callable
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.models import Relationship, RelationshipKind
from yep.imports.bulk import insert_rows
from yep.people.models import Enrolment, OrganisationKind
from yep.people.models.persons import academic_age

from ..indicators import Cohort, Snapshot, characteristic, cohort_table, flag, indicator
from ..models import Band, Result, RiskModel, Run, RunStatus, Term
from ..scoring import Rule, rules_of, score
from .models import YEAR_GROUPS

Progress = Callable[[str, int, int], None]
SUPPORT_KINDS = ("families_first", "aln", "eotas", "social_worker")
LEAD_WORKER = "lead_worker"
RESULT_COLUMNS = ("run_id", "person_id", "school_id", "year_group", "inputs", "points", "score", "band", "support",
                  "agreed_band", "added_by_review")
OVER_HALF, HIGH_NOT_SMALLEST = "over_half", "high_not_smallest"


def term_of(day: datetime.date) -> tuple[int, str]:
    """The academic year and term a day falls in (autumn September to December, spring January to March)."""
    year = day.year if day.month >= 9 else day.year - 1
    term = Term.AUTUMN if day.month >= 9 else Term.SPRING if day.month <= 3 else Term.SUMMER
    return year, term


def term_start(academic_year: int, term: str) -> datetime.date:
    return {Term.AUTUMN: datetime.date(academic_year, 9, 1), Term.SPRING: datetime.date(academic_year + 1, 1, 1),
            Term.SUMMER: datetime.date(academic_year + 1, 4, 1)}[Term(term)]


def term_end(academic_year: int, term: str) -> datetime.date:
    return {Term.AUTUMN: datetime.date(academic_year, 12, 20), Term.SPRING: datetime.date(academic_year + 1, 3, 31),
            Term.SUMMER: datetime.date(academic_year + 1, 7, 20)}[Term(term)]


def _born(year_group: int, academic_year: int) -> tuple[datetime.date, datetime.date]:
    """The dates of birth of the chronological year group (Year 11 is academic age 15)."""
    first = academic_year - year_group - 5
    return datetime.date(first, 9, 1), datetime.date(first + 1, 8, 31)


def cohort_on(la_id: int, year_groups: list[int], day: datetime.date,
            only: list[int] | None = None) -> tuple[Cohort, np.ndarray, np.ndarray]:
    """Pupils on roll at the LA's schools on ``day`` in the year groups: (cohort, school ids, year groups).

    Year groups are taken from the date of birth as at ``day`` (an enrolment's year group is only its latest), so
    a run for an earlier term selects the cohort as it was; a pupil taught out of their year group can be added
    at review."""
    academic_year = term_of(day)[0]
    enrolments = Enrolment.objects.filter(organisation__la_id=la_id, organisation__kind=OrganisationKind.SCHOOL,
                                          start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))
    # The indicators' subquery: every pupil on roll at the LA's schools, a superset of the cohort (indicators keep
    # only the cohort's rows). Without the date-of-birth join, PostgreSQL plans it as one hash semi-join.
    superset = enrolments.values("person_id")
    if only is not None:
        enrolments = enrolments.filter(person_id__in=only)
    else:
        earliest, latest_dob = _born(max(year_groups), academic_year)[0], _born(min(year_groups), academic_year)[1]
        enrolments = enrolments.filter(person__dob__range=(earliest, latest_dob))
    rows = sorted(enrolments.order_by().values_list("person_id", "start", "organisation_id", "person__dob"))
    latest: dict[int, tuple[int, int]] = {}
    for person, _start, school, dob in rows:  # sorted by start: the latest enrolment wins
        group = academic_age(dob, day) - 4
        if only is not None or group in year_groups:
            latest[person] = (school, group)
    ids = np.fromiter(latest, dtype=np.int64, count=len(latest))
    schools = np.fromiter((v[0] for v in latest.values()), dtype=np.int64, count=len(latest))
    groups = np.fromiter((v[1] for v in latest.values()), dtype=np.int64, count=len(latest))
    order = np.argsort(ids)
    return Cohort(ids[order], superset), schools[order], groups[order]


def read_values(rules: list[Rule], cohort: Cohort, snap: Snapshot, progress: Progress) -> np.ndarray:
    """Pupils x the rules' indicators, rounded to one decimal place as stored (so re-scoring the snapshot
    agrees)."""
    keys = [rule.key for rule in rules]
    values = np.full((len(cohort.person_ids), len(keys)), np.nan)
    for column, key in enumerate(keys):
        spec = indicator(key)
        values[:, column] = spec.read(cohort, snap, spec.argument)
        progress(_("Reading indicators"), column + 1, len(keys))
    return np.round(values, 1)


def _support(cohort: Cohort, snap: Snapshot) -> list[list[str]]:
    """The support each pupil already has: Families First, ALN support, EOTAS, a social worker, a lead worker."""
    flags = [(kind, characteristic(cohort, snap, kind)) for kind in SUPPORT_KINDS]
    lead = Relationship.objects.filter(kind=RelationshipKind.LEAD_WORKER, person_id__in=cohort.selection,
                                       start__lte=snap.as_of).filter(Q(end__isnull=True) | Q(end__gte=snap.as_of))
    flags.append((LEAD_WORKER, flag(cohort, lead.order_by().values_list("person_id", flat=True))))
    return [[kind for kind, flag in flags if flag[i]] for i in range(len(cohort.person_ids))]


def _as_json(values: np.ndarray) -> list[str]:
    """Each row as JSON text, NaN as null: the same text as ``json.dumps(row)``, encoded in one call and split,
    because a quarter of a million calls cost seconds."""
    if not len(values) or not values.shape[1]:
        return ["[]"] * len(values)
    text = json.dumps(values.tolist()).replace("NaN", "null")
    return ["[" + row + "]" for row in text[2:-2].split("], [")]


def _digest(person_ids: np.ndarray, inputs: list[str]) -> str:
    h = hashlib.sha256()
    for person, row in zip(person_ids.tolist(), inputs, strict=True):
        h.update(f"{person}:{row}\n".encode())
    return h.hexdigest()


def counts_of(bands: Any) -> dict[str, int]:
    counts = dict.fromkeys(Band.values, 0)
    for band in bands:
        counts[band] += 1
    counts["cohort"] = sum(counts[b] for b in Band.values)
    return counts


def warnings_for(counts: dict[str, int]) -> list[str]:
    """The framework's safeguards: no more than half a cohort identified, and the high band the smallest."""
    warnings = []
    identified = counts[Band.LOW] + counts[Band.MEDIUM] + counts[Band.HIGH]
    if counts["cohort"] and identified * 2 > counts["cohort"]:
        warnings.append(OVER_HALF)
    if counts[Band.HIGH] > min(counts[Band.LOW], counts[Band.MEDIUM]):
        warnings.append(HIGH_NOT_SMALLEST)
    return warnings


def _write_results(run: Run, ids: np.ndarray, schools: np.ndarray, groups: np.ndarray, inputs: list[str],
                   points: np.ndarray, scores: np.ndarray, bands: np.ndarray, support: list[list[str]],
                   added: list[bool] | None = None) -> None:
    points_json = _as_json(points)
    support_json: dict[tuple[str, ...], str] = {}  # a handful of combinations, each encoded once
    for kinds in support:
        support_json.setdefault(tuple(kinds), json.dumps(list(kinds)))
    rows = zip(ids.tolist(), schools.tolist(), groups.tolist(), inputs, points_json, scores.tolist(),
               bands.tolist(), support, added or [False] * len(ids), strict=True)
    insert_rows(Result, RESULT_COLUMNS, ((run.pk, p, s, g, i, pt, sc, b, support_json[tuple(su)], "", a)
                                         for p, s, g, i, pt, sc, b, su, a in rows))


@transaction.atomic
def create_run(model: RiskModel, *, academic_year: int, term: str, year_groups: list[int] | None = None,
               as_of: datetime.date | None = None, scheduled: bool = False, actor: Any,
               context: audit.AuditContext, progress: Progress = lambda stage, done, total: None) -> Run:
    """Score every pupil on roll at the LA's schools in the year groups with ``model``, as the data stood at the
    end of the term; the run is a draft, seen by the EPC, until published."""
    groups = sorted(set(year_groups or model.year_groups))
    errors: dict[str, list[str]] = {}
    if not 2000 <= academic_year <= 2100:
        errors["academic_year"] = [_("Give the year the academic year starts, e.g. 2026.")]
    if term not in Term.values:
        errors["term"] = [_("Choose the autumn, spring or summer term.")]
    elif not errors and as_of is None and term_start(academic_year, term) > timezone.localdate():
        errors["term"] = [_("This term has not started yet: a run can only use data that exists.")]
    if any(y not in YEAR_GROUPS for y in groups):
        errors["year_groups"] = [_("Choose year groups between Year 2 and Year 13.")]
    if errors:
        raise ValidationError(errors)
    day = as_of or min(term_end(academic_year, term), timezone.localdate())
    snap = Snapshot(model.la_id, academic_year, term, day)
    cohort, schools, year_of = cohort_on(model.la_id, groups, day)
    rules = rules_of(model)
    with cohort_table(cohort) as cohort:
        values = read_values(rules, cohort, snap, progress)
        support = _support(cohort, snap)
    scored = score(model.thresholds, rules, values)
    inputs = _as_json(values)
    run = Run.objects.create(la_id=model.la_id, model=model, academic_year=academic_year, term=term, as_of=day,
                             year_groups=groups, counts=counts_of(scored.band), input_digest=_digest(
                                 cohort.person_ids, inputs), scheduled=scheduled,
                             created_by=actor if getattr(actor, "pk", None) else None)
    run.warnings = warnings_for(run.counts)
    run.save(update_fields=["warnings"])
    _write_results(run, cohort.person_ids, schools, year_of, inputs, scored.points, scored.score, scored.band,
                   support)
    progress(_("Scoring"), len(cohort.person_ids), len(cohort.person_ids))
    audit.record(actor, "create", context, object_type="risk_run", object_id=run.pk,
                 detail={"model": model.pk, "version": model.version, "pupils": len(cohort.person_ids),
                         "counts": run.counts, "digest": run.input_digest})
    return run


@transaction.atomic
def reproduce_run(run: Run, *, actor: Any, context: audit.AuditContext) -> Run:
    """Re-score ``run``'s stored snapshot with its own model version: a new draft run, which must agree exactly.
    A withdrawn run is refused: it is kept for the record, not re-used."""
    if run.status == RunStatus.WITHDRAWN:
        raise ValidationError(_("A withdrawn run cannot be reproduced."))
    rows = list(run.results.order_by("person_id").values_list("person_id", "school_id", "year_group", "inputs",
                                                              "support", "added_by_review"))
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    width = run.model.indicators.count()
    values = np.array([[np.nan if v is None else v for v in r[3]] for r in rows], dtype=float).reshape(-1, width)
    scored = score(run.model.thresholds, rules_of(run.model), values)
    inputs = _as_json(values)
    added = [bool(r[5]) for r in rows]
    # Pupils added at review were not in the cohort the run scored: the counts and digest leave them out.
    base = np.array([not a for a in added], dtype=bool)
    copy = Run.objects.create(la_id=run.la_id, model=run.model, academic_year=run.academic_year, term=run.term,
                              as_of=run.as_of, year_groups=run.year_groups, reproduces=run,
                              counts=counts_of(scored.band[base]),
                              input_digest=_digest(ids[base], [i for i, keep in zip(inputs, base, strict=True)
                                                               if keep]),
                              created_by=actor if getattr(actor, "pk", None) else None)
    copy.warnings = warnings_for(copy.counts)
    copy.save(update_fields=["warnings"])
    _write_results(copy, ids, np.array([r[1] for r in rows], dtype=np.int64),
                   np.array([r[2] for r in rows], dtype=np.int64), inputs, scored.points, scored.score,
                   scored.band, [r[4] for r in rows], added)
    audit.record(actor, "create", context, object_type="risk_run", object_id=copy.pk,
                 detail={"reproduces": run.pk, "digest": copy.input_digest})
    return copy


def warning_messages(codes: list[str]) -> list[str]:
    text = {OVER_HALF: _("More than half of the cohort is identified. The framework expects no more than half: "
                         "check the thresholds before releasing this run."),
            HIGH_NOT_SMALLEST: _("The high band is not the smallest band. The framework expects the fewest pupils "
                                 "in the high band: check the thresholds before releasing this run.")}
    return [text[c] for c in codes]


@transaction.atomic
def publish_run(run: Run, *, confirm_warnings: bool = False, actor: Any, context: audit.AuditContext) -> Run:
    """Release a draft run's results to schools (each sees its own pupils). A run with safeguard warnings needs
    the publisher's explicit confirmation."""
    Run.objects.select_for_update().filter(pk=run.pk).exists()  # one publisher at a time, then read its status
    run.refresh_from_db()
    if run.status != RunStatus.DRAFT:
        raise ValidationError(_("Only a draft run can be released."))
    if run.warnings and not confirm_warnings:
        raise ValidationError({"confirm_warnings": warning_messages(run.warnings) + [
            _("Confirm that you have checked the warnings to release this run.")]})
    run.status, run.published_at = RunStatus.PUBLISHED, timezone.now()
    run.published_by = actor if getattr(actor, "pk", None) else None
    run.warnings_confirmed = bool(run.warnings)
    run.save(update_fields=["status", "published_by", "published_at", "warnings_confirmed"])
    audit.record(actor, "share", context, object_type="risk_run", object_id=run.pk,
                 detail={"warnings_confirmed": run.warnings, "pupils": run.counts.get("cohort", 0)})
    return run


@transaction.atomic
def withdraw_run(run: Run, *, reason: str, actor: Any, context: audit.AuditContext) -> Run:
    """Take a run back from schools (or set a draft aside); it is kept, with its results, for the record."""
    Run.objects.select_for_update().filter(pk=run.pk).exists()
    run.refresh_from_db()
    if run.status == RunStatus.WITHDRAWN:
        raise ValidationError(_("This run has already been withdrawn."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the run is withdrawn.")]})
    run.status = RunStatus.WITHDRAWN
    run.save(update_fields=["status"])
    audit.record(actor, "change", context, object_type="risk_run", object_id=run.pk, detail={"withdrawn": reason})
    return run


def add_result(run: Run, person_id: int, *, school_id: int, year_group: int) -> Result:
    """Score one pupil the cohort missed (a review adds them): the same indicators, as the run's data stood."""
    snap = Snapshot(run.la_id, run.academic_year, run.term, run.as_of)
    cohort = Cohort(np.array([person_id], dtype=np.int64), Enrolment.objects.filter(
        person_id=person_id).values("person_id"))
    rules = rules_of(run.model)
    values = read_values(rules, cohort, snap, lambda stage, done, total: None)
    scored = score(run.model.thresholds, rules, values)
    _write_results(run, cohort.person_ids, np.array([school_id]), np.array([year_group]), _as_json(values),
                   scored.points, scored.score, scored.band, _support(cohort, snap), [True])
    return Result.objects.get(run=run, person_id=person_id)


def due_runs(day: datetime.date) -> list[RiskModel]:
    """Each LA's latest model whose schedule includes this term and which has no run for it yet."""
    academic_year, term = term_of(day)
    due = []
    latest: dict[int, RiskModel] = {}
    for model in RiskModel.objects.order_by("la_id", "version"):
        latest[model.la_id] = model
    for model in latest.values():
        if term in model.run_terms and not Run.objects.filter(
                la_id=model.la_id, academic_year=academic_year, term=term).exclude(status=RunStatus.WITHDRAWN).exists():
            due.append(model)
    return due
