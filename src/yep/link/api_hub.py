"""The data hub's partner API at /api/v1/link (issue 7 items 1-4): register and read sources, upload a dataset
(multipart; every row stored or none), follow its linking, work the clerical review queue, and merge or split
young people's records.

A dataset, candidate or merge the caller may not see gets the same 404 as one that does not exist; a file with bad
rows gets 400 with every row's problem; each answer naming young people is audited."""

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, decide
from yep.imports.framework import ImportRefused
from yep.imports.uploads import upload_problem
from yep.people.models import Person
from yep.people.schemas import MAX_ID, Error, RecordId

from . import hub, services_hub, services_review
from .models import Candidate, ClusterChange, ClusterChangeKind, Dataset, Source
from .views_hub import receive_upload
from .views_review import explanation_rows

router = Router()
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Probability = Annotated[float, Field(gt=0, lt=1)]


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class RowProblem(Schema):
    row: int
    column: str
    value: str
    reason: str


class Refused(Invalid):
    """A file that was not received: nothing was stored. ``rows`` lists each problem (at most the first 200 of
    ``total``)."""

    rows: list[RowProblem] = []
    total: int = 0


class SourceIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    kind: str
    mode: str = "link_only"
    controller_id: Id | None = None
    agreement_id: Id | None = None
    # {field: the file's column}; empty for the usual columns of the kind (GET /sources/{code} shows them).
    column_mapping: dict[str, str] = {}
    auto_threshold: Probability = 0.9
    review_threshold: Probability = 0.1


class DatasetOut(Schema):
    id: int
    source: str
    filename: str
    rows: int
    received_at: datetime.datetime
    received_by: str
    status: str
    progress: int
    progress_note: str
    summary: dict[str, Any]
    linked_at: datetime.datetime | None


class SourceOut(Schema):
    code: str
    name: str
    kind: str
    mode: str
    controller_id: int | None
    agreement_id: int | None
    column_mapping: dict[str, str]
    auto_threshold: float
    review_threshold: float
    model_trained_at: datetime.datetime | None
    active: bool


class SourceDetailOut(SourceOut):
    datasets: list[DatasetOut]


class LinkIn(Schema):
    retrain: bool = False


class ExplanationOut(Schema):
    comparison: str  # the model's name for it: forename, surname, dob, postcode, sex, upn, uln, ni_number
    label: str  # the same in the caller's language
    level: str  # the level the pair reached, in the caller's language
    weight: float


class FieldOut(Schema):
    """One field of the pair: the source record's value beside the register's, and whether they agree (null when
    one side does not hold it)."""

    label: str
    source_value: str
    register_value: str
    same: bool | None


class CandidateOut(Schema):
    id: int
    status: str
    source: str
    record_key: str
    dataset_id: int
    person_id: int
    person_name: str
    match_probability: float
    match_weight: float
    prior_weight: float
    explanation: list[ExplanationOut]
    fields: list[FieldOut]


class ReviewQuery(Schema):
    order: Literal["probable", "oldest"] = "probable"
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class DecisionIn(Schema):
    same_person: bool
    reason: str = Field("", max_length=500)


class DecisionOut(Schema):
    id: int
    status: str
    person_id: int
    decided_by: str
    decided_at: datetime.datetime | None


class MergeIn(Schema):
    kept_id: Id
    merged_id: Id
    reason: str = Field(max_length=500)


class SplitIn(Schema):
    reason: str = Field(max_length=500)


class ClusterChangeOut(Schema):
    id: int
    kind: str
    kept_id: int
    merged_id: int
    rows_moved: int
    reason: str
    made_by: str
    made_at: datetime.datetime
    undoes_id: int | None


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _source_out(source: Source) -> dict[str, Any]:
    return {"code": source.code, "name": source.name, "kind": source.kind, "mode": source.mode,
            "controller_id": source.controller_id, "agreement_id": source.agreement_id,
            "column_mapping": source.column_mapping, "auto_threshold": source.auto_threshold,
            "review_threshold": source.review_threshold, "model_trained_at": source.model_trained_at,
            "active": source.active}


def _dataset_out(dataset: Dataset) -> dict[str, Any]:
    return {"id": dataset.pk, "source": dataset.source.code, "filename": dataset.filename, "rows": dataset.rows,
            "received_at": dataset.received_at, "received_by": dataset.received_by, "status": dataset.status,
            "progress": dataset.progress, "progress_note": dataset.progress_note, "summary": dataset.summary or {},
            "linked_at": dataset.linked_at}


def _change_out(change: ClusterChange) -> dict[str, Any]:
    return {"id": change.pk, "kind": change.kind, "kept_id": change.kept_id, "merged_id": change.merged_id,
            "rows_moved": len(change.moved or []), "reason": change.reason, "made_by": change.made_by,
            "made_at": change.made_at, "undoes_id": change.undoes_id}


def _candidate_out(candidate: Candidate) -> dict[str, Any]:
    rows, _compared, prior = explanation_rows(candidate)
    record = candidate.record
    return {"id": candidate.pk, "status": candidate.status, "source": record.source.code,
            "record_key": record.record_key, "dataset_id": record.dataset_id, "person_id": candidate.person_id,
            "person_name": candidate.person.display_name, "match_probability": candidate.match_probability,
            "match_weight": candidate.match_weight, "prior_weight": round(prior, 4), "explanation": rows,
            "fields": [{"label": str(label), "source_value": left, "register_value": right, "same": same}
                       for label, left, right, same in hub.side_by_side(candidate)]}


def _source(user: Any, code: str) -> Source:
    source = hub.sources_for(user).filter(code=code).first()
    if source is None:
        raise HttpError(404, _("There is no such source, or you cannot see it."))
    return source


def _dataset(user: Any, pk: int) -> Dataset:
    dataset = hub.dataset_for(user, pk)
    if dataset is None:
        raise HttpError(404, _("There is no such dataset, or you cannot see it."))
    return dataset


# Sources ------------------------------------------------------------------------------------------------------------


@router.get("/sources", response=list[SourceOut], summary="List the registered sources")
@requires("link.link_datasets")
def list_sources(request: HttpRequest) -> list[dict[str, Any]]:
    return [_source_out(s) for s in hub.sources_for(request.user)]


@router.post("/sources", response={201: SourceOut, 400: Invalid, 403: Error, 422: Invalid},
             summary="Register a source")
@requires("link.manage_sources")
def register_source(request: HttpRequest, payload: SourceIn) -> Status[dict[str, Any]]:
    """Register an external dataset: its kind, what it may do to the register (``create``, ``active_customers``
    or ``link_only``), its controller and agreement, its column mapping and its two thresholds."""
    data = payload.dict()
    data["controller"], data["agreement"] = data.pop("controller_id"), data.pop("agreement_id")
    source = services_hub.register_source(data, actor=request.user, context=_context(request))
    return Status(201, _source_out(source))


@router.get("/sources/{code}", response={200: SourceDetailOut, 404: Error}, summary="Read a source")
@requires("link.link_datasets")
def read_source(request: HttpRequest, code: str) -> dict[str, Any]:
    """The source's settings (with its column mapping) and the datasets received from it, newest first."""
    source = _source(request.user, code)
    return {**_source_out(source), "datasets": [_dataset_out(d) for d in hub.datasets_for(request.user, source)]}


@router.post("/sources/{code}/datasets", response={201: DatasetOut, 400: Refused, 403: Error, 404: Error,
                                                  422: Invalid}, summary="Upload a dataset")
@requires("link.link_datasets")
def upload_dataset(request: HttpRequest, code: str, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """A CSV (UTF-8) or XLSX file with the columns of the source's mapping, as multipart field ``file``. Every row
    is checked first: any problem gets 400 with each row's problem, and nothing is stored."""
    source = _source(request.user, code)
    problem = upload_problem(file)
    if problem:
        return Status(400, {"detail": problem, "errors": {"file": [problem]}})
    try:
        dataset = receive_upload(source, file, request, _context(request))
    except ImportRefused as refused:
        return Status(400, {"detail": str(refused), "errors": {"file": [str(e) for e in refused.errors] or
                                                                     [str(refused)]},
                            "rows": [{"row": e.row, "column": e.column, "value": str(e.value), "reason": e.reason}
                                     for e in refused.errors], "total": refused.total})
    return Status(201, _dataset_out(dataset))


# Datasets -----------------------------------------------------------------------------------------------------------


@router.get("/datasets/{dataset_id}", response={200: DatasetOut, 404: Error}, summary="Read a dataset")
@requires("link.link_datasets")
def read_dataset(request: HttpRequest, dataset_id: RecordId) -> dict[str, Any]:
    """Its status (received, linking, linked, failed), progress in percent with a note, and once linked the
    counts by outcome."""
    return _dataset_out(_dataset(request.user, dataset_id))


@router.post("/datasets/{dataset_id}/link", response={202: DatasetOut, 400: Invalid, 403: Error, 404: Error},
             summary="Link a dataset into the register")
@requires("link.link_datasets")
def link_dataset(request: HttpRequest, dataset_id: RecordId, payload: LinkIn | None = None) -> Status[dict[str, Any]]:
    """Start linking the dataset's records not linked yet (``retrain`` trains the source's model afresh); poll
    GET /datasets/{id} for progress."""
    dataset = _dataset(request.user, dataset_id)
    services_hub.start_linking(dataset, actor=request.user, context=_context(request),
                               retrain=bool(payload and payload.retrain))
    return Status(202, _dataset_out(_dataset(request.user, dataset_id)))


# Clerical review ----------------------------------------------------------------------------------------------------


@router.get("/review", response=list[CandidateOut], summary="List the links waiting for review")
@requires("link.review_links")
def review_queue(request: HttpRequest, query: Query[ReviewQuery]) -> list[dict[str, Any]]:
    """Pending candidate links whose young person the caller may see, with both sides and the weight each
    comparison added. The people named are audited."""
    order = ("-match_probability", "pk") if query.order == "probable" else ("pk",)
    found = list(hub.review_queue(request.user).order_by(*order)[query.offset:query.offset + query.limit])
    audit.record(request.user, "view", _context(request), object_type="review_queue",
                 detail={"people": [c.person_id for c in found], "candidates": [c.pk for c in found]})
    return [_candidate_out(c) for c in found]


@router.post("/review/{candidate_id}", response={200: DecisionOut, 400: Invalid, 403: Error, 404: Error,
                                                422: Invalid}, summary="Decide a candidate link")
@requires("link.review_links")
def decide_candidate(request: HttpRequest, candidate_id: RecordId, payload: DecisionIn) -> dict[str, Any]:
    """``same_person`` true links the record to the young person; false means never suggest this pair again."""
    candidate = hub.candidate_for(request.user, candidate_id)
    if candidate is None:
        raise HttpError(404, _("There is no such candidate link, or you cannot see it."))
    decided = services_review.decide_candidate(candidate, same_person=payload.same_person, reason=payload.reason,
                                               actor=request.user, context=_context(request))
    return {"id": decided.pk, "status": decided.status, "person_id": decided.person_id,
            "decided_by": decided.decided_by, "decided_at": decided.decided_at}


# Merges and splits --------------------------------------------------------------------------------------------------


def _visible(request: HttpRequest, person_id: int) -> Person:
    """The person, when the caller may see them; the same 404 as for nobody otherwise (and the refusal audited)."""
    person = Person.objects.filter(pk=person_id).first() if decide(request.user, person_id) else None
    if person is None:
        audit.record(request.user, "denied", _context(request), person_id=person_id,
                     detail={"reason": "no relationship"})
        raise HttpError(404, _("There is no such young person, or you cannot see them."))
    return person


@router.post("/merges", response={201: ClusterChangeOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Merge two records of one young person")
@requires("link.merge_people")
def merge(request: HttpRequest, payload: MergeIn) -> Status[dict[str, Any]]:
    """Everything on ``merged_id`` moves to ``kept_id``; the change lists what moved so a split can undo it."""
    kept, merged = _visible(request, payload.kept_id), _visible(request, payload.merged_id)
    change = services_review.merge_people(kept, merged, reason=payload.reason, actor=request.user,
                                          context=_context(request))
    return Status(201, _change_out(change))


@router.post("/merges/{change_id}/split", response={201: ClusterChangeOut, 400: Invalid, 403: Error, 404: Error,
                                                    422: Invalid}, summary="Undo a merge")
@requires("link.merge_people")
def split(request: HttpRequest, change_id: RecordId, payload: SplitIn) -> Status[dict[str, Any]]:
    """Point every row the merge moved back at the record it came from."""
    change = hub.cluster_changes_for(request.user).filter(pk=change_id, kind=ClusterChangeKind.MERGE).first()
    if change is None:
        raise HttpError(404, _("There is no such merge, or you cannot see it."))
    undone = services_review.split_merge(change, reason=payload.reason, actor=request.user,
                                         context=_context(request))
    return Status(201, _change_out(undone))
