"""Research API at /api/v1/link (issue 7, item 5): the projects a caller may see, one project with its extract
log, and making an extract (CSV, or JSON rows with ``?format=json``). The DPO sees every project; a researcher
only those naming them; a project the caller may not see is the same 404 as none."""

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from yep.access import audit
from yep.access.guards import requires
from yep.people.schemas import Error

from . import research as reads
from . import services_research as services
from .models import ResearchExtract, ResearchProject

router = Router()
RESEARCH = "research"


class Invalid(Schema):
    """A request the service refused (400) or could not read (422): a message and the problems, by field."""

    detail: str
    errors: dict[str, list[str]] = {}


class ProjectOut(Schema):
    code: str
    title: str
    status: str
    lead_researcher: str
    fields: list[str]
    approval_reference: str
    approved_on: datetime.date | None
    ends_on: datetime.date | None
    agreement: str | None


class ExtractLogOut(Schema):
    id: int
    made_by: str
    made_at: datetime.datetime
    as_of: datetime.date
    fields: list[str]
    rows: int
    suppressed: int
    sha256: str


class ProjectDetailOut(ProjectOut):
    purpose: str
    public_benefit: str
    researchers: list[str]
    extracts: list[ExtractLogOut]


class ExtractIn(Schema):
    as_of: datetime.date | None = None


class ExtractQuery(Schema):
    format: Literal["csv", "json"] = "csv"


class ExtractOut(Schema):
    """The extract's rows (the pseudonym first, no direct identifier) and its log entry."""

    columns: list[str]
    rows: list[dict[str, str]]
    generalised: int
    log: ExtractLogOut


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, RESEARCH, "api")


def _project(request: HttpRequest, code: str) -> ResearchProject:
    project = reads.project_for(request.user, code)
    if project is None:
        raise HttpError(404, _("There is no such research project, or you cannot see it."))
    return project


def _out(project: ResearchProject) -> dict[str, Any]:
    return {"code": project.code, "title": project.title, "status": project.status,
            "lead_researcher": project.lead_researcher, "fields": project.fields,
            "approval_reference": project.approval_reference, "approved_on": project.approved_on,
            "ends_on": project.ends_on, "agreement": project.agreement.name if project.agreement else None}


def _log(extract: ResearchExtract) -> dict[str, Any]:
    return {"id": extract.pk, "made_by": extract.made_by, "made_at": extract.made_at, "as_of": extract.as_of,
            "fields": extract.fields, "rows": extract.rows, "suppressed": extract.suppressed,
            "sha256": extract.sha256}


@router.get("/projects", response=list[ProjectOut], summary="List research projects")
@requires("link.extract_research")
def list_projects(request: HttpRequest) -> list[dict[str, Any]]:
    """Every project for the DPO; the projects naming the caller for a researcher."""
    return [_out(p) for p in reads.projects_for(request.user).select_related("agreement")]


@router.get("/projects/{code}", response={200: ProjectDetailOut, 404: Error}, summary="Read a research project")
@requires("link.extract_research")
def read_project(request: HttpRequest, code: str) -> dict[str, Any]:
    """The project's purpose, approval, fields, researchers and extract log."""
    project = _project(request, code)
    return {**_out(project), "purpose": project.purpose, "public_benefit": project.public_benefit,
            "researchers": list(project.researchers.order_by("username").values_list("username", flat=True)),
            "extracts": [_log(x) for x in reads.extracts_of(project)]}


@router.post("/projects/{code}/extracts", response={200: ExtractOut, 400: Invalid, 404: Error, 422: Invalid},
             summary="Make a research extract")
@requires("link.extract_research")
def make_extract(request: HttpRequest, code: str, payload: ExtractIn,
                 query: Query[ExtractQuery]) -> HttpResponse | dict[str, Any]:
    """Make the project's pseudonymised extract as at ``as_of`` (today when left out), while the project is
    approved and in date, for the DPO or a named researcher. CSV by default (``text/csv``); JSON rows with
    ``?format=json``. Every extract is logged and audited."""
    project = _project(request, code)
    try:
        extract, logged = services.make_extract(project, as_of=payload.as_of, actor=request.user,
                                                context=_context(request))
    except PermissionDenied:
        raise HttpError(404, _("There is no such research project, or you cannot see it.")) from None
    if query.format == "json":
        return {"columns": extract.columns, "rows": extract.as_dicts(), "generalised": extract.generalised,
                "log": _log(logged)}
    response = HttpResponse(extract.to_csv(), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{project.code}-{logged.as_of.isoformat()}.csv"'
    return response
