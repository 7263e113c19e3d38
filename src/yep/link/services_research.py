"""The only writers of the research project register and its extract log (issue 7, item 5; seed 000 §4.2, §8
items 61-63): propose a project and change it while proposed, approve it (the DPO, creating its secret), close
it, name or remove its researchers, and make an extract.

Each function takes the acting user and an audit context, checks the actor's right first (refusals are audited),
validates all its input before writing anything, and runs in one transaction. Only a member of staff acts here:
a command names one with ``--as``."""

import datetime
import hashlib
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.models import SharingAgreement
from yep.people.models import User

from . import extracts, pseudonyms
from . import research as reads
from .models import ProjectStatus, ResearchExtract, ResearchProject

Errors = dict[str, list[str]]
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{2,39}$")
TEXT_LIMITS = {"title": 200, "lead_researcher": 200}
FIRST_DAY = datetime.date(1990, 1, 1)  # no extract is as at a day before the register's oldest records


def _refuse(actor: Any, context: audit.AuditContext, wanted: str, object_id: str = "") -> None:
    audit.record(actor, "denied", context, object_type="research_project", object_id=object_id,
                 detail={"wanted": wanted})
    raise PermissionDenied(_("You cannot do this for research projects."))


def _check_keeper(actor: Any, context: audit.AuditContext, wanted: str, object_id: str = "") -> None:
    """The DPO keeps the register; nobody else (and no anonymous command) changes it."""
    if not reads.keeps_register(actor):
        _refuse(actor, context, wanted, object_id)


# Checking what was typed -------------------------------------------------------------------------------------------


def _text(name: str, value: Any, errors: Errors, message: str) -> str:
    text = str(value or "").strip()
    if not text:
        errors[name] = [message]
    elif name in TEXT_LIMITS and len(text) > TEXT_LIMITS[name]:
        errors[name] = [_("Use at most %(n)s characters.") % {"n": TEXT_LIMITS[name]}]
    return text


def _fields(value: Any, errors: Errors) -> list[str]:
    chosen = [str(x) for x in value] if isinstance(value, list | tuple | set) else []
    unknown = sorted(set(chosen) - set(extracts.FIELDS))
    if unknown:
        errors["fields"] = [_("These are not fields an extract may hold: %(names)s.") % {"names": ", ".join(unknown)}]
    elif not chosen:
        errors["fields"] = [_("Choose the fields the project needs.")]
    return extracts.ordered(chosen)


def _date(name: str, value: Any, errors: Errors, message: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = [message]
        return None


def _project_details(data: dict[str, Any], errors: Errors) -> dict[str, Any]:
    return {
        "title": _text("title", data.get("title"), errors, _("Enter the project's title.")),
        "purpose": _text("purpose", data.get("purpose"), errors,
                         _("Say what the project is for: its aims and the analysis it will do.")),
        "public_benefit": _text("public_benefit", data.get("public_benefit"), errors,
                                _("Say how the public will benefit from the project.")),
        "lead_researcher": _text("lead_researcher", data.get("lead_researcher"), errors,
                                 _("Name the lead researcher and their organisation.")),
        "fields": _fields(data.get("fields"), errors),
        "agreement": data.get("agreement"),
    }


def in_force(agreement: SharingAgreement, day: datetime.date) -> bool:
    return (agreement.status == SharingAgreement.Status.ACTIVE and agreement.start <= day
            and (agreement.end is None or day <= agreement.end))


# The register ------------------------------------------------------------------------------------------------------


def propose_project(*, code: str, title: str, purpose: str, public_benefit: str, lead_researcher: str,
                    fields: list[str], agreement: SharingAgreement | None = None, actor: Any,
                    context: audit.AuditContext) -> ResearchProject:
    """Put a project on the register as proposed: its code (lower-case letters, digits and hyphens), aims,
    public benefit, lead researcher, the extract fields it asks for and the sharing agreement it rests on."""
    _check_keeper(actor, context, "propose")
    errors: Errors = {}
    clean_code = str(code or "").strip().lower()
    if not CODE.match(clean_code):
        errors["code"] = [_("Give the project a code of 3 to 40 lower-case letters, digits and hyphens, for "
                            "example neet-outcomes-2026.")]
    elif ResearchProject.objects.filter(code=clean_code).exists():
        errors["code"] = [_("There is already a project with this code.")]
    details = _project_details({"title": title, "purpose": purpose, "public_benefit": public_benefit,
                                "lead_researcher": lead_researcher, "fields": fields, "agreement": agreement},
                               errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = ResearchProject.objects.create(code=clean_code, created_by=audit.label(actor), **details)
        audit.record(actor, "create", context, object_type="research_project", object_id=project.code,
                     detail={"fields": project.fields, "agreement": agreement.pk if agreement else None})
    return project


def update_project(project: ResearchProject, *, title: str, purpose: str, public_benefit: str,
                   lead_researcher: str, fields: list[str], agreement: SharingAgreement | None = None, actor: Any,
                   context: audit.AuditContext) -> ResearchProject:
    """Change a proposed project's details; an approved project is changed only by closing it and proposing
    again, so what was approved is what is released."""
    _check_keeper(actor, context, "change", project.code)
    errors: Errors = {}
    if project.status != ProjectStatus.PROPOSED:
        errors["project"] = [_("Only a proposed project can be changed: this one has been approved or closed.")]
    details = _project_details({"title": title, "purpose": purpose, "public_benefit": public_benefit,
                                "lead_researcher": lead_researcher, "fields": fields, "agreement": agreement},
                               errors)
    if errors:
        raise ValidationError(errors)
    changed = sorted(name for name, value in details.items() if getattr(project, name) != value)
    with transaction.atomic():
        for name in changed:
            setattr(project, name, details[name])
        if changed:
            project.save(update_fields=changed)
        audit.record(actor, "change", context, object_type="research_project", object_id=project.code,
                     fields=changed, detail={"fields": project.fields})
    return project


def _approval_errors(project: ResearchProject, reference: str, ends_on: Any, without_agreement: str,
                     today: datetime.date) -> tuple[Errors, datetime.date | None]:
    errors: Errors = {}
    if project.status != ProjectStatus.PROPOSED:
        errors["project"] = [_("Only a proposed project can be approved.")]
    if not project.purpose.strip() or not project.public_benefit.strip():
        errors["project"] = [_("The project needs its purpose and public benefit before it is approved.")]
    if not reference:
        errors["approval_reference"] = [_("Enter the reference of the panel's approval.")]
    end = _date("ends_on", ends_on, errors, _("Enter the end date as year-month-day, for example 2027-08-31."))
    if end is None and "ends_on" not in errors:
        errors["ends_on"] = [_("Enter the date the project ends: extracts stop then.")]
    elif end is not None and end <= today:
        errors["ends_on"] = [_("The project must end after today.")]
    agreement = project.agreement
    if agreement is None and not without_agreement:
        errors["without_agreement"] = [_("Choose the sharing agreement the project rests on, or say why it needs "
                                         "none.")]
    elif agreement is not None and not in_force(agreement, today):
        errors["agreement"] = [_("The agreement “%(name)s” is not in force.") % {"name": agreement.name}]
    elif agreement is not None and extracts.categories_of(project.fields) - set(agreement.categories):
        errors["agreement"] = [_("The agreement “%(name)s” does not cover every field the project asks for.")
                               % {"name": agreement.name}]
    return errors, end


def approve_project(project: ResearchProject, *, approval_reference: str, ends_on: Any,
                    without_agreement: str = "", actor: Any, context: audit.AuditContext) -> ResearchProject:
    """Approve a proposed project (the DPO, after the governance panel and the data owners): it needs its
    purpose, public benefit, the panel's reference, an end date, and a sharing agreement in force that covers
    its fields (or the reason it needs none). Creates the project's secret, outside the database."""
    _check_keeper(actor, context, "approve", project.code)
    today = timezone.localdate()
    reference, reason = str(approval_reference or "").strip(), str(without_agreement or "").strip()
    errors, end = _approval_errors(project, reference, ends_on, reason, today)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project.status, project.approval_reference, project.ends_on = ProjectStatus.APPROVED, reference, end
        project.approved_by, project.approved_on = audit.label(actor), today
        project.save(update_fields=["status", "approval_reference", "ends_on", "approved_by", "approved_on"])
        pseudonyms.create_secret(project)
        audit.record(actor, "change", context, object_type="research_project", object_id=project.code,
                     fields=["status", "approval_reference", "ends_on"],
                     detail={"status": project.status, "reference": reference, "ends_on": str(end),
                             "agreement": project.agreement_id, "without_agreement": reason})
    return project


def close_project(project: ResearchProject, *, actor: Any, context: audit.AuditContext) -> ResearchProject:
    """Close a project: no more extracts. Its secret stays (see docs/research.md) until the DPO destroys it."""
    _check_keeper(actor, context, "close", project.code)
    if project.status == ProjectStatus.CLOSED:
        raise ValidationError({"project": [_("The project is already closed.")]})
    with transaction.atomic():
        project.status = ProjectStatus.CLOSED
        project.save(update_fields=["status"])
        audit.record(actor, "change", context, object_type="research_project", object_id=project.code,
                     fields=["status"], detail={"status": project.status})
    return project


def add_researcher(project: ResearchProject, user: User, *, actor: Any,
                   context: audit.AuditContext) -> None:
    """Name a researcher on the project: only staff holding the researcher role, on a project still open."""
    _check_keeper(actor, context, "add_researcher", project.code)
    errors: Errors = {}
    if project.status == ProjectStatus.CLOSED:
        errors["researcher"] = [_("The project is closed.")]
    elif not reads.researchers().filter(pk=user.pk).exists():
        errors["researcher"] = [_("Only a member of staff with the researcher role can be named on a project.")]
    elif project.researchers.filter(pk=user.pk).exists():
        errors["researcher"] = [_("This researcher is already named on the project.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project.researchers.add(user)
        audit.record(actor, "change", context, object_type="research_project", object_id=project.code,
                     fields=["researchers"], detail={"added": user.get_username()})


def remove_researcher(project: ResearchProject, user: User, *, actor: Any,
                      context: audit.AuditContext) -> None:
    """Take a researcher off the project: they no longer see it or take its extracts."""
    _check_keeper(actor, context, "remove_researcher", project.code)
    if not project.researchers.filter(pk=user.pk).exists():
        raise ValidationError({"researcher": [_("This researcher is not named on the project.")]})
    with transaction.atomic():
        project.researchers.remove(user)
        audit.record(actor, "change", context, object_type="research_project", object_id=project.code,
                     fields=["researchers"], detail={"removed": user.get_username()})


# Extracts ----------------------------------------------------------------------------------------------------------


def _extract_errors(project: ResearchProject, as_of: Any, today: datetime.date) -> tuple[Errors, datetime.date]:
    errors: Errors = {}
    if project.status != ProjectStatus.APPROVED:
        errors["project"] = [_("Extracts are made only for an approved project.")]
    elif project.ends_on is not None and today > project.ends_on:
        errors["project"] = [_("The project ended on %(day)s: no more extracts.") % {"day": project.ends_on}]
    elif project.agreement is not None and not in_force(project.agreement, today):
        errors["project"] = [_("The project's sharing agreement is no longer in force.")]
    elif not pseudonyms.has_secret(project):
        errors["project"] = [_("The project's key is missing from the keys folder: restore it from the backup "
                               "(see docs/research.md).")]
    day = _date("as_of", as_of, errors, _("Enter the date as year-month-day, for example 2026-03-31.")) or today
    if "as_of" not in errors and not FIRST_DAY <= day <= today:
        errors["as_of"] = [_("The extract's date must be between %(first)s and today.") % {"first": FIRST_DAY}]
    return errors, day


def make_extract(project: ResearchProject, *, as_of: Any = None, actor: Any,
                 context: audit.AuditContext) -> tuple[extracts.Extract, ResearchExtract]:
    """Make the project's pseudonymised extract as at ``as_of`` (default today): only while the project is
    approved and in date, only by the DPO or a researcher named on it. The extract is logged (who, when, fields,
    rows, what the small-cell check removed, the file's digest) and audited as an export naming no one."""
    if not reads.may_extract(actor, project):
        audit.record(actor, "denied", context, object_type="research_extract", object_id=project.code,
                     detail={"project": project.code})
        raise PermissionDenied(_("You cannot take this project's extracts."))
    errors, day = _extract_errors(project, as_of, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    try:
        pseudonym_of = pseudonyms.pseudonymiser(project)
    except pseudonyms.MissingSecret:
        raise ValidationError({"project": [_("The project's key cannot be read: restore it from the backup.")]}) \
            from None
    extract = extracts.build(project.fields, day, pseudonym_of)
    with transaction.atomic():
        logged = ResearchExtract.objects.create(
            project=project, made_by=audit.label(actor), as_of=day, fields=extract.columns[1:],
            rows=len(extract.rows), suppressed=extract.suppressed,
            sha256=hashlib.sha256(extract.to_csv()).hexdigest())
        audit.record(actor, "export", context, object_type="research_extract", object_id=logged.pk,
                     fields=extract.columns[1:],
                     detail={"project": project.code, "as_of": day.isoformat(), "rows": len(extract.rows),
                             "fields": extract.columns[1:], "suppressed": extract.suppressed,
                             "generalised": extract.generalised})
    return extract, logged

