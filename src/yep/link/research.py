"""Reads of the research project register (issue 7, item 5): which projects a user may see and extract from,
their extract log, and the researchers who may be named on a project.

Deny by default: the DPO keeps the register and sees every project; a researcher sees only the projects that
name them; nobody else sees any. A project someone may not see is the same "not found" as no project."""

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from yep.access.models import AuditEvent, SharingAgreement
from yep.people.models import Role, User

from .models import ProjectStatus, ResearchExtract, ResearchProject

MANAGE = "link.manage_projects"
EXTRACT = "link.extract_research"


def keeps_register(user: Any) -> bool:
    """Whether ``user`` keeps the register (the DPO): sees every project and approves them."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(MANAGE))


def projects_for(user: Any) -> QuerySet[ResearchProject]:
    """The projects ``user`` may see: all for the DPO, the ones naming them for a researcher, none otherwise."""
    if keeps_register(user):
        return ResearchProject.objects.all()
    if getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(EXTRACT):
        return ResearchProject.objects.filter(researchers=user)
    return ResearchProject.objects.none()


def project_for(user: Any, code: str) -> ResearchProject | None:
    """One project ``user`` may see, or None whether it exists or not."""
    return projects_for(user).select_related("agreement").filter(code=code).first()


def may_extract(user: Any, project: ResearchProject) -> bool:
    """Whether ``user`` may take ``project``'s extracts: the DPO, or a researcher named on it (the project's
    own state, approved and in date, is the service's check)."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.has_perm(EXTRACT)):
        return False
    return keeps_register(user) or project.researchers.filter(pk=user.pk).exists()


def extractable(project: ResearchProject, today: datetime.date | None = None) -> bool:
    """Whether the project is approved and in date today."""
    day = today or timezone.localdate()
    return project.status == ProjectStatus.APPROVED and (project.ends_on is None or day <= project.ends_on)


def extracts_of(project: ResearchProject) -> QuerySet[ResearchExtract]:
    """The project's extract log, newest first."""
    return project.extracts.all()


def researchers() -> QuerySet[User]:
    """Staff who may be named on a project: anyone holding the researcher role today."""
    today = timezone.localdate()
    held = Q(memberships__role=Role.RESEARCHER, memberships__start__lte=today) & (
        Q(memberships__end__isnull=True) | Q(memberships__end__gte=today))
    return User.objects.filter(held, is_active=True).distinct().order_by("username")


def agreements() -> QuerySet[SharingAgreement]:
    """The sharing agreements a project may rest on (any status: approval checks it is in force)."""
    return SharingAgreement.objects.order_by("name")


def approval_note(project: ResearchProject) -> str:
    """Why the DPO approved the project without a sharing agreement, as recorded with the approval."""
    events = AuditEvent.objects.filter(object_type="research_project", object_id=project.code, action="change")
    for detail in events.order_by("-pk").values_list("detail", flat=True):
        if isinstance(detail, dict) and detail.get("status") == ProjectStatus.APPROVED:
            return str(detail.get("without_agreement", ""))
    return ""
