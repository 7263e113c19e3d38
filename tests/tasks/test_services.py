"""Tasks and notifications: who may close a task, team tasks, and emails in the recipient's language."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tests import factories
from yep.access import audit
from yep.access.models import AuditEvent
from yep.people.models import Organisation, OrganisationKind, Role
from yep.tasks import queries, services
from yep.tasks.models import Notification, Task, TaskKind, TaskStatus

CONTEXT = audit.AuditContext(purpose="casework")
TOMORROW = timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def cardiff(region):
    return Organisation.objects.get(kind=OrganisationKind.LA, code="681")


@pytest.fixture
def epc(cardiff):
    return factories.make_user(Role.EPC, cardiff, username="epc.tasks", email="epc@example.org")


def test_team_task_is_seen_and_done_by_whoever_holds_the_role(cardiff, epc):
    other_la = Organisation.objects.filter(kind=OrganisationKind.LA).exclude(pk=cardiff.pk).first()
    stranger = factories.make_user(Role.EPC, other_la, username="epc.elsewhere")
    task = services.create_task(TaskKind.ESCALATION, due=TOMORROW, organisation=cardiff, role=Role.EPC,
                                source="broker.escalation:1", actor="test", context=CONTEXT)

    assert list(queries.open_tasks_for(epc)) == [task]
    assert not queries.tasks_for(stranger).exists()
    with pytest.raises(PermissionDenied):
        services.complete_task(task, outcome="done", actor=stranger, context=CONTEXT)
    assert AuditEvent.objects.filter(action="denied", object_type="task", object_id=str(task.pk)).exists()

    services.complete_task(task, outcome="re-brokered", actor=epc, context=CONTEXT)
    task.refresh_from_db()
    assert (task.status, task.completed_by, task.outcome) == (TaskStatus.DONE, epc, "re-brokered")
    with pytest.raises(ValidationError):
        services.complete_task(task, actor=epc, context=CONTEXT)


def test_a_task_needs_someone_to_do_it_and_a_cancellation_needs_a_reason(cardiff, epc):
    with pytest.raises(ValidationError) as error:
        services.create_task(TaskKind.OTHER, due=TOMORROW, actor="test", context=CONTEXT)
    assert "assignee" in error.value.message_dict
    assert not Task.objects.exists()

    task = services.create_task(TaskKind.CONTACT, due=TOMORROW, assignee=epc, actor="test", context=CONTEXT)
    with pytest.raises(ValidationError):
        services.cancel_task(task, reason=" ", actor=epc, context=CONTEXT)
    services.cancel_task(task, reason="seen at the panel", actor=epc, context=CONTEXT)
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CANCELLED


def test_overdue_and_closing_by_source(cardiff, epc):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = services.create_task(TaskKind.REVIEW_DUE, due=yesterday, assignee=epc, source="broker.allocation:7",
                                actor="test", context=CONTEXT)
    services.create_task(TaskKind.CONTACT, due=TOMORROW, assignee=epc, actor="test", context=CONTEXT)

    assert list(queries.overdue(queries.tasks_for(epc))) == [late]
    assert services.close_tasks_from("broker.allocation:7", outcome="reviewed", actor=epc, context=CONTEXT) == 1
    assert not queries.overdue(queries.tasks_for(epc)).exists()


def test_notifications_are_written_in_the_recipients_language(cardiff, epc):
    welsh = factories.make_user(Role.EPC, cardiff, username="epc.cymraeg", email="cy@example.org",
                                preferred_language="cy")
    no_email = factories.make_user(Role.EPC, cardiff, username="epc.noemail")

    def write():
        return _("Home"), _("Home")

    sent = services.notify_team(cardiff, Role.EPC, write)

    assert sent == 2 and no_email.notifications.count() == 0
    by_address = {m.to[0]: m.subject for m in mail.outbox}
    assert by_address["epc@example.org"] == "Home"
    assert by_address["cy@example.org"] == "Hafan"
    assert Notification.objects.get(recipient_user=welsh).language == "cy"


def test_writing_to_a_young_person_uses_their_language_and_is_audited(region):
    person = factories.make_person("681", email="rhys@example.org", preferred_language="cy")

    services.notify_person(person, lambda: (_("Home"), _("Home")), actor="test", context=CONTEXT)

    assert mail.outbox[0].subject == "Hafan"
    assert AuditEvent.objects.filter(person_id=person.pk, object_type="notification").exists()
