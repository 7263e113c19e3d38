"""The data hub's pages (issue 7 items 1-3): the hub home with the registered sources and recent datasets,
registering and editing a source (its column mapping, mode and thresholds), uploading a dataset, a dataset's
linking progress and outcome counts, and a young person's "Data hub" tab with the source records linked to them."""

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.models import SharingAgreement
from yep.access.policy import CASEWORK
from yep.imports.framework import ImportRefused
from yep.imports.uploads import saved_upload, upload_problem
from yep.people.models import Organisation
from yep.people.views import person_context

from . import hub, mapping, services_hub, services_review
from .models import Dataset, DatasetStatus, MatchMode, Source, SourceKind

SOURCE_FIELDS = ("code", "name", "kind", "mode", "controller", "agreement", "auto_threshold", "review_threshold")
RECENT = 10  # datasets listed on the hub home
# Outcomes a dataset's summary counts, in the order the page lists them; any other key follows under its own name.
OUTCOMES = (
    ("identifier", gettext_lazy("Linked by the same identifier (UPN, ULN or NI number)")),
    ("probabilistic", gettext_lazy("Linked by a confident probabilistic match")),
    ("clerical", gettext_lazy("Linked by an earlier clerical decision")),
    ("review", gettext_lazy("Waiting for clerical review")),
    ("created", gettext_lazy("New people created")),
    ("no_match", gettext_lazy("Nobody matches")),
    ("activities", gettext_lazy("Activities added to timelines")),
)


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def _source(request: HttpRequest, code: str) -> Source:
    source = hub.sources_for(request.user).filter(code=code).first()
    if source is None:
        raise Http404(_("There is no such source, or you cannot see it."))
    return source


def _dataset(request: HttpRequest, pk: int) -> Dataset:
    dataset = hub.dataset_for(request.user, pk)
    if dataset is None:
        raise Http404(_("There is no such dataset, or you cannot see it."))
    return dataset


# The hub home -------------------------------------------------------------------------------------------------------


@requires("link.link_datasets")
def hub_home(request: HttpRequest) -> HttpResponse:
    """Sources with their mode, thresholds, model and last dataset; the most recent datasets of all of them."""
    sources = list(hub.sources_for(request.user))
    datasets = list(hub.datasets_for(request.user)[:RECENT])
    return render(request, "link/hub_home.html", {
        "sources": [(s, hub.datasets_for(request.user, s).first()) for s in sources], "datasets": datasets,
        "may_register": request.user.has_perm("link.manage_sources"),
        "may_review": request.user.has_perm("link.review_links"),
        "may_merge": request.user.has_perm("link.merge_people")})


# Registering and editing a source -------------------------------------------------------------------------------


def _source_form(request: HttpRequest, source: Source | None) -> dict[str, Any]:
    """The form as typed (on a POST) or as the source stands (None: a new source, with the usual thresholds)."""
    if request.method == "POST":
        form = {name: request.POST.get(name, "").strip() for name in SOURCE_FIELDS}
        columns = {f.name: request.POST.get(f"map_{f.name}", "").strip() for f in mapping.FIELDS}
        if source is not None:
            form["code"] = source.code  # shown, never sent: a source's code does not change
        return {"form": form, "columns": columns}
    if source is None:
        form = dict.fromkeys(SOURCE_FIELDS, "") | {
            "mode": MatchMode.LINK_ONLY, "auto_threshold": "0.9", "review_threshold": "0.1"}
        return {"form": form, "columns": {f.name: "" for f in mapping.FIELDS}}
    form = {"code": source.code, "name": source.name, "kind": source.kind, "mode": source.mode,
            "controller": str(source.controller_id or ""), "agreement": str(source.agreement_id or ""),
            "auto_threshold": str(source.auto_threshold), "review_threshold": str(source.review_threshold)}
    return {"form": form, "columns": {f.name: source.column_mapping.get(f.name, "") for f in mapping.FIELDS}}


def _source_data(typed: dict[str, Any]) -> dict[str, Any]:
    """What the service reads, as typed: it checks every field and says what is wrong with each."""
    return {**typed["form"], "column_mapping": {name: column for name, column in typed["columns"].items() if column}}


def _source_page(request: HttpRequest, source: Source | None, typed: dict[str, Any],
                 errors: dict[str, list[str]]) -> HttpResponse:
    return render(request, "link/hub_source_form.html", {
        **typed, "source": source, "errors": errors, "kinds": SourceKind.choices, "modes": MatchMode.choices,
        "fields": [(f, typed["columns"].get(f.name, "")) for f in mapping.FIELDS],
        "organisations": Organisation.objects.filter(active=True).order_by("name"),
        "agreements": SharingAgreement.objects.order_by("name")},
        status=400 if errors else 200)


@requires("link.manage_sources")
def source_new(request: HttpRequest) -> HttpResponse:
    """Register a source: what it is, who controls it, what it may do to the register, and its column mapping."""
    typed = _source_form(request, None)
    if request.method == "POST":
        try:
            source = services_hub.register_source(_source_data(typed), actor=request.user,
                                                  context=_context(request))
        except ValidationError as problem:
            return _source_page(request, None, typed, problem.message_dict)
        messages.success(request, _("The source %(name)s is registered.") % {"name": source.name})
        return redirect("link:source", code=source.code)
    return _source_page(request, None, typed, {})


@requires("link.manage_sources")
def source_edit(request: HttpRequest, code: str) -> HttpResponse:
    source = _source(request, code)
    typed = _source_form(request, source)
    if request.method == "POST":
        data = _source_data(typed)
        data.pop("code")  # a source's code never changes: datasets and decisions are filed under it
        try:
            services_hub.update_source(source, data, actor=request.user, context=_context(request))
        except ValidationError as problem:
            return _source_page(request, source, typed, problem.message_dict)
        messages.success(request, _("The source %(name)s is saved.") % {"name": source.name})
        return redirect("link:source", code=source.code)
    return _source_page(request, source, typed, {})


# A source's page and uploading a dataset ---------------------------------------------------------------------


def receive_upload(source: Source, upload: UploadedFile, request: HttpRequest,
                   context: audit.AuditContext) -> Dataset:
    """Save the upload to a temporary file (deleted afterwards) and hand it to the service, which stores every
    row or none (ImportRefused)."""
    name = Path(upload.name or "upload").name
    with saved_upload(upload, prefix="yep-hub-") as saved:
        return services_hub.receive_dataset(source, saved, actor=request.user, context=context, filename=name)


@requires("link.link_datasets")
def source_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A source's settings and datasets, and the form to upload a new dataset (all rows stored, or none)."""
    source = _source(request, code)
    page: dict[str, Any] = {"source": source, "datasets": hub.datasets_for(request.user, source),
                            "fields": [(f, source.column_mapping.get(f.name, "")) for f in mapping.FIELDS],
                            "may_edit": request.user.has_perm("link.manage_sources"), "errors": {}}
    if request.method == "POST":
        upload = request.FILES.get("file")
        problem = upload_problem(upload)
        if problem or upload is None:
            page["errors"] = {"file": [problem]}
            return render(request, "link/hub_source.html", page, status=400)
        try:
            dataset = receive_upload(source, upload, request, _context(request))
        except ImportRefused as refused:
            page |= {"errors": {"file": [str(refused)]}, "row_errors": refused.errors, "total": refused.total}
            return render(request, "link/hub_source.html", page, status=400)
        except ValidationError as problem_found:
            page["errors"] = {"file": problem_found.messages}
            return render(request, "link/hub_source.html", page, status=400)
        messages.success(request, _("%(n)s rows received from %(file)s. Link them to the register when ready.")
                         % {"n": dataset.rows, "file": dataset.filename})
        return redirect("link:dataset", pk=dataset.pk)
    return render(request, "link/hub_source.html", page)


# A dataset: linking progress and the outcome --------------------------------------------------------------------


def outcome_rows(summary: dict[str, Any]) -> list[tuple[Any, Any]]:
    """The summary's counts as (label, count), in the order of ``OUTCOMES``; unknown keys follow by name."""
    labels = dict(OUTCOMES)
    known = [(labels[key], summary[key]) for key, _label in OUTCOMES if key in summary]
    return known + [(key, value) for key, value in summary.items() if key not in labels]


@requires("link.link_datasets")
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """While linking, a progress bar that refreshes itself; afterwards the counts by outcome, and the buttons to
    link (again, or with the model trained afresh)."""
    dataset = _dataset(request, pk)
    if request.method == "POST":
        retrain = request.POST.get("action") == "retrain"
        try:
            services_hub.start_linking(dataset, actor=request.user, context=_context(request), retrain=retrain)
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
        else:
            dataset.refresh_from_db()
            messages.success(request, _("The dataset is linked.") if dataset.status == DatasetStatus.LINKED
                             else _("Linking has started: this page shows how far it has gone."))
        return redirect("link:dataset", pk=dataset.pk)
    linking = dataset.status == DatasetStatus.LINKING
    response = render(request, "link/hub_dataset.html", {
        "dataset": dataset, "source": dataset.source, "linking": linking,
        "outcomes": outcome_rows(dataset.summary or {}),
        "may_review": request.user.has_perm("link.review_links")})
    return response


# A young person's "Data hub" tab -----------------------------------------------------------------------------


@requires("people.view_person")
def person_records(request: HttpRequest, person_id: int) -> HttpResponse:
    """The source records linked to a young person, with how each was linked; the read is checked and audited
    (``person_context``), and the records themselves only for staff who work with the data hub."""
    context = person_context(request, person_id, "data_hub", (categories.IDENTITY,))
    may_see = request.user.has_perm("link.link_datasets") or request.user.has_perm("link.review_links")
    records = hub.linked_records(request.user, person_id) if may_see else []
    if records:
        audit.record(request.user, "view", _context(request), person_id=person_id, object_type="source_records",
                     detail={"records": [r.pk for r in records]})
    return render(request, "link/person_records.html", {
        **context, "records": records, "may_see": may_see,
        "may_unlink": request.user.has_perm("link.review_links") and context["decision"].can_change})


@requires("link.review_links")
def unlink_record(request: HttpRequest, person_id: int, record_id: int) -> HttpResponse:
    """Take a source record off a young person (the reason is required); the record can then be linked again."""
    context = person_context(request, person_id, "data_hub", (categories.IDENTITY,))
    record = next((r for r in hub.linked_records(request.user, person_id) if r.pk == record_id), None)
    if record is None or request.method != "POST" or not context["decision"].can_change:
        raise Http404(_("There is no such record, or you cannot change it."))
    reason = request.POST.get("reason", "").strip()
    try:
        services_review.unlink_record(record, reason=reason, actor=request.user, context=_context(request))
    except ValidationError as problem:
        return render(request, "link/person_records.html", {
            **context, "records": hub.linked_records(request.user, person_id), "may_see": True,
            "may_unlink": True, "errors": {f"reason-{record.pk}": problem.messages}, "failed": record.pk,
            "reason": reason}, status=400)
    messages.success(request, _("The record is unlinked from %(name)s.") % {"name": context["person"].display_name})
    return redirect("link:person_records", person_id=person_id)


urlpatterns: list[URLPattern] = [
    path("", hub_home, name="hub"),
    path("sources/new/", source_new, name="source_new"),
    path("sources/<slug:code>/", source_detail, name="source"),
    path("sources/<slug:code>/edit/", source_edit, name="source_edit"),
    path("datasets/<int:pk>/", dataset_detail, name="dataset"),
    path("people/<int:person_id>/records/", person_records, name="person_records"),
    path("people/<int:person_id>/records/<int:record_id>/unlink/", unlink_record, name="unlink_record"),
]
