"""The unknowns (tier 1), the services and reads: the queue with its leads and last attempts, logging a careers
contact (a confirmed activity resolves the case), a youth worker's "report a contact" that tells them only whether
it matched, and moves between LAs with the new LA's intake."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.people.models import ActivityCode, Organisation, OrganisationKind, Person, Role, User
from yep.tasks.models import Task, TaskKind, TaskStatus
from yep.track import unknowns
from yep.track.models import Activity, CareersContact, ContactReport
from yep.track.queries import cohort_tiers, person_timeline
from yep.track.services import record_activities
from yep.track.services_unknowns import close_contact_report, log_contact, report_contact

from . import notification_setup
from .notification_setup import days_ago, post16_dob

careers = notification_setup.careers  # Cardiff's careers service and adviser (pytest finds it by this name)
NPT = "671"  # Neath Port Talbot


@dataclass
class Npt:
    la: Organisation
    epc: User
    service: Organisation
    adviser: User


@pytest.fixture
def npt(region) -> Npt:
    """Neath Port Talbot's EPC and the careers service covering it."""
    la = factories.la(NPT)
    service = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, NPT, "Careers Wales Castell-nedd")
    return Npt(la, factories.make_user(Role.EPC, la, "npt.epc"), service,
               factories.make_user(Role.CAREERS_ADVISER, service, "npt.adviser"))


@pytest.fixture
def youth_worker(region) -> User:
    """A detached youth worker of Cardiff's youth service (a lead worker by role)."""
    service = factories.make_organisation(OrganisationKind.YOUTH_SERVICE, "681", "Cardiff Youth Service")
    return factories.make_user(Role.LEAD_WORKER, service, "ys.detached")


def youth_service_of(user: User) -> Organisation:
    return user.active_memberships().get().organisation


def make_unknown(surname: str = "Evans", *, code: int | None = None, started: int = 100, la_code: str = "681",
                 **fields: Any) -> Person:
    """A 17 year old with no activity, or with ``code`` (a "not known" one) from ``started`` days ago."""
    fields.setdefault("dob", post16_dob().isoformat())
    person = factories.make_person(la_code, legal_forenames=fields.pop("forenames", "Owain"), legal_surname=surname,
                                   **fields)
    if code is not None:
        record_activities([{"person_id": person.pk, "code_id": ActivityCode.objects.get(code=code).pk,
                            "start": days_ago(started), "end": None, "hours_per_week": None,
                            "organisation_id": None, "source": "test"}], actor="test", context=TEST)
    return person


def tier_one(user: User, on: datetime.date | None = None) -> int:
    return int(cohort_tiers(user, on or timezone.localdate()).counts[0].sum())


# The queue ----------------------------------------------------------------------------------------------------------


def test_the_queue_lists_tier_1_oldest_first_with_leads_ranked_and_the_last_attempt(region, careers):
    lost = make_unknown("Lost", code=810, started=200)
    newer = make_unknown("Newer", code=810, started=20)
    make_unknown("Placed", code=230, started=30)  # at college: tier 5, not in the queue
    factories.enrol(newer, region.school, year_group=13, start=days_ago(300))
    log_contact(newer, purpose="tracing", method="phone", outcome="no_answer", actor=careers.adviser, context=TEST)
    log_contact(newer, purpose="tracing", method="text", outcome="message_left", actor=careers.adviser,
                context=TEST)
    queue = unknowns.unknowns_for(careers.adviser)
    mine = [u for u in queue if u.person in (lost, newer)]
    assert [u.person for u in mine] == [lost, newer]
    assert (mine[0].days_unknown, mine[0].reason, mine[0].contacts) == (200, "not_known", 0)
    assert (mine[1].days_unknown, mine[1].contacts, mine[1].last_contact.outcome) == (20, 2, "message_left")
    assert [(lead.source, lead.detail) for lead in mine[1].leads] == [("school_list", "Ysgol Gyfun Glantaf")]
    assert "Placed" not in {u.person.legal_surname for u in queue}


def test_no_activity_counts_from_the_day_after_the_last_one_ended(region, careers):
    person = make_unknown("Ended")
    record_activities([{"person_id": person.pk, "code_id": ActivityCode.objects.get(code=230).pk,
                        "start": days_ago(100), "end": days_ago(31), "hours_per_week": 20,
                        "organisation_id": region.college.pk, "source": "test"}], actor="test", context=TEST)
    (found,) = [u for u in unknowns.unknowns_for(careers.adviser) if u.person == person]
    assert (found.since, found.days_unknown, found.reason) == (days_ago(30), 30, "no_activity")


def test_another_las_epc_and_a_youth_worker_see_no_queue(region, careers, youth_worker):
    lost = make_unknown("Lost", code=810)
    assert lost in [u.person for u in unknowns.unknowns_for(careers.adviser)]
    swansea = [u.person for u in unknowns.unknowns_for(region.other_epc)]
    assert lost not in swansea and region.resident_elsewhere in swansea
    assert unknowns.unknowns_for(youth_worker) == []
    assert not unknowns.intake_for(youth_worker).exists() and not unknowns.contact_reports_for(youth_worker).exists()


def test_the_queue_reads_a_fixed_number_of_queries(region, careers, django_assert_max_num_queries):
    for n in range(12):
        person = make_unknown(f"Many{n}", code=810 if n % 2 else None)
        factories.enrol(person, region.college, year_group=None, start=days_ago(50))
    with django_assert_max_num_queries(14):
        queue = unknowns.unknowns_for(careers.adviser)
    assert len([u for u in queue if u.person.legal_surname.startswith("Many")]) == 12


# Logging a contact --------------------------------------------------------------------------------------------


def test_a_confirmed_contact_records_the_activity_and_resolves_tier_1_to_tier_3(region, careers):
    person = make_unknown("Lost", code=810)
    contact = log_contact(person, purpose="tracing", method="home_visit", source="youth_worker",
                          outcome="confirmed", notes="Looking for work", code="619", actor=careers.adviser,
                          context=TEST)
    assert CareersContact.objects.get() == contact and contact.by == careers.adviser
    added = Activity.objects.filter(person=person).latest("pk")
    assert (added.code.code, added.start, added.source) == (619, timezone.localdate(), "careers_service")
    assert person_timeline(person).now.tier == 3
    assert person not in [u.person for u in unknowns.unknowns_for(careers.adviser)]
    assert AuditEvent.objects.filter(object_type="careers_contact", person_id=person.pk).exists()


def test_another_las_epc_and_a_youth_worker_cannot_log_a_contact(region, careers, youth_worker):
    person = make_unknown("Lost")
    for outsider in (region.other_epc, youth_worker):
        with pytest.raises(PermissionDenied):
            log_contact(person, purpose="tracing", method="phone", outcome="no_answer", actor=outsider,
                        context=TEST)
    assert not CareersContact.objects.exists()
    assert AuditEvent.objects.filter(action="denied", person_id=person.pk, object_type="careers_contact").count() == 2


def test_bad_contact_input_is_reported_field_by_field_and_nothing_is_written(region, careers):
    person = make_unknown("Lost")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as problem:
        log_contact(person, purpose="gossip", method="pigeon", outcome="confirmed", code="999", start="31/02/2026",
                    hours_per_week="lots", at=tomorrow, actor=careers.adviser, context=TEST)
    assert set(problem.value.message_dict) == {"purpose", "method", "code", "start", "hours_per_week", "at"}
    with pytest.raises(ValidationError) as moved:
        log_contact(person, purpose="tracing", method="phone", outcome="moved_away", actor=careers.adviser,
                    context=TEST)
    assert set(moved.value.message_dict) == {"to_la"}
    assert not CareersContact.objects.exists() and not Activity.objects.filter(person=person).exists()


# Report a contact ---------------------------------------------------------------------------------------------


def test_a_youth_workers_report_matches_by_name_and_dob_and_raises_a_careers_task(region, careers, youth_worker):
    person = make_unknown("Pritchard", forenames="Ffion")
    report = report_contact(organisation=youth_service_of(youth_worker), forenames="Ffion", surname="Pritchard",
                            dob=person.dob, seen_on=days_ago(1), where="Skate park", doing="Looking for work",
                            actor=youth_worker, context=TEST)
    assert (report.status, report.person) == ("matched", person)
    task = Task.objects.get(source=f"track.contactreport:{report.pk}")
    assert (task.kind, task.organisation, task.role, task.person) == (TaskKind.CONTACT, careers.service,
                                                                      Role.CAREERS_ADVISER, person)
    assert list(unknowns.contact_reports_for(careers.adviser)) == [report]
    (lead,) = [u for u in unknowns.unknowns_for(careers.adviser) if u.person == person][0].leads
    assert lead.source == "youth_worker" and "Skate park" in lead.detail
    assert AuditEvent.objects.filter(object_type="contact_report", person_id=person.pk, actor=youth_worker).exists()


def test_no_match_is_recorded_for_the_careers_service_and_a_non_member_is_refused(region, careers, youth_worker):
    report = report_contact(organisation=youth_service_of(youth_worker), forenames="Nobody", surname="Known",
                            dob="2009-01-02", seen_on=days_ago(2), actor=youth_worker, context=TEST)
    assert (report.status, report.person) == ("no_match", None)
    assert not Task.objects.exists()
    assert list(unknowns.unmatched_reports_for(careers.adviser)) == [report]
    with pytest.raises(PermissionDenied):
        report_contact(organisation=region.college, forenames="A", surname="B", dob="2009-01-02",
                       seen_on=days_ago(1), actor=youth_worker, context=TEST)
    with pytest.raises(PermissionDenied):
        report_contact(organisation=region.school, forenames="A", surname="B", dob="2009-01-02",
                       seen_on=days_ago(1), actor=region.school_staff, context=TEST)


def test_a_report_with_bad_dates_or_no_name_writes_nothing(region, youth_worker):
    with pytest.raises(ValidationError) as problem:
        report_contact(organisation=youth_service_of(youth_worker), forenames="", surname="Jones", dob="2009-02-30",
                       postcode="NOT A CODE", seen_on=timezone.localdate() + datetime.timedelta(days=1),
                       actor=youth_worker, context=TEST)
    assert set(problem.value.message_dict) == {"forenames", "dob", "postcode", "seen_on"}
    assert not ContactReport.objects.exists()


def test_the_careers_service_closes_a_report_and_its_task(region, careers, youth_worker):
    person = make_unknown("Pritchard", forenames="Ffion")
    report = report_contact(organisation=youth_service_of(youth_worker), forenames="Ffion", surname="Pritchard",
                            dob=person.dob, seen_on=days_ago(1), actor=youth_worker, context=TEST)
    with pytest.raises(PermissionDenied):
        close_contact_report(report, actor=region.other_epc, context=TEST)
    close_contact_report(report, actor=careers.adviser, context=TEST)
    report.refresh_from_db()
    assert report.status == "closed" and report.closed_by == careers.adviser
    assert Task.objects.get(source=f"track.contactreport:{report.pk}").status == TaskStatus.DONE
    assert not unknowns.contact_reports_for(careers.adviser).exists()
