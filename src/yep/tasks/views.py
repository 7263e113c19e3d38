"""Task pages: the list of a user's own and their teams' tasks (overdue flagged, filters by status and kind),
and one task's page to complete it with an outcome or cancel it with a reason. A task about a young person
names them only when the user may see the person's record; those reads are audited."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.guards import requires
from yep.access.policy import CASEWORK, people_visible_to

from . import queries, services
from .links import task_link
from .models import Task, TaskKind, TaskStatus

PAGE = 200


def _context(request: HttpRequest) -> audit.AuditContext:
    return audit.AuditContext.from_request(request, CASEWORK)


def named_people(request: HttpRequest, tasks: list[Task]) -> set[int]:
    """The young people of ``tasks`` the user may see, by id; the read of their names is audited."""
    ids = {t.person_id for t in tasks if t.person_id}
    if not ids:
        return set()
    visible = set(people_visible_to(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    if visible:
        audit.record(request.user, "view", _context(request), object_type="tasks", fields=["identity"],
                     detail={"people": sorted(visible)})
    return visible


def _rows(tasks: list[Task], visible: set[int]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [{"task": t, "link": task_link(t), "named": t.person_id in visible,
             "overdue": t.status == TaskStatus.OPEN and t.due < today,
             "due_today": t.status == TaskStatus.OPEN and t.due == today} for t in tasks]


@requires("tasks.view_tasks")
def task_list(request: HttpRequest) -> HttpResponse:
    chosen = {"status": request.GET.get("status", "open"), "kind": request.GET.get("kind", "")}
    tasks = queries.tasks_for(request.user)
    if chosen["status"] == "done":
        tasks = tasks.exclude(status=TaskStatus.OPEN).order_by("-completed_at", "-pk")
    else:
        chosen["status"] = "open"
        tasks = tasks.filter(status=TaskStatus.OPEN)
    if chosen["kind"] in TaskKind.values:
        tasks = tasks.filter(kind=chosen["kind"])
    listed = list(tasks.select_related("organisation")[:PAGE])
    rows = _rows(listed, named_people(request, listed))
    return render(request, "tasks/list.html", {
        "rows": rows, "chosen": chosen, "task_kinds": TaskKind.choices,
        "overdue": sum(1 for r in rows if r["overdue"]), "due_today": sum(1 for r in rows if r["due_today"])})


def task_for(user: Any, pk: int) -> Task:
    """The task, if it is the user's or their team's; the same 404 otherwise as for no such task."""
    task = queries.tasks_for(user).select_related("organisation", "completed_by").filter(pk=pk).first()
    if task is None:
        raise Http404(_("There is no such task, or it is not yours."))
    return task


def _close(request: HttpRequest, task: Task, form: dict[str, str]) -> None:
    if form["action"] == "cancel":
        services.cancel_task(task, reason=form["reason"], actor=request.user, context=_context(request))
        messages.success(request, _("The task is cancelled."))
    else:
        services.complete_task(task, outcome=form["outcome"], actor=request.user, context=_context(request))
        messages.success(request, _("The task is done."))


@requires("tasks.view_tasks")
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = task_for(request.user, pk)
    form = {k: request.POST.get(k, "") for k in ("action", "outcome", "reason")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            _close(request, task, form)
        except ValidationError as problem:
            errors = problem.message_dict
            if form["action"] == "cancel" and "outcome" in errors:  # the service names the reason "outcome"
                errors = {"reason" if k == "outcome" else k: v for k, v in errors.items()}
        else:
            return redirect("tasks:list")
    row = _rows([task], named_people(request, [task]))[0]
    return render(request, "tasks/task.html", {**row, "form": form, "errors": errors})


urlpatterns = [
    path("tasks/", task_list, name="list"),
    path("tasks/<int:pk>/", task_detail, name="task"),
]
