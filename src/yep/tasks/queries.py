"""Scoped reads of tasks: a user sees the tasks assigned to them and their teams' tasks (those for a role they
hold in the organisation); nobody else's."""

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Task, TaskStatus


def _team_filter(user: Any) -> Q:
    teams = Q(pk__in=[])
    for membership in user.active_memberships():
        teams |= Q(assignee__isnull=True, organisation_id=membership.organisation_id, role=membership.role)
    return teams


def tasks_for(user: Any) -> QuerySet[Task]:
    """Tasks the user may see and do: their own, and their teams'. Empty for anyone not signed in."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Task.objects.none()
    return Task.objects.filter(Q(assignee=user) | _team_filter(user)).select_related("person", "assignee")


def open_tasks_for(user: Any) -> QuerySet[Task]:
    return tasks_for(user).filter(status=TaskStatus.OPEN)


def overdue(tasks: QuerySet[Task], day: datetime.date | None = None) -> QuerySet[Task]:
    return tasks.filter(status=TaskStatus.OPEN, due__lt=day or timezone.localdate())


def may_act_on(user: Any, task: Task) -> bool:
    return tasks_for(user).filter(pk=task.pk).exists()
