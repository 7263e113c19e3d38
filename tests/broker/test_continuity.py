"""Continuity after transition and closing a case: the LA's policy, the continuity end date, the post-16 start
(learning-coach exception, telling the provider under an agreement), the provider's contact, and closure or
handover at 18."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.broker.conftest import post16_dob
from tests.factories import TEST
from yep.access import categories as C
from yep.access import services as access
from yep.access.models import AuditEvent
from yep.access.policy import decide
from yep.broker.models import ContinuityKind, ContinuityPolicy, EndReason, FollowUp
from yep.broker.services import allocate
from yep.broker.services.continuity import (
    close_case,
    continuity_end,
    policy_for,
    record_post16_start,
    record_provider_contact,
    set_continuity_policy,
)
from yep.broker.services.schedule import run_due
from yep.people.models import OrganisationKind, Role
from yep.tasks.models import Task, TaskKind, TaskStatus

ALLOCATED_ON = datetime.date(2024, 6, 1)
START = datetime.date(2024, 9, 4)


def _policy(**fields):
    return ContinuityPolicy(**{"kind": ContinuityKind.MONTHS, "months": 3, "fixed_month": 1, "fixed_day": 31,
                               **fields})


@pytest.fixture
def allocated(region, workers, young):
    """An allocation of the given host type (default Careers Wales) for a post-16 young person from 1 Jun 2024."""

    def make(host="careers_wales", **person):
        person.setdefault("dob", post16_dob())
        referral = factories.make_referral(young(**person), stage="post16", tier=4, risk_band="high")
        reason = "" if host in ("youth_service", "careers_wales") else "the young person knows them"
        return allocate(referral, workers[host], override_reason=reason, start=ALLOCATED_ON, actor=region.epc,
                        context=TEST)

    return make


@pytest.fixture
def careers(region):
    service = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    service.covers.add(region.la)
    return service


def _agreement(region):
    return access.register_agreement(
        name="Cardiff and the college", parties=[region.la, region.college], purpose="Transition support",
        lawful_basis="6(1)(e) public task", categories=[C.IDENTITY, C.LEAD_WORKER_CONTACT],
        start=datetime.date(2024, 1, 1), actor="test", context=TEST)


# The policy and the end date --------------------------------------------------------------------------------


@pytest.mark.parametrize(("policy", "start", "end"), [
    (_policy(), datetime.date(2026, 9, 8), datetime.date(2026, 12, 8)),
    (_policy(months=3), datetime.date(2025, 11, 30), datetime.date(2026, 2, 28)),
    (_policy(kind=ContinuityKind.FIXED_DATE), START, datetime.date(2025, 1, 31)),
    (_policy(kind=ContinuityKind.FIXED_DATE), datetime.date(2025, 1, 31), datetime.date(2026, 1, 31)),
    (_policy(kind=ContinuityKind.NONE), START, None),
])
def test_the_continuity_end_follows_the_policy(policy, start, end):
    assert continuity_end(policy, start) == end


def test_an_la_without_a_policy_has_three_months_unsaved(region):
    policy = policy_for(region.la)
    assert (policy.pk, policy.kind, policy.months) == (None, ContinuityKind.MONTHS, 3)


def test_the_epc_sets_the_policy_and_it_is_audited(region):
    set_continuity_policy(region.la, kind="fixed_date", fixed_month=1, fixed_day=31, learning_coach_exception=True,
                          destination_types=["fe", "employment_with_training"], actor=region.epc, context=TEST)
    policy = policy_for(region.la)
    assert (policy.kind, policy.learning_coach_exception, policy.updated_by) == ("fixed_date", True, region.epc)
    assert policy.destination_types == ["fe", "employment_with_training"]
    assert AuditEvent.objects.filter(actor=region.epc, object_type="continuity_policy", action="change").exists()
    set_continuity_policy(region.la, kind="none", actor=region.epc, context=TEST)
    assert ContinuityPolicy.objects.get(la=region.la).kind == "none"


def test_another_las_epc_cannot_set_the_policy(region):
    with pytest.raises(PermissionDenied):
        set_continuity_policy(region.la, kind="none", actor=region.other_epc, context=TEST)
    assert not ContinuityPolicy.objects.exists()
    assert AuditEvent.objects.filter(actor=region.other_epc, action="denied").exists()


def test_a_bad_policy_reports_every_problem_and_saves_nothing(region):
    with pytest.raises(ValidationError) as problem:
        set_continuity_policy(region.la, kind="weeks", months=30, fixed_month=2, fixed_day=30,
                              destination_types=["university"], actor=region.epc, context=TEST)
    assert set(problem.value.message_dict) == {"kind", "months", "fixed_day", "destination_types"}
    assert not ContinuityPolicy.objects.exists()


# The post-16 start ------------------------------------------------------------------------------------------


def test_a_start_sets_the_continuity_end_and_tells_the_provider_under_an_agreement(region, allocated):
    allocation = allocated()
    factories.enrol(allocation.person, region.college, year_group=None, start=START)
    _agreement(region)
    region.provider_staff.email = "staff@college.example"
    region.provider_staff.save(update_fields=["email"])
    mail.outbox.clear()

    result = record_post16_start(allocation, start=START, provider=region.college, destination_type="fe",
                                 actor=allocation.lead_worker, context=TEST)
    allocation.refresh_from_db()
    assert (allocation.continuity_end, allocation.end, result.ended) == (datetime.date(2024, 12, 4), None, False)
    assert result.provider_told and allocation.provider_told_at is not None
    [email] = mail.outbox
    assert email.to == ["staff@college.example"] and allocation.lead_worker.email in email.body
    assert AuditEvent.objects.filter(action="share", person_id=allocation.person_id,
                                     fields=[C.LEAD_WORKER_CONTACT]).exists()
    assert decide(region.provider_staff, allocation.person_id).can_see(C.LEAD_WORKER_CONTACT)


def test_without_an_agreement_the_provider_is_not_told_and_the_result_says_why(region, allocated):
    allocation = allocated()
    mail.outbox.clear()
    result = record_post16_start(allocation, start=START, provider=region.college, destination_type="fe",
                                 actor=region.epc, context=TEST)
    assert not result.provider_told and "no sharing agreement" in result.provider_message
    assert mail.outbox == [] and allocation.provider_told_at is None
    assert allocation.continuity_end == datetime.date(2024, 12, 4)


def test_a_destination_outside_the_policy_gets_no_continuity_end(region, allocated):
    set_continuity_policy(region.la, kind="months", destination_types=["fe"], actor=region.epc, context=TEST)
    employer = factories.make_organisation(OrganisationKind.EMPLOYER, name="Admiral")
    allocation = allocated()
    record_post16_start(allocation, start=START, provider=employer, destination_type="apprenticeship",
                        actor=region.epc, context=TEST)
    assert allocation.continuity_end is None and allocation.end is None


def test_the_learning_coach_exception_ends_the_allocation_and_raises_a_reassessment(region, allocated, careers):
    set_continuity_policy(region.la, kind="months", learning_coach_exception=True, actor=region.epc, context=TEST)
    allocation = allocated("learning_coach")
    result = record_post16_start(allocation, start=START, provider=region.college, destination_type="fe",
                                 actor=allocation.lead_worker, context=TEST)
    allocation.refresh_from_db()
    assert (allocation.end, allocation.end_reason, result.ended) == (START, EndReason.CONTINUITY_ENDED, True)
    task = Task.objects.get(kind=TaskKind.REASSESSMENT)
    assert (task.organisation, task.role, task.due, task.source) == (
        careers, Role.CAREERS_ADVISER, START, f"broker.allocation:{allocation.pk}")
    assert result.reassessment == task and not result.provider_told


def test_the_exception_does_not_touch_a_careers_wales_lead_worker(region, allocated):
    set_continuity_policy(region.la, kind="months", learning_coach_exception=True, actor=region.epc, context=TEST)
    allocation = allocated("careers_wales")
    record_post16_start(allocation, start=START, provider=region.college, destination_type="fe", actor=region.epc,
                        context=TEST)
    assert allocation.end is None and not Task.objects.filter(kind=TaskKind.REASSESSMENT).exists()


def test_someone_not_involved_cannot_record_a_start(region, allocated, workers):
    allocation = allocated()
    for outsider in (region.other_epc, region.school_staff, workers["youth_service"].user):
        with pytest.raises(PermissionDenied):
            record_post16_start(allocation, start=START, provider=region.college, destination_type="fe",
                                actor=outsider, context=TEST)
    allocation.refresh_from_db()
    assert allocation.post16_start is None


def test_a_careers_adviser_of_the_las_careers_service_can_record_a_start(region, allocated, careers):
    adviser = factories.make_user(Role.CAREERS_ADVISER, careers, "cw.adviser")
    allocation = allocated()
    record_post16_start(allocation, start=START, provider=region.college, destination_type="fe", actor=adviser,
                        context=TEST)
    assert allocation.post16_start == START


def test_a_bad_start_reports_every_problem(region, allocated):
    allocation = allocated()
    with pytest.raises(ValidationError) as problem:
        record_post16_start(allocation, start=timezone.localdate() + datetime.timedelta(days=3),
                            provider=factories.make_organisation(OrganisationKind.DWP),
                            destination_type="university", actor=region.epc, context=TEST)
    assert set(problem.value.message_dict) == {"start", "provider", "destination_type"}
    with pytest.raises(ValidationError, match="on or after"):
        record_post16_start(allocation, start=datetime.date(2024, 5, 1), provider=region.college,
                            destination_type="fe", actor=region.epc, context=TEST)
    allocation.refresh_from_db()
    assert allocation.post16_start is None


# The provider's contact -------------------------------------------------------------------------------------


def test_the_lead_worker_records_the_providers_contact(region, allocated):
    allocation = allocated()
    record_provider_contact(allocation, contact="Mrs Rees, pastoral lead, 029 2000 0000",
                            actor=allocation.lead_worker, context=TEST)
    allocation.refresh_from_db()
    assert allocation.provider_contact == "Mrs Rees, pastoral lead, 029 2000 0000"


def test_only_the_lead_worker_or_epc_records_the_providers_contact(region, allocated):
    allocation = allocated()
    with pytest.raises(PermissionDenied):
        record_provider_contact(allocation, contact="x", actor=region.provider_staff, context=TEST)
    with pytest.raises(ValidationError, match="Give the provider"):
        record_provider_contact(allocation, contact="  ", actor=region.epc, context=TEST)


# Closing a case -----------------------------------------------------------------------------------------------


def test_closing_a_case_ends_it_and_schedules_three_follow_ups(region, allocated, careers):
    allocation = allocated()
    close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, end=datetime.date(2025, 4, 1),
               actor=allocation.lead_worker, context=TEST)
    allocation.refresh_from_db()
    assert (allocation.end, allocation.end_reason) == (datetime.date(2025, 4, 1), EndReason.SUPPORT_COMPLETE)
    assert [(f.months, f.due) for f in FollowUp.objects.filter(allocation=allocation)] == [
        (6, datetime.date(2025, 10, 1)), (12, datetime.date(2026, 4, 1)), (24, datetime.date(2027, 4, 1))]
    tasks = Task.objects.filter(kind=TaskKind.FOLLOW_UP).order_by("due")
    assert [(t.organisation, t.role) for t in tasks] == [(careers, Role.CAREERS_ADVISER)] * 3
    assert [t.source for t in tasks] == [f"broker.follow_up:{f.pk}" for f in FollowUp.objects.order_by("due")]


def test_a_rebrokered_case_is_not_followed_up(region, allocated):
    allocation = allocated()
    close_case(allocation, reason=EndReason.REBROKERED, actor=region.epc, context=TEST)
    assert not FollowUp.objects.exists() and not Task.objects.filter(kind=TaskKind.FOLLOW_UP).exists()


def test_closing_answers_the_cases_open_reassessment(region, allocated):
    allocation = allocated()
    record_post16_start(allocation, start=START, provider=region.college, destination_type="fe", actor=region.epc,
                        context=TEST)
    run_due(datetime.date(2024, 12, 4), actor="cron", context=TEST)
    close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, actor=region.epc, context=TEST)
    assert Task.objects.get(kind=TaskKind.REASSESSMENT).status == TaskStatus.DONE


def test_a_handover_at_18_names_adult_services(region, allocated):
    jobcentre = factories.make_organisation(OrganisationKind.DWP, name="Jobcentre Plus Cardiff")
    allocation = allocated(dob="2006-01-15")
    close_case(allocation, reason=EndReason.POST18_HANDOVER, handover_to=jobcentre, end=datetime.date(2025, 2, 1),
               actor=allocation.lead_worker, context=TEST)
    allocation.refresh_from_db()
    assert (allocation.handover_to, allocation.end_reason) == (jobcentre, EndReason.POST18_HANDOVER)


def test_a_handover_is_refused_under_18_or_to_a_school(region, allocated):
    allocation = allocated(dob="2007-06-15")
    with pytest.raises(ValidationError) as problem:
        close_case(allocation, reason=EndReason.POST18_HANDOVER, handover_to=region.school,
                   end=datetime.date(2025, 2, 1), actor=region.epc, context=TEST)
    assert set(problem.value.message_dict) == {"handover_to", "end_reason"}
    allocation.refresh_from_db()
    assert allocation.end is None and allocation.handover_to is None


def test_someone_else_cannot_close_the_case(region, allocated, workers):
    allocation = allocated()
    with pytest.raises(PermissionDenied):
        close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, actor=workers["youth_service"].user, context=TEST)
    with pytest.raises(PermissionDenied):
        close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, actor=region.other_epc, context=TEST)
    allocation.refresh_from_db()
    assert allocation.end is None
