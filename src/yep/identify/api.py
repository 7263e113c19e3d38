"""API routes of early identification: risk models and their versions, runs (create and release), a run's
results with the factors behind each score, practitioner reviews, exports, and a young person's risk history.

Everything is read through ``identify.queries``: the EPC sees their LA's models and runs; school staff see
released runs and only their own pupils' results. An id that does not exist and one the caller may not see get
the same 404. Reads of pupils' results are written to the audit log."""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for, require_category
from yep.people.models import Organisation, Role
from yep.people.schemas import MAX_ID, Error, RecordId

from . import exports, queries, services, simulate
from .indicators import indicator
from .models import SUPPORT_LABELS, Band, Result, Review, RiskModel, Run, SupportNeed, Term
from .services.models import DEFAULT_YEAR_GROUPS, YEAR_GROUPS, IndicatorSetting
from .services.runs import warning_messages

router = Router(tags=["early identification"])

MAX_PAGE = 500
MAX_SCORE = 32_767  # thresholds are stored as small integers
BandCode = Literal["none", "low", "medium", "high"]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Number = Annotated[float, Field(allow_inf_nan=False)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Shapes -------------------------------------------------------------------------------------------------------


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class Coded(Schema):
    code: str
    label: str


class Thresholds(Schema):
    """A score at or above ``low`` is identified (the low band); at or above ``medium`` and ``high``, those bands."""

    low: int = Field(ge=0, le=MAX_SCORE)
    medium: int = Field(ge=0, le=MAX_SCORE)
    high: int = Field(ge=0, le=MAX_SCORE)


class IndicatorOut(Schema):
    key: str
    label: str
    group: str
    weight: int
    thresholds: list[float]
    rule: str


class ModelOut(Schema):
    """One version of an LA's early identification model. A change makes a new version; runs keep theirs."""

    id: int
    la_code: str
    version: int
    name: str
    note: str
    thresholds: Thresholds
    labels: dict[str, dict[str, str]]
    band_labels: dict[str, str]
    year_groups: list[int]
    run_terms: list[str]
    indicators: list[IndicatorOut]
    created_at: datetime.datetime


class IndicatorIn(Schema):
    key: str = Field(max_length=60)
    weight: int = Field(ge=0, le=MAX_SCORE)
    thresholds: list[Number] = Field(max_length=10)


class ModelIn(Schema):
    """A new version of your LA's model. Empty ``year_groups`` means Years 7 to 11; ``run_terms`` are the terms a
    scheduled run is made in (none: on demand). Labels are your own words for each band, e.g.
    ``{"high": {"en": "Red", "cy": "Coch"}}``."""

    name: str = Field("", max_length=100)
    note: str = Field("", max_length=2000)
    thresholds: Thresholds
    labels: dict[BandCode, dict[Literal["en", "cy"], Annotated[str, Field(max_length=50)]]] = {}
    year_groups: list[int] = Field([], max_length=12)
    run_terms: list[str] = Field([], max_length=3)
    indicators: list[IndicatorIn] = Field(max_length=50)


class WarningOut(Schema):
    code: str
    message: str


class PreviewOut(Schema):
    """The bands a proposed model would give the pupils on roll today: nothing is saved."""

    as_of: datetime.date
    counts: dict[str, int]
    identified_share: float
    warnings: list[WarningOut]


class RunOut(Schema):
    """A run of a model version over a cohort. The EPC's ``counts`` are the whole cohort's (``scope`` "la"); a
    school's are its own pupils' computed bands (``scope`` "yours")."""

    id: int
    la_code: str
    model_id: int
    model_version: int
    model_name: str
    academic_year: int
    term: str
    as_of: datetime.date
    year_groups: list[int]
    status: str
    scope: Literal["la", "yours"]
    counts: dict[str, int]
    identified_share: float
    warnings: list[WarningOut]
    warnings_confirmed: bool
    reproduces_id: int | None
    created_at: datetime.datetime
    published_at: datetime.datetime | None


class RunIn(Schema):
    """A new run: ``academic_year`` is the year it starts (2026 for 2026/27); ``year_groups`` default to the
    model's."""

    model_id: Id
    academic_year: int
    term: str
    year_groups: list[int] | None = Field(None, max_length=12)


class PublishIn(Schema):
    confirm_warnings: bool = False


class WithdrawIn(Schema):
    """Why the run is taken back (required: 400 when blank)."""

    reason: str = Field("", max_length=2000)


class FactorOut(Schema):
    label: str
    value: str
    rule: str
    weight: int
    points: int


class ResultOut(Schema):
    """One pupil's result: the computed band never changes; ``agreed_band`` is the latest review's (null until
    reviewed). ``change`` is the computed band's move since the LA's previous released run (null when none)."""

    id: int
    run_id: int
    person_id: int
    upn: str | None
    legal_forenames: str
    legal_surname: str
    preferred_forename: str
    school_id: int
    school: str
    year_group: int
    score: int
    band: str
    band_label: str
    agreed_band: str | None
    agreed_band_label: str | None
    added_by_review: bool
    support: list[Coded]
    factors: list[FactorOut]
    change: Literal["up", "down", "same", "new"] | None = None


class ResultPage(Schema):
    count: int
    limit: int
    offset: int
    previous_run_id: int | None
    items: list[ResultOut]


class RunRef(Schema):
    id: int
    academic_year: int
    term: str
    as_of: datetime.date
    status: str
    model_id: int
    model_version: int


class ReviewOut(Schema):
    id: int
    action: str
    computed_band: str
    computed_band_label: str
    agreed_band: str
    agreed_band_label: str
    reason: str
    young_person_view: str
    support_needs: list[Coded]
    support_notes: str
    reviewed_by: str
    reviewed_at: datetime.datetime


class ResultWithRun(ResultOut):
    run: RunRef


class ResultDetail(ResultWithRun):
    """A result with the run it belongs to and every review, newest first."""

    reviews: list[ReviewOut]


class ReviewIn(Schema):
    """Confirm, raise or lower the band, always with a reason; the young person's own view and their first support
    needs (codes: attendance, behaviour, learning, wellbeing, family, caring, housing, careers, confidence,
    substance, other)."""

    agreed_band: str = ""
    reason: str = ""
    young_person_view: str = ""
    support_needs: list[str] = Field([], max_length=20)
    support_notes: str = ""


class ResultFilters(Schema):
    school_id: Id | None = None
    year_group: int | None = Field(None, ge=0, le=20)
    band: BandCode | None = Field(None, description="Pupils in this band (see band_of).")
    band_of: Literal["current", "computed", "agreed"] = Field(
        "current", description="Which band `band` filters on: the agreed band where reviewed, else the computed "
                               "one (current); the computed band; or the agreed band.")
    changed: Literal["up", "down", "same", "new"] | None = Field(
        None, description="Pupils whose computed band went up, down or stayed the same since the previous run, "
                          "or who are new to it.")
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=10_000_000)


class ExportQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    roni: bool = Field(False, description="England's RONI list: identified pupils only, highest risk first.")


# Reading --------------------------------------------------------------------------------------------------------


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _epc_las(user: Any) -> list[Organisation]:
    return [m.organisation for m in user.active_memberships().filter(role=Role.EPC).order_by("start", "pk")]


def _model_for(user: Any, pk: int) -> RiskModel:
    model = queries.models_visible_to(user).filter(pk=pk).first()
    if model is None:
        raise HttpError(404, _("There is no such model, or you cannot see it."))
    return model


def _run_for(user: Any, pk: int) -> Run:
    run = queries.runs_visible_to(user).filter(pk=pk).first()
    if run is None:
        raise HttpError(404, _("There is no such run, or you cannot see it."))
    prefetch_related_objects([run.model], "indicators")
    return run


def _result_for(user: Any, pk: int) -> Result:
    result = Result.objects.select_related("run__model", "run__la", "person", "school").filter(pk=pk).first()
    if result is None or not queries.results_visible_to(user, result.run).filter(pk=pk).exists():
        raise HttpError(404, _("There is no such result, or you cannot see it."))
    prefetch_related_objects([result.run.model], "indicators")
    return result


def _group(key: str) -> str:
    try:
        return indicator(key).group
    except KeyError:  # an indicator since retired from the registry: still shown, by its key
        return ""


def _model(model: RiskModel) -> dict[str, Any]:
    labels = queries.indicator_labels(model)
    rows = []
    for setting in model.indicators.all():
        group = _group(setting.key)
        rule = indicator(setting.key).describe_rule(setting.thresholds) if group else ""
        rows.append({"key": setting.key, "label": labels[setting.key], "group": group, "weight": setting.weight,
                     "thresholds": setting.thresholds, "rule": rule})
    return {
        "id": model.pk, "la_code": model.la.code, "version": model.version, "name": model.name, "note": model.note,
        "thresholds": {"low": model.threshold_low, "medium": model.threshold_medium, "high": model.threshold_high},
        "labels": model.labels, "band_labels": {b: model.band_label(b) for b in Band.values},
        "year_groups": model.year_groups, "run_terms": model.run_terms, "indicators": rows,
        "created_at": model.created_at,
    }


def _run(user: Any, run: Run) -> dict[str, Any]:
    if queries.is_epc_for(user, run):
        scope, counts = "la", {k: run.counts.get(k, 0) for k in (*Band.values, "cohort")}
    else:  # a school sees its own pupils' numbers, never the LA's
        scope, counts = "yours", dict.fromkeys(Band.values, 0)
        for band, n in queries.results_visible_to(user, run).order_by().values_list("band").annotate(n=Count("pk")):
            counts[band] = n
        counts["cohort"] = sum(counts[b] for b in Band.values)
    identified = counts["cohort"] - counts[Band.NONE]
    return {
        "id": run.pk, "la_code": run.la.code, "model_id": run.model_id, "model_version": run.model.version,
        "model_name": run.model.name, "academic_year": run.academic_year, "term": run.term, "as_of": run.as_of,
        "year_groups": run.year_groups, "status": run.status, "scope": scope, "counts": counts,
        "identified_share": identified / counts["cohort"] if counts["cohort"] else 0.0,
        "warnings": [{"code": c, "message": m} for c, m in zip(run.warnings, warning_messages(run.warnings),
                                                                 strict=True)],
        "warnings_confirmed": run.warnings_confirmed, "reproduces_id": run.reproduces_id,
        "created_at": run.created_at, "published_at": run.published_at,
    }


def _run_ref(run: Run) -> dict[str, Any]:
    return {"id": run.pk, "academic_year": run.academic_year, "term": run.term, "as_of": run.as_of,
            "status": run.status, "model_id": run.model_id, "model_version": run.model.version}


def _support(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": c, "label": str(SUPPORT_LABELS.get(c, c))} for c in codes]


def _needs(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": c, "label": str(SupportNeed(c).label) if c in SupportNeed.values else c} for c in codes]


def _factor(factor: queries.Factor) -> dict[str, Any]:
    return {"label": factor.label, "value": factor.value, "rule": factor.rule, "weight": factor.weight,
            "points": factor.points}


def _result(result: Result, change: str | None = None, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """One result; pass the model's ``labels`` (``queries.indicator_labels``) when listing many."""
    model, person = result.run.model, result.person
    return {
        "id": result.pk, "run_id": result.run_id, "person_id": person.pk, "upn": person.upn,
        "legal_forenames": person.legal_forenames, "legal_surname": person.legal_surname,
        "preferred_forename": person.preferred_forename, "school_id": result.school_id,
        "school": result.school.name, "year_group": result.year_group, "score": result.score,
        "band": result.band, "band_label": model.band_label(result.band),
        "agreed_band": result.agreed_band or None,
        "agreed_band_label": model.band_label(result.agreed_band) if result.agreed_band else None,
        "added_by_review": result.added_by_review, "support": _support(result.support),
        "factors": [_factor(f) for f in queries.explain(result, labels)], "change": change,
    }


def _review(review: Review, model: RiskModel) -> dict[str, Any]:
    user = review.reviewed_by
    return {
        "id": review.pk, "action": review.action, "computed_band": review.computed_band,
        "computed_band_label": model.band_label(review.computed_band), "agreed_band": review.agreed_band,
        "agreed_band_label": model.band_label(review.agreed_band), "reason": review.reason,
        "young_person_view": review.young_person_view, "support_needs": _needs(review.support_needs),
        "support_notes": review.support_notes, "reviewed_by": user.get_full_name() or user.get_username(),
        "reviewed_at": review.reviewed_at,
    }


def _with_reviews(result: Result) -> dict[str, Any]:
    reviews = result.reviews.select_related("reviewed_by")  # newest first
    return {**_result(result), "run": _run_ref(result.run),
            "reviews": [_review(r, result.run.model) for r in reviews]}


def _by_band(results: QuerySet[Result], band: str, band_of: str) -> QuerySet[Result]:
    if band_of == "computed":
        return results.filter(band=band)
    if band_of == "agreed":
        return results.filter(agreed_band=band)
    return results.filter(Q(agreed_band=band) | Q(agreed_band="", band=band))


def _changes(results: QuerySet[Result], previous: Run | None) -> dict[int, str]:
    """Each pupil's move since ``previous`` (by person id); empty when there is no earlier released run."""
    return {c.person_id: c.direction for c in queries.compare(results, previous)} if previous else {}


# Models ---------------------------------------------------------------------------------------------------------


@router.get("/models", response=list[ModelOut], summary="List risk models")
@requires("identify.view_results")
def list_models(request: HttpRequest) -> list[dict[str, Any]]:
    """Every version of the models of the LAs you work in, newest version first within each LA."""
    models = queries.models_visible_to(request.user).prefetch_related("indicators")
    return [_model(m) for m in models]


@router.post("/models/preview", response={200: PreviewOut, 400: Invalid, 403: Error, 422: Invalid},
             summary="Preview the bands a model would give today")
@requires("identify.manage_models")
def preview_model(request: HttpRequest, payload: ModelIn) -> dict[str, Any]:
    """The what-if: score your LA's pupils on roll today with the model in the body (the same shape as a new
    version) and return the pupils per band, the share identified and the safeguard warnings. Saves nothing."""
    las = _epc_las(request.user)
    if not las:
        raise PermissionDenied
    shown = simulate.preview(
        las[0], thresholds=(payload.thresholds.low, payload.thresholds.medium, payload.thresholds.high),
        indicators=[IndicatorSetting(i.key, i.weight, list(i.thresholds)) for i in payload.indicators],
        year_groups=payload.year_groups or DEFAULT_YEAR_GROUPS, actor=request.user, context=_context(request))
    return {"as_of": shown.day, "counts": shown.counts, "identified_share": round(shown.identified_share, 4),
            "warnings": [{"code": c, "message": m} for c, m in zip(shown.warnings, warning_messages(shown.warnings),
                                                                  strict=True)]}


@router.get("/models/{model_id}", response={200: ModelOut, 404: Error}, summary="Read a risk model version")
@requires("identify.view_results")
def read_model(request: HttpRequest, model_id: int) -> dict[str, Any]:
    return _model(_model_for(request.user, model_id))


@router.post("/models", response={201: ModelOut, 400: Invalid, 403: Error, 422: Invalid},
             summary="Save a new version of your LA's model")
@requires("identify.manage_models")
def create_model(request: HttpRequest, payload: ModelIn) -> Status[dict[str, Any]]:
    """The EPC saves a new version for their own LA; earlier versions, and the runs made with them, never change.
    Attendance, behaviour and attainment indicators are compulsory and the band thresholds must rise (400 with
    every problem otherwise)."""
    las = _epc_las(request.user)
    if not las:
        raise PermissionDenied
    model = services.create_model_version(
        las[0], name=payload.name, note=payload.note,
        thresholds=(payload.thresholds.low, payload.thresholds.medium, payload.thresholds.high),
        indicators=[IndicatorSetting(i.key, i.weight, list(i.thresholds)) for i in payload.indicators],
        labels={str(b): {str(k): v for k, v in words.items()} for b, words in payload.labels.items()},
        year_groups=payload.year_groups, run_terms=payload.run_terms, actor=request.user, context=_context(request))
    return Status(201, _model(model))


# Runs -----------------------------------------------------------------------------------------------------------


@router.get("/runs", response=list[RunOut], summary="List runs")
@requires("identify.view_results")
def list_runs(request: HttpRequest) -> list[dict[str, Any]]:
    """The EPC's LA's runs (drafts included); for school staff, the released runs with their pupils in them.
    Newest first."""
    runs = queries.runs_visible_to(request.user).order_by("-as_of", "-pk")
    return [_run(request.user, r) for r in runs]


@router.get("/runs/{run_id}", response={200: RunOut, 404: Error}, summary="Read a run")
@requires("identify.view_results")
def read_run(request: HttpRequest, run_id: int) -> dict[str, Any]:
    return _run(request.user, _run_for(request.user, run_id))


@router.post("/runs", response={201: RunOut, 400: Invalid, 403: Error, 422: Invalid}, summary="Make a run")
@requires("identify.run")
def create_run(request: HttpRequest, payload: RunIn) -> Status[dict[str, Any]]:
    """Score every pupil on roll at your LA's schools in the year groups with one of your LA's model versions, as
    the data stood at the end of the term. The run is a draft, seen by the EPC only, until released."""
    errors: dict[str, list[str]] = {}
    las = [la.pk for la in _epc_las(request.user)]
    model = RiskModel.objects.filter(pk=payload.model_id, la_id__in=las).first()
    if model is None:
        errors["model_id"] = [_("Choose one of your LA's model versions.")]
    if payload.term not in Term.values:
        errors["term"] = [_("Choose the autumn, spring or summer term.")]
    if not 2000 <= payload.academic_year <= 2100:
        errors["academic_year"] = [_("Give the year the academic year starts, e.g. 2026.")]
    if any(g not in YEAR_GROUPS for g in payload.year_groups or []):
        errors["year_groups"] = [_("Choose year groups between Year 2 and Year 13.")]
    if errors or model is None:
        raise ValidationError(errors)
    run = services.create_run(model, academic_year=payload.academic_year, term=payload.term,
                              year_groups=payload.year_groups or None, actor=request.user, context=_context(request))
    return Status(201, _run(request.user, _run_for(request.user, run.pk)))


@router.post("/runs/{run_id}/publish", response={200: RunOut, 400: Invalid, 403: Error, 404: Error},
             summary="Release a run to schools")
@requires("identify.run")
def publish_run(request: HttpRequest, run_id: int, payload: PublishIn) -> dict[str, Any]:
    """Release a draft run: each school then sees and reviews its own pupils. A run with safeguard warnings
    (more than half the cohort identified; the high band not the smallest) is refused with the warnings (400)
    unless ``confirm_warnings`` is true."""
    run = _run_for(request.user, run_id)
    if not queries.is_epc_for(request.user, run):
        raise PermissionDenied
    services.publish_run(run, confirm_warnings=payload.confirm_warnings, actor=request.user,
                         context=_context(request))
    return _run(request.user, _run_for(request.user, run.pk))


@router.post("/runs/{run_id}/withdraw", response={200: RunOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Withdraw a run")
@requires("identify.run")
def withdraw_run(request: HttpRequest, run_id: int, payload: WithdrawIn) -> dict[str, Any]:
    """Take a run back from schools (or set a draft aside), saying why: schools no longer see it, and it is kept,
    with its results, for the record. A blank reason, or a run already withdrawn, is refused (400)."""
    run = _run_for(request.user, run_id)
    if not queries.is_epc_for(request.user, run):
        raise PermissionDenied
    services.withdraw_run(run, reason=payload.reason, actor=request.user, context=_context(request))
    return _run(request.user, _run_for(request.user, run.pk))


# Results and reviews --------------------------------------------------------------------------------------------


@router.get("/runs/{run_id}/results", response={200: ResultPage, 404: Error}, summary="List a run's results")
@requires("identify.view_results")
def list_results(request: HttpRequest, run_id: int, filters: Query[ResultFilters]) -> dict[str, Any]:
    """The results you may see (the EPC: the whole run; a school: its own pupils once the run is released),
    highest score first, with the factors behind each score. At most 500 a page. Each page read is audited."""
    run = _run_for(request.user, run_id)
    results = queries.results_visible_to(request.user, run)
    if filters.school_id is not None:
        results = results.filter(school_id=filters.school_id)
    if filters.year_group is not None:
        results = results.filter(year_group=filters.year_group)
    if filters.band:
        results = _by_band(results, filters.band, filters.band_of)
    previous = queries.previous_run(run)
    end = filters.offset + filters.limit
    if filters.changed:
        moves = _changes(results, previous)
        wanted = [pk for pk, person in results.values_list("pk", "person_id") if moves.get(person) == filters.changed]
        count, chosen = len(wanted), wanted[filters.offset:end]
        order = {pk: n for n, pk in enumerate(chosen)}
        page = sorted(results.filter(pk__in=chosen), key=lambda r: order[r.pk])
    else:
        count, page = results.count(), list(results[filters.offset:end])
    moves = _changes(Result.objects.filter(pk__in=[r.pk for r in page]), previous)
    for r in page:
        r.run = run  # one model (with its indicators) for the whole page
    labels = queries.indicator_labels(run.model)  # read once for the page, not once a result
    audit.record(request.user, "view", _context(request), object_type="risk_results", object_id=run.pk,
                 fields=[categories.RISK], detail={"people": [r.person_id for r in page],
                                                   "filters": filters.model_dump(exclude_none=True)})
    return {"count": count, "limit": filters.limit, "offset": filters.offset,
            "previous_run_id": previous.pk if previous else None,
            "items": [_result(r, moves.get(r.person_id), labels) for r in page]}


@router.get("/results/{result_id}", response={200: ResultDetail, 404: Error}, summary="Read a result")
@requires("identify.view_results")
def read_result(request: HttpRequest, result_id: int) -> dict[str, Any]:
    """One pupil's result with the factors behind it and every review, newest first."""
    result = _result_for(request.user, result_id)
    audit.record(request.user, "view", _context(request), person_id=result.person_id, object_type="risk_result",
                 object_id=result.pk, fields=[categories.RISK])
    return _with_reviews(result)


@router.post("/results/{result_id}/reviews", response={201: ReviewOut, 400: Invalid, 403: Error, 404: Error,
                                                        422: Invalid}, summary="Review a result")
@requires("identify.review")
def review_result(request: HttpRequest, result_id: int, payload: ReviewIn) -> Status[dict[str, Any]]:
    """Agree a pupil's band, with a reason (400 without one). The computed band never changes; the agreed band is
    the latest review's. Staff of the pupil's school (once released) and the EPC may review; anyone else who can
    see the result gets 403, and the refusal is logged."""
    result = _result_for(request.user, result_id)
    review = services.review_result(result, agreed_band=payload.agreed_band, reason=payload.reason,
                                    young_person_view=payload.young_person_view,
                                    support_needs=payload.support_needs, support_notes=payload.support_notes,
                                    actor=request.user, context=_context(request))
    return Status(201, _review(review, result.run.model))


@router.get("/runs/{run_id}/export", response={200: None, 404: Error}, summary="Export a run's results",
            openapi_extra={"responses": {200: {"description": "CSV or XLSX",
                                               "content": {"text/csv": {}, XLSX: {}}}}})
@requires("identify.view_results")
def export_results(request: HttpRequest, run_id: int, query: Query[ExportQuery]) -> HttpResponse:
    """The results you may see as a CSV or XLSX file (``roni=true``: identified pupils only). Audited."""
    run = _run_for(request.user, run_id)
    results = queries.results_visible_to(request.user, run).order_by("-score", "person_id")
    table = exports.rows(results, roni=query.roni)
    people = list(results.values_list("person_id", flat=True))
    audit.record(request.user, "export", _context(request), object_type="risk_run", object_id=run.pk,
                 fields=[categories.RISK], detail={"rows": len(table) - 1, "format": query.format,
                                                   "roni": query.roni, "people": people})
    name = f"{'roni' if query.roni else 'early-identification'}-{run.academic_year}-{run.term}-{run.pk}.{query.format}"
    response = HttpResponse(exports.render(table, query.format),
                            content_type="text/csv; charset=utf-8" if query.format == "csv" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# A young person's record ------------------------------------------------------------------------------------------


@router.get("/people/{person_id}/risk", response={200: list[ResultWithRun], 403: Error, 404: Error},
            summary="Read a young person's early identification results")
@requires("people.view_person")
def person_risk(request: HttpRequest, person_id: RecordId) -> list[dict[str, Any]]:
    """The young person's results in the runs you may see (withdrawn runs left out), newest first, with the factors.
    Risk data never reaches admissions: a provider asking gets 403, and the refusal is logged."""
    context = _context(request)
    _person, decision = get_person_for(request.user, person_id, CASEWORK, context, (categories.RISK,))
    require_category(request.user, decision, categories.RISK, context)
    shown = list(queries.person_results_visible_to(request.user, person_id))
    prefetch_related_objects([r.run.model for r in shown], "indicators")
    labels: dict[int, dict[str, str]] = {}
    for r in shown:
        if r.run.model_id not in labels:
            labels[r.run.model_id] = queries.indicator_labels(r.run.model)
    return [{**_result(r, labels=labels[r.run.model_id]), "run": _run_ref(r.run)} for r in shown]

