"""Provider notification pages: the form and upload for providers, the list, the careers service's unmatched
queue and the compliance report with its export; who may use each."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.imports import KINDS
from yep.tasks.models import Task
from yep.track.models import ProviderNotification
from yep.track.services_notifications import notify

from . import notification_setup
from .notification_setup import days_ago, identifiers_of

# Fixtures shared by the notification tests (pytest finds them by these names).
careers, learner = notification_setup.careers, notification_setup.learner

HEADER = "provider,kind,uln,upn,forenames,surname,dob,postcode,date_left,reason,course,phone,email,notes"


def csv_file(tmp_path, *rows, name="leavers.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def row(person=None, *, left: datetime.date, **values):
    data = {"forenames": "", "surname": "", "dob": "", "uln": "", "postcode": ""}
    if person is not None:
        data |= {"forenames": person.legal_forenames, "surname": person.legal_surname,
                 "dob": person.dob.isoformat(), "uln": person.uln or "", "postcode": person.postcode}
    data |= values
    return (f",left,{data['uln']},,{data['forenames']},{data['surname']},{data['dob']},{data['postcode']},"
            f"{left.isoformat()},,,,,")


# The form ----------------------------------------------------------------------------------------------------------


def test_provider_staff_send_a_leaver_and_see_it_listed_without_whom_it_matched(client, region, careers, learner):
    sarah = learner()
    client.force_login(region.provider_staff)
    form = client.get("/track/notifications/new/")
    assert form.status_code == 200 and form.context["form"]["provider"] == str(region.college.pk)
    sent = client.post("/track/notifications/new/", {
        "provider": region.college.pk, "kind": "left", "uln": sarah.uln, "left_on": days_ago(4).isoformat(),
        "reason": "seeking"})
    assert sent.status_code == 302 and sent["Location"] == "/track/notifications/"
    notification = ProviderNotification.objects.get()
    assert (notification.person, notification.channel, notification.days_to_notify) == (sarah, "form", 4)
    listed = client.get("/track/notifications/").content.decode()
    assert f'data-testid="notification-{notification.pk}"' in listed
    assert f"/people/{sarah.pk}/" not in listed and "Matched" not in listed


def test_a_bad_form_shows_every_problem_and_keeps_what_was_typed(client, region, careers):
    client.force_login(region.provider_staff)
    page = client.post("/track/notifications/new/", {"provider": region.college.pk, "kind": "left",
                                                     "surname": "Hughes", "postcode": "nowhere"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="errors"' in html and 'value="Hughes"' in html
    assert set(page.context["errors"]) == {"identifiers", "left_on", "postcode"}
    assert not ProviderNotification.objects.exists()


def test_school_staff_and_analysts_cannot_send_and_providers_cannot_work_the_queue(client, region, careers):
    for user in (region.school_staff, region.analyst):
        client.force_login(user)
        assert client.get("/track/notifications/new/").status_code == 403
        assert client.get("/track/notifications/").status_code == 403
    client.force_login(region.provider_staff)
    for url in ("/track/unmatched/", "/track/compliance/", "/track/compliance/export.csv"):
        assert client.get(url).status_code == 403


# The upload ----------------------------------------------------------------------------------------------------------


def test_a_provider_uploads_a_file_and_unmatched_rows_go_to_the_queue(client, region, careers, learner, tmp_path):
    sarah, cai = learner(), learner("Cai", "Morgan")
    path = csv_file(tmp_path, row(sarah, left=days_ago(10)), row(cai, left=days_ago(20)),
                    row(None, left=days_ago(3), forenames="Nobody", surname="Known", dob="2008-05-05"))
    client.force_login(region.provider_staff)
    with path.open("rb") as handle:
        done = client.post("/imports/notifications/", {"file": handle, "action": "import"})
    assert done.status_code == 200 and 'data-testid="imported"' in done.content.decode()
    assert done.context["summary"].startswith("1 notification could not be matched")
    assert sorted(ProviderNotification.objects.values_list("status", "channel")) == [
        ("matched", "file"), ("matched", "file"), ("unmatched", "file")]
    with path.open("rb") as handle:  # the same file again adds nothing
        client.post("/imports/notifications/", {"file": handle, "action": "import"})
    assert ProviderNotification.objects.count() == 3


def test_one_bad_row_means_nothing_is_sent_and_the_problems_are_listed(client, region, careers, learner, tmp_path):
    path = csv_file(tmp_path, row(learner(), left=days_ago(10)),
                    row(None, left=days_ago(3), surname="Known", uln="123"))
    client.force_login(region.provider_staff)
    with path.open("rb") as handle:
        page = client.post("/imports/notifications/", {"file": handle, "action": "import"})
    assert page.status_code == 200 and 'data-testid="problems"' in page.content.decode()
    assert {(e.row, e.column) for e in page.context["errors"]} == {(3, "uln")}
    assert not ProviderNotification.objects.exists()


def test_the_kind_is_registered_for_the_imports_page_and_the_command(region, careers, learner, tmp_path, client):
    assert "notifications" in KINDS
    path = csv_file(tmp_path, row(learner(), left=days_ago(5)))
    client.force_login(region.epc)  # the EPC uses the /imports/ page; a file for the LA's college names it
    assert client.get("/imports/notifications/").status_code == 200
    with pytest.raises(CommandError):
        call_command("import", "notifications", str(path))  # an operator must say which provider
    assert not ProviderNotification.objects.exists()
    named = csv_file(tmp_path, region.college.ref + row(learner("Cai", "Morgan"), left=days_ago(5)), name="n.csv")
    call_command("import", "notifications", str(named))
    assert ProviderNotification.objects.get().provider == region.college


def test_the_upload_page_offers_each_user_only_the_kinds_of_file_they_may_send(client, region):
    client.force_login(region.provider_staff)
    offered = {k["name"] for k in client.get("/imports/").context["kinds"]}
    assert "notifications" in offered and "attendance" not in offered
    assert client.get("/imports/attendance/").status_code == 403
    client.force_login(region.school_staff)
    assert "notifications" not in {k["name"] for k in client.get("/imports/").context["kinds"]}
    assert client.get("/imports/notifications/").status_code == 403
    assert AuditEvent.objects.filter(actor=region.school_staff, action="denied", object_type="import").exists()


# The queue ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def waiting(region, careers, learner):
    sarah = learner("Sarah", "Hughes", uln=None)
    sent = notify(region.college, kind="left", left_on=days_ago(5), actor=region.provider_staff, context=TEST,
                  identifiers={"forenames": "Sara", "surname": "Hughes", "dob": sarah.dob})
    return sent, sarah


def test_the_adviser_chooses_the_young_person_from_the_candidates(client, region, careers, waiting):
    sent, sarah = waiting
    client.force_login(careers.adviser)
    queue = client.get("/track/unmatched/")
    assert f"/track/unmatched/{sent.pk}/" in queue.content.decode()
    page = client.get(f"/track/unmatched/{sent.pk}/")
    assert [c.person for c in page.context["candidates"]] == [sarah]
    assert AuditEvent.objects.filter(actor=careers.adviser, action="view", person_id=sarah.pk).exists()
    done = client.post(f"/track/unmatched/{sent.pk}/", {"action": "resolve", "person": sarah.pk})
    assert done.status_code == 302
    sent.refresh_from_db()
    assert (sent.status, sent.person) == ("resolved", sarah)
    assert Task.objects.filter(person=sarah, kind="contact").exists()


def test_another_areas_adviser_gets_404_and_choosing_no_one_is_an_error(client, region, careers, waiting):
    sent, _sarah = waiting
    client.force_login(careers.other_adviser)
    assert client.get(f"/track/unmatched/{sent.pk}/").status_code == 404
    assert client.post(f"/track/unmatched/{sent.pk}/", {"action": "resolve", "person": _sarah.pk}).status_code == 404
    client.force_login(careers.adviser)
    page = client.post(f"/track/unmatched/{sent.pk}/", {"action": "resolve"})
    assert page.status_code == 200 and "person" in page.context["errors"]
    page = client.post(f"/track/unmatched/{sent.pk}/", {"action": "reject", "reason": ""})
    assert "reason" in page.context["errors"]
    sent.refresh_from_db()
    assert sent.status == "unmatched"


# Compliance ----------------------------------------------------------------------------------------------------------


def test_compliance_shows_leavers_within_14_days_and_exports_without_names(client, region, careers, learner):
    for person, days in ((learner(), 10), (learner("Cai", "Morgan"), 20)):
        notify(region.college, kind="left", identifiers=identifiers_of(person), left_on=days_ago(days),
               actor=region.provider_staff, context=TEST)
    client.force_login(region.epc)
    page = client.get("/track/compliance/")
    (college,) = page.context["rows"]
    assert (college.provider, college.left, college.within_target, college.median_days) == (region.college, 2, 1, 15)
    export = client.get("/track/compliance/export.csv")
    body = export.content.decode()
    assert export["Content-Type"] == "text/csv" and "Cardiff and Vale College,,fe_college,2,1,50,15" in body
    assert "Hughes" not in body and "Morgan" not in body
    assert AuditEvent.objects.filter(actor=region.epc, action="export", object_type="notification_compliance").exists()
    client.force_login(region.other_epc)
    assert client.get("/track/compliance/").context["rows"] == []


def test_a_bad_period_is_reported(client, region, careers):
    client.force_login(region.epc)
    page = client.get("/track/compliance/?from=yesterday")
    assert page.status_code == 200 and "from" in page.context["errors"]
