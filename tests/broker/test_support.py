"""What a lead worker records and what the EPC decides about it: the package, keeping in touch, progress,
"support not working" escalations and additional needs met by a supporting service. Each service in threes:
it works, the wrong person is refused (and the refusal audited), bad input changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.access import services as access
from yep.access.models import AuditEvent, Relationship
from yep.access.policy import decide
from yep.broker.models import (
    AdditionalNeedStatus,
    Allocation,
    Contact,
    EndReason,
    Escalation,
    Goal,
    PackageService,
    Referral,
    ReferralSource,
    ReferralStatus,
)
from yep.broker.services import allocate
from yep.broker.services import support as S
from yep.people.models import OrganisationKind, Role
from yep.tasks.models import Notification, Task, TaskKind, TaskStatus

TODAY = timezone.localdate()
STARTED = TODAY - datetime.timedelta(days=60)


@pytest.fixture
def allocation(region, young, workers) -> Allocation:
    """Cai, pre-16 at high risk, allocated a Youth Service lead worker 60 days ago."""
    referral = factories.make_referral(young(legal_forenames="Cai"), risk_band="high", families_first=False,
                                       needs=("attendance", "wellbeing"))
    return allocate(referral, workers["youth_service"], start=STARTED, actor=region.epc, context=TEST)


@pytest.fixture
def worker(allocation):
    return allocation.lead_worker


@pytest.fixture
def mailed_epc(region):
    """A second Cardiff EPC with an email address, to see what the LA's EPCs are sent."""
    return factories.make_user(Role.EPC, region.la, "epc.mail", email="epc@cardiff.example")


def _denied(actor, wanted):
    return AuditEvent.objects.filter(actor=actor, action="denied", detail__wanted=wanted).exists()


# Who may record support ----------------------------------------------------------------------------------------


def test_the_lead_worker_and_the_epc_may_record_support_and_others_may_not(region, allocation, worker, workers):
    assert S.may_support(worker, allocation) and S.may_support(region.epc, allocation)
    assert not S.may_support(region.other_epc, allocation)
    assert not S.may_support(workers["careers_wales"].user, allocation)
    assert not S.may_support(region.school_staff, allocation)
    assert not S.may_support("a command", allocation)


def test_working_days_skip_the_weekend():
    friday = datetime.date(2026, 11, 20)
    assert S.add_working_days(friday, 1) == datetime.date(2026, 11, 23)
    assert S.add_working_days(friday, 5) == datetime.date(2026, 11, 27)
    assert S.add_working_days(datetime.date(2026, 11, 23), 5) == datetime.date(2026, 11, 30)


# The package ---------------------------------------------------------------------------------------------------


def test_the_lead_worker_sets_the_summary_and_next_review(allocation, worker):
    day = TODAY + datetime.timedelta(days=30)
    package = S.update_package(allocation.package, summary=" Back into school ", next_review=day, actor=worker,
                               context=TEST)
    package.refresh_from_db()
    assert (package.summary, package.next_review) == ("Back into school", day)
    assert AuditEvent.objects.filter(object_type="support_package", person_id=allocation.person_id,
                                     action="change").exists()


def test_another_las_epc_cannot_change_the_package_and_is_audited(region, allocation):
    with pytest.raises(PermissionDenied):
        S.update_package(allocation.package, summary="x", actor=region.other_epc, context=TEST)
    assert _denied(region.other_epc, "update package")


def test_a_next_review_in_the_past_is_refused(allocation, worker):
    before = allocation.package.next_review
    with pytest.raises(ValidationError) as error:
        S.update_package(allocation.package, next_review=TODAY - datetime.timedelta(days=1), actor=worker,
                         context=TEST)
    assert "next_review" in error.value.message_dict
    allocation.package.refresh_from_db()
    assert allocation.package.next_review == before


def test_goals_and_actions_are_added_changed_and_done(allocation, worker):
    goal = S.add_goal(allocation.package, text="Attend 90% this term", measure="School register",
                      target_date=TODAY + datetime.timedelta(days=60), actor=worker, context=TEST)
    action = S.add_action(allocation.package, text="Weekly mentoring", owner="Youth Service", goal=goal,
                          actor=worker, context=TEST)
    S.set_goal_status(goal, "achieved", actor=worker, context=TEST)
    S.complete_action(action, actor=worker, context=TEST)
    goal.refresh_from_db()
    action.refresh_from_db()
    assert goal.status == "achieved" and action.done and action.goal == goal
    with pytest.raises(ValidationError):
        S.complete_action(action, actor=worker, context=TEST)


def test_school_staff_cannot_add_goals(region, allocation):
    with pytest.raises(PermissionDenied):
        S.add_goal(allocation.package, text="Something", actor=region.school_staff, context=TEST)
    assert not Goal.objects.exists()


def test_goal_and_action_input_is_checked_all_at_once(region, young, workers, allocation, worker):
    with pytest.raises(ValidationError) as error:
        S.add_goal(allocation.package, text=" ", measure="m" * 301, target_date=STARTED - datetime.timedelta(days=1),
                   actor=worker, context=TEST)
    assert set(error.value.message_dict) == {"text", "measure", "target_date"}
    other = allocate(factories.make_referral(young(legal_forenames="Nia"), risk_band="high", families_first=False),
                     workers["youth_service"], actor=region.epc, context=TEST)
    foreign = S.add_goal(other.package, text="Theirs", actor=region.epc, context=TEST)
    with pytest.raises(ValidationError) as error:
        S.add_action(allocation.package, text="x", goal=foreign, actor=worker, context=TEST)
    assert "goal" in error.value.message_dict
    goal = S.add_goal(allocation.package, text="Ours", actor=worker, context=TEST)
    with pytest.raises(ValidationError):
        S.set_goal_status(goal, "finished", actor=worker, context=TEST)


# Keeping in touch and progress -----------------------------------------------------------------------------------


def test_the_lead_worker_logs_a_contact(allocation, worker):
    contact = S.record_contact(allocation, on=TODAY, channel="phone", outcome="engaged", note="Going well",
                               actor=worker, context=TEST)
    assert (contact.person_id, contact.recorded_by, contact.note) == (allocation.person_id, worker, "Going well")
    assert AuditEvent.objects.filter(object_type="lead_worker_contact", person_id=allocation.person_id).exists()


def test_another_lead_worker_cannot_log_a_contact(allocation, workers):
    stranger = workers["careers_wales"].user
    with pytest.raises(PermissionDenied):
        S.record_contact(allocation, on=TODAY, channel="phone", outcome="engaged", actor=stranger, context=TEST)
    assert _denied(stranger, "record contact") and not Contact.objects.exists()


@pytest.mark.parametrize(("on", "expected"), [
    (TODAY + datetime.timedelta(days=1), "future"),
    (STARTED - datetime.timedelta(days=1), "before the lead worker was allocated"),
    (None, "Enter the date"),
])
def test_a_contact_in_the_future_or_before_the_allocation_is_refused(allocation, worker, on, expected):
    with pytest.raises(ValidationError) as error:
        S.record_contact(allocation, on=on, channel="pigeon", outcome="", actor=worker, context=TEST)
    problems = error.value.message_dict
    assert expected in problems["on"][0] and {"channel", "outcome"} <= set(problems)
    assert not Contact.objects.exists()


def test_feedback_that_support_is_not_working_is_emailed_to_the_epcs(allocation, worker, mailed_epc,
                                                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        update = S.submit_progress(allocation, progress="not_working", summary="Not attending any sessions",
                                   actor=worker, context=TEST)
    assert update.progress == "not_working"
    sent = Notification.objects.get(recipient_user=mailed_epc)
    assert "Support not working" in sent.body and "Cai" not in sent.body  # no names by email


def test_on_track_feedback_is_not_emailed_and_bad_feedback_is_refused(allocation, worker, mailed_epc,
                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        S.submit_progress(allocation, progress="on_track", summary="Fine", actor=worker, context=TEST)
    assert not Notification.objects.filter(recipient_user=mailed_epc).exists()
    with pytest.raises(ValidationError) as error:
        S.submit_progress(allocation, progress="so-so", summary=" ", actor=worker, context=TEST)
    assert set(error.value.message_dict) == {"progress", "summary"}


# "Support not working" --------------------------------------------------------------------------------------------


def test_an_escalation_raises_an_epc_task_and_reopens_brokerage(region, allocation, worker, mailed_epc,
                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        escalation = S.escalate(allocation, evidence="Missed 6 sessions; refuses to meet", actor=worker,
                                context=TEST)
    task = escalation.task
    assert (task.kind, task.organisation, task.role, task.assignee) == (TaskKind.ESCALATION, region.la, Role.EPC,
                                                                         None)
    assert task.due == S.add_working_days(TODAY, 5) and task.source == f"broker.escalation:{escalation.pk}"
    referral = escalation.referral
    first = allocation.referral
    assert referral.status == ReferralStatus.OPEN and referral.source == ReferralSource.LEAD_WORKER
    assert (referral.person_id, referral.la, referral.needs, referral.risk_band, referral.consent_confirmed) == (
        allocation.person_id, first.la, first.needs, first.risk_band, True)
    assert Notification.objects.get(recipient_user=mailed_epc, task=task)
    assert escalation.package == allocation.package and escalation.is_open


def test_only_one_escalation_is_open_at_a_time(allocation, worker):
    S.escalate(allocation, evidence="Not attending", actor=worker, context=TEST)
    with pytest.raises(ValidationError) as error:
        S.escalate(allocation, evidence="Still not attending", actor=worker, context=TEST)
    assert "already waiting" in error.value.message_dict["allocation"][0]
    assert Escalation.objects.count() == 1 and Referral.objects.filter(status="open").count() == 1


def test_an_escalation_without_evidence_writes_nothing(allocation, worker):
    with pytest.raises(ValidationError) as error:
        S.escalate(allocation, evidence="  ", actor=worker, context=TEST)
    assert "evidence" in error.value.message_dict
    assert not Escalation.objects.exists() and not Task.objects.exists()
    assert not Referral.objects.filter(status="open").exists()


def test_someone_else_cannot_escalate(region, allocation):
    with pytest.raises(PermissionDenied):
        S.escalate(allocation, evidence="x", actor=region.school_staff, context=TEST)
    assert _denied(region.school_staff, "escalate") and not Escalation.objects.exists()


def test_changing_the_host_ends_the_allocation_and_leaves_the_referral_open(region, allocation, worker):
    escalation = S.escalate(allocation, evidence="Not attending", actor=worker, context=TEST)
    S.decide_escalation(escalation, decision="change_host", reason="Needs a learning coach in school",
                        actor=region.epc, context=TEST)
    allocation.refresh_from_db()
    escalation.referral.refresh_from_db()
    escalation.task.refresh_from_db()
    assert allocation.end == TODAY and allocation.end_reason == EndReason.REBROKERED
    assert escalation.referral.status == ReferralStatus.OPEN
    assert escalation.task.status == TaskStatus.DONE and "Needs a learning coach" in escalation.task.outcome
    # The worker's access ends with the allocation: from tomorrow they read the history only.
    assert decide(worker, allocation.person_id, on=TODAY + datetime.timedelta(days=1)).mode == "history"


def test_continuing_closes_the_rebrokerage_and_keeps_the_lead_worker(region, allocation, worker):
    escalation = S.escalate(allocation, evidence="Not attending", actor=worker, context=TEST)
    S.decide_escalation(escalation, decision="continue", reason="Give it until half term", actor=region.epc,
                        context=TEST)
    escalation.referral.refresh_from_db()
    allocation.refresh_from_db()
    assert allocation.end is None and escalation.decision == "continue"
    assert escalation.referral.status == ReferralStatus.CLOSED
    assert escalation.referral.decision_reason == "Continues with the current lead worker: Give it until half term"


def test_the_lead_worker_cannot_decide_and_a_decision_needs_a_reason(region, allocation, worker):
    escalation = S.escalate(allocation, evidence="Not attending", actor=worker, context=TEST)
    with pytest.raises(PermissionDenied):
        S.decide_escalation(escalation, decision="continue", reason="I decide", actor=worker, context=TEST)
    assert _denied(worker, "decide escalation")
    with pytest.raises(ValidationError) as error:
        S.decide_escalation(escalation, decision="shrug", reason="", actor=region.epc, context=TEST)
    assert set(error.value.message_dict) == {"decision", "reason"}
    escalation.refresh_from_db()
    assert escalation.is_open


# Additional needs and supporting services --------------------------------------------------------------------


@pytest.fixture
def housing(region):
    return factories.make_organisation(OrganisationKind.THIRD_SECTOR, "681", "Llamau housing")


def test_an_additional_need_raises_an_epc_task(region, allocation, worker):
    need = S.raise_additional_need(allocation, need="housing", note="Sofa surfing", actor=worker, context=TEST)
    assert need.status == AdditionalNeedStatus.OPEN
    assert (need.task.kind, need.task.organisation, need.task.role) == (TaskKind.ADDITIONAL_NEED, region.la, "epc")
    assert need.task.source == f"broker.additional_need:{need.pk}"
    with pytest.raises(ValidationError):
        S.raise_additional_need(allocation, need="housing", actor=worker, context=TEST)


def test_an_unknown_need_is_refused_and_a_stranger_cannot_raise_one(region, allocation, worker):
    with pytest.raises(ValidationError) as error:
        S.raise_additional_need(allocation, need="unicorns", actor=worker, context=TEST)
    assert "need" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        S.raise_additional_need(allocation, need="housing", actor=region.provider_staff, context=TEST)


def test_the_epc_adds_a_supporting_service_and_the_lead_worker_is_unchanged(region, allocation, worker, housing):
    need = S.raise_additional_need(allocation, need="housing", actor=worker, context=TEST)
    service = S.add_supporting_service(allocation.package, housing, purpose="Find a tenancy", additional_need=need,
                                       actor=region.epc, context=TEST)
    need.refresh_from_db()
    need.task.refresh_from_db()
    allocation.refresh_from_db()
    assert need.status == AdditionalNeedStatus.SERVICE_ADDED and need.service == service
    assert need.task.status == TaskStatus.DONE
    assert allocation.lead_worker == worker and allocation.end is None
    assert [s.role for s in allocation.package.services.all()] == ["lead", "supporting"]


def test_sharing_without_an_agreement_is_blocked_and_changes_nothing(region, allocation, worker, housing):
    need = S.raise_additional_need(allocation, need="housing", actor=worker, context=TEST)
    with pytest.raises(access.FlowBlocked) as blocked:
        S.add_supporting_service(allocation.package, housing, purpose="Tenancy", additional_need=need,
                                 categories=["support_needs"], actor=region.epc, context=TEST)
    assert "no sharing agreement" in blocked.value.messages[0]
    need.refresh_from_db()
    assert need.status == AdditionalNeedStatus.OPEN
    assert not PackageService.objects.filter(role="supporting").exists()
    assert not Relationship.objects.filter(kind="supporting_service").exists()
    assert AuditEvent.objects.filter(action="denied", object_type="flow", person_id=allocation.person_id).exists()


def test_with_an_agreement_the_service_sees_the_shared_categories(region, allocation, housing):
    access.register_agreement(name="Cardiff–Llamau", parties=[region.la, housing], purpose="Housing support",
                              lawful_basis="Public task", categories=["identity", "support_needs"],
                              start=TODAY - datetime.timedelta(days=1), actor="test", context=TEST)
    service = S.add_supporting_service(allocation.package, housing, purpose="Tenancy", categories=["support_needs"],
                                       actor=region.epc, context=TEST)
    assert sorted(service.relationship.categories) == ["identity", "support_needs"]
    staff = factories.make_user(Role.LEAD_WORKER, housing, "llamau.worker")
    assert decide(staff, allocation.person_id).can_see("support_needs")
    S.end_supporting_service(service, actor=region.epc, context=TEST)
    service.relationship.refresh_from_db()
    assert service.end == TODAY and service.relationship.end == TODAY


def test_the_lead_worker_cannot_add_a_service_and_a_purpose_is_needed(region, allocation, worker, housing):
    with pytest.raises(PermissionDenied):
        S.add_supporting_service(allocation.package, housing, purpose="x", actor=worker, context=TEST)
    with pytest.raises(ValidationError) as error:
        S.add_supporting_service(allocation.package, housing, purpose="", categories=["secrets"], actor=region.epc,
                                 context=TEST)
    assert set(error.value.message_dict) == {"purpose", "categories"}


def test_the_epc_declines_an_additional_need_with_a_reason(region, allocation, worker):
    need = S.raise_additional_need(allocation, need="careers", actor=worker, context=TEST)
    with pytest.raises(ValidationError):
        S.decline_additional_need(need, reason="", actor=region.epc, context=TEST)
    with pytest.raises(PermissionDenied):
        S.decline_additional_need(need, reason="No", actor=worker, context=TEST)
    S.decline_additional_need(need, reason="The lead worker covers careers", actor=region.epc, context=TEST)
    need.task.refresh_from_db()
    assert need.status == AdditionalNeedStatus.NOT_ADDED and need.task.status == TaskStatus.DONE


def test_an_ended_allocation_takes_no_more_support(region, allocation, worker):
    from yep.broker.services import end_allocation

    end_allocation(allocation, reason="support_complete", actor=region.epc, context=TEST)
    with pytest.raises(ValidationError) as error:
        S.record_contact(allocation, on=TODAY, channel="phone", outcome="engaged", actor=region.epc, context=TEST)
    assert "allocation" in error.value.message_dict
