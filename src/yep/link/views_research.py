"""Research project pages (issue 7, item 5), for the DPO and researchers: the project register, proposing and
changing a project, a project's page (approval, closing, researchers, the extract log) and downloading an
extract as CSV. A project the user may not see is "not found", as if it did not exist."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.guards import requires
from yep.access.models import SharingAgreement

from . import extracts
from . import research as reads
from . import services_research as services
from .models import ProjectStatus, ResearchProject

RESEARCH = "research"  # the audit purpose of everything here
DETAIL_FIELDS = ("title", "purpose", "public_benefit", "lead_researcher")


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, RESEARCH)


def _project(request: HttpRequest, code: str) -> ResearchProject:
    project = reads.project_for(request.user, code)
    if project is None:
        raise Http404(_("There is no such research project, or you cannot see it."))
    return project


# The register ------------------------------------------------------------------------------------------------------


@requires("link.extract_research")
def project_list(request: HttpRequest) -> HttpResponse:
    """The projects the user may see: every one for the DPO, their own for a researcher."""
    projects = reads.projects_for(request.user).prefetch_related("researchers")
    return render(request, "link/research_projects.html", {
        "projects": projects, "may_propose": reads.keeps_register(request.user)})


def _posted(request: HttpRequest, project: ResearchProject | None) -> dict[str, Any]:
    if request.method != "POST":
        return {"code": project.code if project else "",
                **{name: getattr(project, name) if project else "" for name in DETAIL_FIELDS},
                "fields": list(project.fields) if project else [],
                "agreement": str(project.agreement_id or "") if project else ""}
    return {"code": request.POST.get("code", "").strip(),
            **{name: request.POST.get(name, "").strip() for name in DETAIL_FIELDS},
            "fields": request.POST.getlist("fields"), "agreement": request.POST.get("agreement", "")}


def _agreement(chosen: str) -> SharingAgreement | None:
    if not chosen:
        return None
    agreement = reads.agreements().filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if agreement is None:
        raise ValidationError({"agreement": [_("Choose one of the sharing agreements listed, or none.")]})
    return agreement


def _save(request: HttpRequest, project: ResearchProject | None, form: dict[str, Any]) -> ResearchProject:
    details = {name: form[name] for name in DETAIL_FIELDS}
    agreement = _agreement(form["agreement"])
    if project is None:
        return services.propose_project(code=form["code"], fields=form["fields"], agreement=agreement,
                                        actor=request.user, context=_context(request), **details)
    return services.update_project(project, fields=form["fields"], agreement=agreement, actor=request.user,
                                   context=_context(request), **details)


def _form_page(request: HttpRequest, project: ResearchProject | None) -> HttpResponse:
    form = _posted(request, project)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            saved = _save(request, project, form)
        except ValidationError as problem:
            errors = problem.message_dict
        else:
            messages.success(request, _("The project is on the register, waiting for approval.") if project is None
                             else _("The project's details are changed."))
            return redirect("link:project", code=saved.code)
    return render(request, "link/research_form.html", {
        "project": project, "form": form, "errors": errors, "fields": extracts.field_choices(),
        "agreements": reads.agreements()})


@requires("link.manage_projects")
def project_new(request: HttpRequest) -> HttpResponse:
    """The DPO puts a proposed project on the register."""
    return _form_page(request, None)


@requires("link.manage_projects")
def project_edit(request: HttpRequest, code: str) -> HttpResponse:
    """The DPO changes a project while it is proposed."""
    project = _project(request, code)
    if project.status != ProjectStatus.PROPOSED:
        messages.error(request, _("Only a proposed project can be changed."))
        return redirect("link:project", code=project.code)
    return _form_page(request, project)


# One project -------------------------------------------------------------------------------------------------------


def _researcher(request: HttpRequest) -> Any:
    chosen = request.POST.get("researcher", "")
    user = reads.researchers().filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if user is None:
        raise ValidationError({"researcher": [_("Choose a researcher from the list.")]})
    return user


def _act(request: HttpRequest, project: ResearchProject) -> str:
    """Carry out the DPO's action on the project; the message to show."""
    action, context = request.POST.get("action", ""), _context(request)
    if action == "approve":
        services.approve_project(project, approval_reference=request.POST.get("approval_reference", ""),
                                 ends_on=request.POST.get("ends_on", ""),
                                 without_agreement=request.POST.get("without_agreement", ""), actor=request.user,
                                 context=context)
        return _("The project is approved: its researchers can take extracts until %(day)s.") % {
            "day": project.ends_on}
    if action == "close":
        services.close_project(project, actor=request.user, context=context)
        return _("The project is closed: no more extracts can be made.")
    if action == "add_researcher":
        user = _researcher(request)
        services.add_researcher(project, user, actor=request.user, context=context)
        return _("%(name)s is named on the project.") % {"name": user.get_username()}
    if action == "remove_researcher":
        user = _researcher(request)
        services.remove_researcher(project, user, actor=request.user, context=context)
        return _("%(name)s is no longer named on the project.") % {"name": user.get_username()}
    raise ValidationError({"action": [_("Choose what to do.")]})


def _page(request: HttpRequest, project: ResearchProject, errors: dict[str, list[str]]) -> HttpResponse:
    keeper = reads.keeps_register(request.user)
    named = list(project.researchers.order_by("username"))
    return render(request, "link/research_project.html", {
        "project": project, "errors": errors, "keeper": keeper, "researchers": named,
        "candidates": [u for u in reads.researchers() if u not in named] if keeper else [],
        "fields": [(name, extracts.FIELDS[name].label) for name in project.fields if name in extracts.FIELDS],
        "extracts": reads.extracts_of(project), "extractable": reads.extractable(project),
        "may_extract": reads.may_extract(request.user, project), "note": reads.approval_note(project),
        "posted": {name: request.POST.get(name, "") for name in ("approval_reference", "ends_on",
                                                                 "without_agreement", "as_of")},
        "today": timezone.localdate()})


@requires("link.extract_research")
def project_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A project's purpose, approval, agreement, fields, researchers and extract log; the DPO approves, closes and
    names researchers here, and the DPO or a named researcher downloads an extract."""
    project = _project(request, code)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if not reads.keeps_register(request.user):
            raise PermissionDenied
        try:
            done = _act(request, project)
        except ValidationError as problem:
            errors = problem.message_dict
            project.refresh_from_db()
        else:
            messages.success(request, done)
            return redirect("link:project", code=project.code)
    return _page(request, project, errors)


@requires("link.extract_research")
def project_extract(request: HttpRequest, code: str) -> HttpResponse:
    """Make the project's extract as at the date posted (today when blank) and download it as CSV; on a problem,
    the project's page again with the problem shown."""
    project = _project(request, code)
    if request.method != "POST":
        return redirect("link:project", code=project.code)
    try:
        extract, logged = services.make_extract(project, as_of=request.POST.get("as_of", "").strip() or None,
                                                actor=request.user, context=_context(request))
    except PermissionDenied:
        raise Http404(_("There is no such research project, or you cannot see it.")) from None
    except ValidationError as problem:
        return _page(request, project, problem.message_dict)
    response = HttpResponse(extract.to_csv(), content_type="text/csv")
    response["Content-Disposition"] = (f'attachment; filename="{project.code}-{logged.as_of.isoformat()}'
                                       f'-{logged.pk}.csv"')
    return response


urlpatterns: list[URLPattern] = [
    path("research/", project_list, name="projects"),
    path("research/new/", project_new, name="project_new"),
    path("research/<slug:code>/", project_detail, name="project"),
    path("research/<slug:code>/edit/", project_edit, name="project_edit"),
    path("research/<slug:code>/extract.csv", project_extract, name="project_extract"),
]
