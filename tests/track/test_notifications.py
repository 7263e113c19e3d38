"""Provider notifications, the service: matching (identifier, then name, date of birth and postcode, else the
queue), what a match does to the timeline and the work it raises, the 14-day measure, resolving and rejecting
from the queue, and who may notify."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.people.models import Enrolment, OrganisationKind, Role
from yep.tasks.models import Notification, Task, TaskKind
from yep.track import notifications
from yep.track.models import Activity, NotificationStatus, ProviderNotification
from yep.track.services_notifications import notify, notify_batch, reject, resolve

from . import notification_setup
from .notification_setup import days_ago, identifiers_of

# Fixtures shared by the notification tests (pytest finds them by these names).
careers, learner = notification_setup.careers, notification_setup.learner


def _left(region, person, days=10, **kw):
    return notify(region.college, kind="left", identifiers=identifiers_of(person), left_on=days_ago(days),
                  actor=region.provider_staff, context=TEST, **kw)


# Matching ---------------------------------------------------------------------------------------------------------


def test_a_leaver_is_matched_by_uln_and_the_timeline_says_neet_from_the_next_day(region, careers, learner):
    sarah = learner()
    sent = _left(region, sarah, days=10, reason="seeking")
    assert (sent.status, sent.match_method, sent.person) == ("matched", "identifier", sarah)
    assert (sent.days_to_notify, sent.within_target) == (10, True)
    college, after = Activity.objects.filter(person=sarah).order_by("start")
    assert college.end == days_ago(10)
    assert (after.code.code, after.start, after.source) == (619, days_ago(9), "provider_notification")
    enrolment = Enrolment.objects.get(person=sarah, organisation=region.college)
    assert (enrolment.end, enrolment.end_reason) == (days_ago(10), "dropped_out")
    assert AuditEvent.objects.filter(object_type="provider_notification", person_id=sarah.pk,
                                     actor=region.provider_staff).exists()


def test_without_identifiers_surname_dob_and_postcode_match_and_a_reason_gives_tier_2(region, careers, learner):
    sarah = learner(uln=None)
    sent = _left(region, sarah, reason="illness")
    assert (sent.status, sent.match_method) == ("matched", "name_dob_postcode")
    assert Activity.objects.filter(person=sarah).latest("start").code.code == 640


def test_no_match_or_two_matches_go_to_the_queue_and_nothing_changes(region, careers, learner):
    twin_a = learner("Osian", "Price", uln=None)
    learner("Osian", "Price", uln=None, dob=twin_a.dob.isoformat())  # a duplicate record: which one is meant?
    nobody = notify(region.college, kind="left", actor=region.provider_staff, context=TEST, left_on=days_ago(3),
                    identifiers={"forenames": "Nobody", "surname": "Known", "dob": "2008-01-02"})
    twins = notify(region.college, kind="left", actor=region.provider_staff, context=TEST, left_on=days_ago(3),
                   identifiers={"surname": "Price", "forenames": "Osian", "dob": twin_a.dob, "postcode": "CF24 3AB"})
    assert nobody.status == twins.status == "unmatched" and nobody.person is None is twins.person
    assert not Activity.objects.filter(source="provider_notification").exists()
    assert not Task.objects.exists()


def test_a_uln_with_another_date_of_birth_is_not_trusted(region, careers, learner):
    sarah = learner()
    sent = notify(region.college, kind="left", identifiers=identifiers_of(sarah, dob=datetime.date(2001, 1, 1)),
                  left_on=days_ago(2), actor=region.provider_staff, context=TEST)
    assert sent.status == "unmatched"


# What a match raises ---------------------------------------------------------------------------------------------


def test_a_match_raises_a_contact_task_for_the_careers_service_due_in_five_working_days(region, careers, learner):
    sent = _left(region, learner())
    task = Task.objects.get(kind=TaskKind.CONTACT)
    assert (task.organisation, task.role, task.person) == (careers.service, Role.CAREERS_ADVISER, sent.person)
    assert task.source == f"track.providernotification:{sent.pk}"
    assert 5 <= (task.due - timezone.localdate()).days <= 9
    assert not Task.objects.filter(role=Role.EPC).exists()  # not at risk, no lead worker: no EPC alert


def test_a_leaver_who_was_seriously_at_risk_alerts_the_epc(region, careers, learner,
                                                           django_capture_on_commit_callbacks):
    region.epc.email = "epc@example.org"
    region.epc.save(update_fields=["email"])
    sarah = learner()
    notify(region.college, kind="seriously_at_risk", identifiers=identifiers_of(sarah), actor=region.provider_staff,
           context=TEST, received_at=timezone.now() - datetime.timedelta(days=40))
    assert notifications.provider_risk_levels(timezone.localdate(), [sarah.pk]) == {sarah.pk: "high"}
    with django_capture_on_commit_callbacks(execute=True):
        _left(region, sarah)
    alerts = Task.objects.filter(role=Role.EPC, organisation=region.la, person=sarah)
    assert alerts.count() == 2  # the risk notification and the leaving each alert the EPC
    assert Notification.objects.filter(recipient_user=region.epc).exists()
    assert notifications.provider_risk_levels(timezone.localdate(), [sarah.pk]) == {}


def test_a_leaver_with_a_lead_worker_alerts_the_epc_and_tells_the_lead_worker(region, careers, learner,
                                                                              django_capture_on_commit_callbacks):
    sarah = learner()
    worker = factories.make_lead_worker("681", "youth_service", username="ys.worker")
    from yep.broker.services import allocate

    allocate(factories.make_referral(sarah, stage="post16", tier=4, risk_band="low"), worker,
             override_reason="knows her", actor=region.epc, context=TEST)
    with django_capture_on_commit_callbacks(execute=True):
        _left(region, sarah)
    assert Task.objects.filter(role=Role.EPC, person=sarah).exists()
    assert Notification.objects.filter(recipient_user=worker.user).exists()


def test_a_notification_twenty_days_late_is_outside_the_target(region, careers, learner):
    sent = _left(region, learner(), days=20)
    assert (sent.days_to_notify, sent.target_days, sent.within_target) == (20, 14, False)


# Refused and bad input ---------------------------------------------------------------------------------------------


def test_provider_staff_cannot_notify_for_another_provider_and_the_refusal_is_audited(region, careers, learner):
    other_college = factories.make_organisation(OrganisationKind.FE_COLLEGE, "681", "Another College")
    with pytest.raises(PermissionDenied):
        notify(other_college, kind="left", identifiers=identifiers_of(learner()), left_on=days_ago(1),
               actor=region.provider_staff, context=TEST)
    assert AuditEvent.objects.filter(action="denied", actor=region.provider_staff,
                                     object_type="provider_notification").exists()
    assert not ProviderNotification.objects.exists()


def test_school_staff_and_other_areas_cannot_notify(region, careers):
    for user in (region.school_staff, careers.other_adviser, region.other_epc):
        with pytest.raises(PermissionDenied):
            notify(region.college, kind="left", identifiers={"uln": factories.valid_uln()}, left_on=days_ago(1),
                   actor=user, context=TEST)


def test_every_problem_is_reported_at_once_and_nothing_is_written(region, careers):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as problem:
        notify(region.college, kind="left", left_on=tomorrow, reason="bored", actor=region.provider_staff,
               context=TEST, identifiers={"uln": "123", "postcode": "nowhere", "email": "not-an-email"})
    assert set(problem.value.message_dict) == {"uln", "postcode", "email", "left_on", "reason"}
    with pytest.raises(ValidationError) as missing:
        notify(region.college, kind="left", actor=region.provider_staff, context=TEST,
               identifiers={"surname": "Hughes"})
    assert set(missing.value.message_dict) == {"identifiers", "left_on"}
    with pytest.raises(ValidationError) as at_risk:
        notify(region.college, kind="seriously_at_risk", left_on=days_ago(1), actor=region.provider_staff,
               context=TEST, identifiers={"uln": factories.valid_uln()})
    assert set(at_risk.value.message_dict) == {"left_on"}
    assert not ProviderNotification.objects.exists()


def test_the_same_notification_twice_is_refused(region, careers, learner):
    sarah = learner()
    _left(region, sarah)
    with pytest.raises(ValidationError, match="already been sent"):
        _left(region, sarah)


def test_a_batch_is_all_or_nothing_and_reports_problems_by_row(region, careers, learner):
    sarah = learner()
    good = {"provider": region.college, "kind": "left", **identifiers_of(sarah), "left_on": days_ago(3)}
    bad = {"provider": region.college, "kind": "left", "surname": "Hughes", "left_on": days_ago(3)}
    with pytest.raises(ValidationError) as problem:
        notify_batch([good, bad], actor=region.provider_staff, context=TEST)
    assert set(problem.value.message_dict) == {"2.identifiers"}
    assert not ProviderNotification.objects.exists()
    assert [n.status for n in notify_batch([good], actor=region.provider_staff, context=TEST)] == ["matched"]


# The unmatched queue -----------------------------------------------------------------------------------------------


@pytest.fixture
def waiting(region, careers, learner):
    sarah = learner("Sarah", "Hughes", uln=None)
    sent = notify(region.college, kind="left", left_on=days_ago(5), actor=region.provider_staff, context=TEST,
                  identifiers={"forenames": "Sara", "surname": "Hughes", "dob": sarah.dob})
    assert sent.status == "unmatched"
    return sent, sarah


def test_a_careers_adviser_sees_candidates_and_resolves_the_notification(region, careers, waiting):
    sent, sarah = waiting
    assert list(notifications.unmatched_for(careers.adviser)) == [sent]
    assert [c.person for c in notifications.candidates(careers.adviser, sent)] == [sarah]
    resolve(sent, sarah, actor=careers.adviser, context=TEST)
    sent.refresh_from_db()
    assert (sent.status, sent.match_method, sent.person, sent.resolved_by) == (
        NotificationStatus.RESOLVED, "manual", sarah, careers.adviser)
    assert Activity.objects.filter(person=sarah).latest("start").code.code == 619
    assert Task.objects.filter(kind=TaskKind.CONTACT, person=sarah).exists()
    assert not notifications.unmatched_for(careers.adviser).exists()


def test_provider_staff_and_other_areas_cannot_resolve(region, careers, waiting):
    sent, sarah = waiting
    for user in (region.provider_staff, careers.other_adviser, region.other_epc):
        assert not notifications.unmatched_for(user).exists()
        with pytest.raises(PermissionDenied):
            resolve(sent, sarah, actor=user, context=TEST)
    sent.refresh_from_db()
    assert sent.status == "unmatched"


def test_rejecting_needs_a_reason_and_takes_it_off_the_queue(region, careers, waiting):
    sent, _sarah = waiting
    with pytest.raises(ValidationError, match="Say why"):
        reject(sent, reason=" ", actor=careers.adviser, context=TEST)
    reject(sent, reason="Not a Cardiff learner", actor=region.epc, context=TEST)
    sent.refresh_from_db()
    assert (sent.status, sent.rejection_reason) == ("rejected", "Not a Cardiff learner")
    with pytest.raises(ValidationError, match="no longer waiting"):
        reject(sent, reason="again", actor=region.epc, context=TEST)


# The provider's risk level for tier 4 ------------------------------------------------------------------------------


def test_the_providers_risk_level_holds_from_the_notification_while_the_young_person_is_there(region, careers):
    from yep.people import services as people

    sarah = factories.make_person("681", legal_forenames="Sarah", uln=factories.valid_uln())
    factories.enrol(sarah, region.college, year_group=None, start=days_ago(200))
    notify(region.college, kind="seriously_at_risk", identifiers={"uln": sarah.uln}, actor=region.provider_staff,
           context=TEST, received_at=timezone.now() - datetime.timedelta(days=30))
    assert notifications.provider_risk_levels(days_ago(31), [sarah.pk]) == {}
    assert notifications.provider_risk_levels(days_ago(29), [sarah.pk]) == {sarah.pk: "high"}
    # Her time at the college ends without a notification (the LA closes the enrolment): no risk after it.
    enrolment = Enrolment.objects.get(person=sarah, organisation=region.college)
    people.end_enrolment(enrolment, end=days_ago(5), reason="left", actor="test", context=TEST)
    assert notifications.provider_risk_levels(days_ago(6), [sarah.pk]) == {sarah.pk: "high"}
    assert notifications.provider_risk_levels(days_ago(4), [sarah.pk]) == {}
