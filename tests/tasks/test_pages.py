"""The task list and task pages, and their API: a user's own and their team's tasks only, overdue flagged, the
link back to what raised a task, young people named only for those who may see them, and closing a task."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from yep.access import audit
from yep.access.models import AuditEvent
from yep.people.models import Role
from yep.tasks import links, services
from yep.tasks.models import Task, TaskKind, TaskStatus

CONTEXT = audit.AuditContext(purpose="casework")
TODAY = timezone.localdate()
JSON = "application/json"


def _task(kind=TaskKind.OTHER, due=TODAY + datetime.timedelta(days=3), **where):
    return services.create_task(kind, due=due, actor="test", context=CONTEXT, **where)


@pytest.fixture
def tasks(region):
    """The school's staff member's own task (about their pupil, overdue), the Cardiff EPCs' team task, and a
    Swansea EPC's task."""
    return {
        "mine": _task(TaskKind.CONTACT, due=TODAY - datetime.timedelta(days=2), assignee=region.school_staff,
                      person=region.pupil, detail="Call home"),
        "team": _task(TaskKind.BUSINESS_CASE, due=TODAY, organisation=region.la, role=Role.EPC,
                      person=region.pupil, source="broker.business_case:999"),
        "other": _task(TaskKind.REFERRAL, organisation=region.other_la, role=Role.EPC, person=region.other_pupil),
    }


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def _listed(client, query=""):
    return [row["task"] for row in client.get(f"/tasks/{query}").context["rows"]]


def test_a_user_sees_their_own_and_their_teams_tasks_and_nobody_elses(client, region, tasks):
    client.force_login(region.school_staff)
    assert _listed(client) == [tasks["mine"]]
    client.force_login(region.epc)
    assert _listed(client) == [tasks["team"]]
    assert _listed(client, "?kind=referral") == []
    client.force_login(region.other_epc)
    assert _listed(client) == [tasks["other"]]
    assert client.get(f"/tasks/{tasks['team'].pk}/").status_code == 404


def test_overdue_and_due_today_are_flagged(client, region, tasks):
    client.force_login(region.school_staff)
    page = client.get("/tasks/")
    html = page.content.decode()
    assert 'data-testid="overdue"' in html and page.context["overdue"] == 1
    client.force_login(region.epc)
    page = client.get("/tasks/")
    assert page.context["due_today"] == 1 and 'data-testid="overdue"' not in page.content.decode()


def test_a_task_about_a_young_person_names_them_only_for_someone_who_may_see_them(client, region):
    # A lead worker with no relationship with the pupil is given a task about them.
    worker = factories.make_user(Role.LEAD_WORKER, region.college, "lw.tasks")
    task = _task(assignee=worker, person=region.pupil)
    client.force_login(worker)
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert region.pupil.display_name not in page and "A young person" in page
    client.force_login(region.school_staff)
    _task(assignee=region.school_staff, person=region.pupil)
    assert region.pupil.display_name in client.get("/tasks/").content.decode()
    assert AuditEvent.objects.filter(object_type="tasks", actor=region.school_staff,
                                     detail__people=[region.pupil.pk]).exists()


def test_a_task_links_to_the_record_that_raised_it_when_its_page_exists(region, tasks):
    assert links.task_link(tasks["team"]) == "/broker/business-cases/999/"
    assert links.link_for("broker.allocation:7") == "/broker/allocations/7/"
    assert links.link_for("broker.escalation:7") == "/broker/escalations/7/"
    assert links.link_for("broker.nonsense:1") is None
    assert links.link_for("broker.business_case:abc") is None
    assert links.link_for("") is None


def test_completing_a_task_on_its_page(client, region, tasks):
    client.force_login(region.epc)
    response = client.post(f"/tasks/{tasks['team'].pk}/", {"action": "complete", "outcome": "Decided"})
    assert response.status_code == 302
    tasks["team"].refresh_from_db()
    assert (tasks["team"].status, tasks["team"].completed_by) == (TaskStatus.DONE, region.epc)
    assert _listed(client, "?status=done") == [tasks["team"]]


def test_cancelling_needs_a_reason_and_a_stranger_cannot_close_a_task(client, region, tasks):
    client.force_login(region.school_staff)
    page = client.post(f"/tasks/{tasks['mine'].pk}/", {"action": "cancel", "reason": " "})
    assert page.status_code == 200 and "reason" in page.context["errors"]
    client.force_login(region.other_epc)
    assert client.post(f"/tasks/{tasks['mine'].pk}/", {"action": "complete"}).status_code == 404
    assert Task.objects.get(pk=tasks["mine"].pk).status == TaskStatus.OPEN


def test_the_tasks_api_lists_reads_and_closes_tasks_in_scope_only(client, region, tasks, bearer):
    staff, epc, stranger = bearer(region.school_staff), bearer(region.epc), bearer(region.other_epc)
    assert [t["id"] for t in client.get("/api/v1/tasks", **staff).json()] == [tasks["mine"].pk]
    assert [t["id"] for t in client.get("/api/v1/tasks?overdue=true", **epc).json()] == []
    overdue = client.get("/api/v1/tasks?overdue=true", **staff).json()
    assert overdue[0]["overdue"] is True and overdue[0]["person_name"] == region.pupil.display_name
    assert client.get(f"/api/v1/tasks/{tasks['mine'].pk}", **stranger).status_code == 404

    url = f"/api/v1/tasks/{tasks['team'].pk}"
    assert client.post(f"{url}/complete", {}, content_type=JSON, **stranger).status_code == 404
    assert client.post(f"{url}/cancel", {"reason": ""}, content_type=JSON, **epc).status_code == 400
    done = client.post(f"{url}/complete", {"outcome": "Approved"}, content_type=JSON, **epc)
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert client.post(f"{url}/complete", {}, content_type=JSON, **epc).status_code == 400


def test_the_task_list_reads_a_fixed_number_of_queries_however_many_tasks(client, region,
                                                                          django_assert_max_num_queries):
    for n in range(30):
        _task(organisation=region.la, role=Role.EPC, person=region.pupil, source=f"broker.referral:{n + 1}")
    client.force_login(region.epc)
    with django_assert_max_num_queries(25):
        page = client.get("/tasks/")
    assert len(page.context["rows"]) == 30
