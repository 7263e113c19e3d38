"""The only writers of tasks and notifications.

A notification is rendered in the recipient's language (a member of staff's ``preferred_language``, a young
person's ``preferred_language``) by the caller's ``write`` function, called inside ``translation.override``, so
the words come from the Welsh catalogue for a Welsh speaker. Sending never fails the work that caused it: a
failed send is recorded as failed.
"""

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yep.access import audit
from yep.people.models import Contact as PersonContact
from yep.people.models import Organisation, Person

from .models import Notification, Task, TaskKind, TaskStatus
from .queries import may_act_on

log = logging.getLogger(__name__)
MAX_TEXT = 2000
# What a notification's writer returns: (subject, body), written in the active language.
Writer = Callable[[], tuple[str, str]]


def create_task(kind: str, *, due: datetime.date, detail: str = "", person: Person | None = None,
                assignee: Any = None, organisation: Organisation | None = None, role: str = "", source: str = "",
                actor: Any, context: audit.AuditContext) -> Task:
    """Raise a task for ``assignee``, or for whoever holds ``role`` in ``organisation``. Services call this for
    the work their changes create; its audit row names the person the task is about."""
    errors: dict[str, list[str]] = {}
    if kind not in TaskKind.values:
        errors["kind"] = [_("Choose what kind of task this is.")]
    if assignee is None and (organisation is None or not role):
        errors["assignee"] = [_("Say who does this task: a person, or a role in an organisation.")]
    if len(detail) > MAX_TEXT:
        errors["detail"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    task = Task.objects.create(kind=kind, detail=detail.strip(), person=person, assignee=assignee,
                               organisation=organisation, role=role, due=due, source=source,
                               created_at=timezone.now(), created_by=audit.label(actor))
    audit.record(actor, "create", context, person_id=person.pk if person else None, object_type="task",
                 object_id=task.pk, detail={"kind": kind, "due": due.isoformat(), "source": source})
    return task


def _close(task: Task, status: str, outcome: str, actor: Any, context: audit.AuditContext) -> Task:
    if getattr(actor, "pk", None) and not may_act_on(actor, task):
        audit.record(actor, "denied", context, person_id=task.person_id, object_type="task", object_id=task.pk,
                     detail={"wanted": status})
        raise PermissionDenied(_("This task is not yours to close."))
    if len(outcome) > MAX_TEXT:
        raise ValidationError({"outcome": [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]})
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task.pk)
        if task.status != TaskStatus.OPEN:
            raise ValidationError({"task": [_("This task is already closed.")]})
        task.status, task.outcome, task.completed_at = status, outcome.strip(), timezone.now()
        task.completed_by = actor if getattr(actor, "pk", None) else None
        task.save(update_fields=["status", "outcome", "completed_at", "completed_by"])
        audit.record(actor, "change", context, person_id=task.person_id, object_type="task", object_id=task.pk,
                     fields=["status"], detail={"status": status})
    return task


def complete_task(task: Task, *, outcome: str = "", actor: Any, context: audit.AuditContext) -> Task:
    """Mark a task done, with what came of it. Its assignee (or a member of its team) may."""
    return _close(task, TaskStatus.DONE, outcome, actor, context)


def cancel_task(task: Task, *, reason: str, actor: Any, context: audit.AuditContext) -> Task:
    """Cancel a task that is no longer needed; a reason is required."""
    if not reason.strip():
        raise ValidationError({"outcome": [_("Say why the task is no longer needed.")]})
    return _close(task, TaskStatus.CANCELLED, reason, actor, context)


def close_tasks_from(source: str, *, outcome: str, actor: Any, context: audit.AuditContext,
                     kind: str | None = None) -> int:
    """Close the open tasks a record raised (of ``kind`` only, when given), when the work they asked for has been
    done through that record."""
    closed = 0
    tasks = Task.objects.filter(source=source, status=TaskStatus.OPEN)
    for task in tasks.filter(kind=kind) if kind else tasks:
        task.status, task.outcome, task.completed_at = TaskStatus.DONE, outcome, timezone.now()
        task.completed_by = actor if getattr(actor, "pk", None) else None
        task.save(update_fields=["status", "outcome", "completed_at", "completed_by"])
        audit.record(actor, "change", context, person_id=task.person_id, object_type="task", object_id=task.pk,
                     fields=["status"], detail={"status": TaskStatus.DONE, "by": source})
        closed += 1
    return closed


def _send(address: str, language: str, write: Writer, *, user: Any = None, person: Person | None = None,
          task: Task | None = None) -> Notification | None:
    if not address:
        return None
    with translation.override(language):
        subject, body = write()
    failed = False
    try:
        send_mail(subject, body, None, [address])
    except Exception:  # noqa: BLE001 - a mail server's failure must not undo the work being reported
        log.exception("notification to %s failed", address)
        failed = True
    return Notification.objects.create(recipient_user=user, recipient_person=person, address=address,
                                       language=language, subject=subject, body=body, task=task,
                                       sent_at=timezone.now(), failed=failed)


def notify_user(user: Any, write: Writer, *, task: Task | None = None) -> Notification | None:
    """Email a member of staff in their preferred language. Nothing is sent to a user with no email address."""
    return _send(user.email, user.preferred_language or "en", write, user=user, task=task)


def notify_team(organisation: Organisation, role: str, write: Writer, *, task: Task | None = None) -> int:
    """Email everyone who holds ``role`` in ``organisation`` today (for example the LA's EPCs about a team task),
    each in their own language. Returns how many were written to."""
    from yep.people.models import User

    today = timezone.localdate()
    users = User.objects.filter(
        Q(memberships__end__isnull=True) | Q(memberships__end__gte=today), is_active=True,
        memberships__organisation=organisation, memberships__role=role, memberships__start__lte=today).distinct()
    return sum(1 for user in users if notify_user(user, write, task=task) is not None)


def notify_person(person: Person, write: Writer, *, actor: Any, context: audit.AuditContext) -> Notification | None:
    """Email a young person in their preferred language (AT-19: Welsh for a Welsh speaker). Writing to them is
    a use of their contact details, so it is audited."""
    return _audited(_send(person.email, person.preferred_language or "en", write, person=person), person, actor,
                    context)


def notify_parent(contact: PersonContact, write: Writer, *, actor: Any,
                  context: audit.AuditContext) -> Notification | None:
    """Email a young person's parent or carer (letters go to them for under-16s) in the parent's language."""
    person = contact.person
    return _audited(_send(contact.email, contact.preferred_language or "en", write, person=person), person, actor,
                    context)


def _audited(notification: Notification | None, person: Person, actor: Any,
             context: audit.AuditContext) -> Notification | None:
    if notification is not None:
        audit.record(actor, "export", context, person_id=person.pk, object_type="notification",
                     object_id=notification.pk, fields=["email"],
                     detail={"language": notification.language, "to": "young person"
                             if notification.address == person.email else "parent or carer"})
    return notification
