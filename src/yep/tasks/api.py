"""Tasks API at /api/v1/tasks: the caller's own and their teams' tasks, and closing one. A task the caller may not
see gets the same 404 as no task; a young person is named only when the caller may see their record."""

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, people_visible_to
from yep.people.schemas import Error, RecordId

from . import queries, services
from .links import task_link
from .models import Task, TaskStatus

router = Router(tags=["tasks"])
MAX_TEXT = 2000
PAGE = 500


class Invalid(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class TaskOut(Schema):
    """A task for the caller (``assignee_id``) or their team (``organisation_id`` and ``role``). ``person_id`` and
    ``person_name`` are given only when the caller may see that young person; ``link`` is the path of the page
    of the record that raised it, when there is one."""

    id: int
    kind: str
    kind_label: str
    detail: str
    person_id: int | None
    person_name: str | None
    assignee_id: int | None
    organisation_id: int | None
    role: str
    due: datetime.date
    overdue: bool
    status: str
    source: str
    link: str | None
    created_at: datetime.datetime
    created_by: str
    completed_at: datetime.datetime | None
    outcome: str


class TaskFilters(Schema):
    status: Literal["open", "done", "cancelled"] | None = None
    overdue: bool | None = None


class CompleteIn(Schema):
    outcome: str = Field("", max_length=MAX_TEXT)


class CancelIn(Schema):
    reason: str = Field(max_length=MAX_TEXT)


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK, "api")


def _named(request: HttpRequest, tasks: list[Task]) -> set[int]:
    ids = {t.person_id for t in tasks if t.person_id}
    if not ids:
        return set()
    visible = set(people_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if visible:
        audit.record(request.user, "view", _context(request), object_type="tasks", fields=["identity"],
                     detail={"people": sorted(visible)})
    return visible


def _out(task: Task, visible: set[int]) -> dict[str, Any]:
    named = task.person_id in visible
    return {
        "id": task.pk, "kind": task.kind, "kind_label": task.get_kind_display(), "detail": task.detail,
        "person_id": task.person_id if named else None,
        "person_name": task.person.display_name if named and task.person else None,
        "assignee_id": task.assignee_id, "organisation_id": task.organisation_id, "role": task.role,
        "due": task.due, "overdue": task.status == TaskStatus.OPEN and task.due < timezone.localdate(),
        "status": task.status, "source": task.source, "link": task_link(task), "created_at": task.created_at,
        "created_by": task.created_by, "completed_at": task.completed_at, "outcome": task.outcome,
    }


def _task_for(request: HttpRequest, task_id: int) -> Task:
    task = queries.tasks_for(request.user).filter(pk=task_id).first()
    if task is None:
        raise HttpError(404, _("There is no such task, or it is not yours."))
    return task


@router.get("", response=list[TaskOut], summary="List your tasks")
@requires("tasks.view_tasks")
def list_tasks(request: HttpRequest, filters: Query[TaskFilters]) -> list[dict[str, Any]]:
    """Your own tasks and your teams' (for example the EPC's queue), soonest due first. ``overdue=true``: open
    tasks past their due date only."""
    tasks = queries.tasks_for(request.user)
    if filters.status:
        tasks = tasks.filter(status=filters.status)
    if filters.overdue is True:
        tasks = queries.overdue(tasks)
    elif filters.overdue is False:
        tasks = tasks.exclude(pk__in=queries.overdue(tasks).values("pk"))
    listed = list(tasks[:PAGE])
    visible = _named(request, listed)
    return [_out(t, visible) for t in listed]


@router.get("/{task_id}", response={200: TaskOut, 404: Error}, summary="Read a task")
@requires("tasks.view_tasks")
def read_task(request: HttpRequest, task_id: RecordId) -> dict[str, Any]:
    task = _task_for(request, task_id)
    return _out(task, _named(request, [task]))


def _closed(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = Task.objects.select_related("person").get(pk=task_id)
    return _out(task, _named(request, [task]))


@router.post("/{task_id}/complete", response={200: TaskOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Mark a task done")
@requires("tasks.view_tasks")
def complete_task(request: HttpRequest, task_id: RecordId, payload: CompleteIn) -> dict[str, Any]:
    task = _task_for(request, task_id)
    services.complete_task(task, outcome=payload.outcome, actor=request.user, context=_context(request))
    return _closed(request, task.pk)


@router.post("/{task_id}/cancel", response={200: TaskOut, 400: Invalid, 403: Error, 404: Error, 422: Invalid},
             summary="Cancel a task")
@requires("tasks.view_tasks")
def cancel_task(request: HttpRequest, task_id: RecordId, payload: CancelIn) -> dict[str, Any]:
    """Cancel a task that is no longer needed, saying why."""
    task = _task_for(request, task_id)
    services.cancel_task(task, reason=payload.reason, actor=request.user, context=_context(request))
    return _closed(request, task.pk)
