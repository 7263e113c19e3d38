"""Scheduled work: re-assessments when continuity ends, reviews when due, end-of-course interviews; each raised
once however often the job runs."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from tests.broker.conftest import post16_dob
from tests.factories import TEST
from yep.broker.services import allocate
from yep.broker.services.continuity import record_post16_start
from yep.broker.services.schedule import notify_course_ending, run_due
from yep.people.models import OrganisationKind, Role
from yep.tasks.models import Task, TaskKind

START = datetime.date(2024, 9, 8)


@pytest.fixture
def careers(region):
    service = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    service.covers.add(region.la)
    return service


@pytest.fixture
def started(region, workers, young):
    """A Careers Wales allocation from 1 Jun 2024 whose young person started college on 8 Sep 2024."""
    referral = factories.make_referral(young(dob=post16_dob()), stage="post16", tier=4, risk_band="high")
    allocation = allocate(referral, workers["careers_wales"], start=datetime.date(2024, 6, 1), actor=region.epc,
                          context=TEST)
    record_post16_start(allocation, start=START, provider=region.college, destination_type="fe", actor=region.epc,
                        context=TEST)
    return allocation


def test_a_reassessment_is_raised_when_continuity_ends_and_only_once(region, careers, started):
    assert run_due(datetime.date(2024, 12, 7), actor="cron", context=TEST)["reassessment"] == 0
    assert run_due(datetime.date(2024, 12, 8), actor="cron", context=TEST)["reassessment"] == 1
    assert run_due(datetime.date(2024, 12, 9), actor="cron", context=TEST)["reassessment"] == 0
    task = Task.objects.get(kind=TaskKind.REASSESSMENT)
    assert (task.organisation, task.role, task.due, task.person_id) == (
        careers, Role.CAREERS_ADVISER, datetime.date(2024, 12, 8), started.person_id)


def test_a_review_is_raised_for_the_lead_worker_when_the_package_is_due(region, started):
    due = started.package.next_review
    counts = run_due(due, actor="cron", context=TEST)
    again = run_due(due, actor="cron", context=TEST)
    assert (counts["review_due"], again["review_due"]) == (1, 0)
    assert Task.objects.get(kind=TaskKind.REVIEW_DUE).assignee == started.lead_worker


def test_a_member_of_staff_cannot_run_the_schedule(region, started):
    with pytest.raises(PermissionDenied):
        run_due(datetime.date(2025, 1, 1), actor=region.epc, context=TEST)
    assert not Task.objects.filter(kind=TaskKind.REASSESSMENT).exists()


def test_the_command_prints_the_counts(region, started, capsys):
    call_command("broker", "due", "--date", "2024-12-08")
    assert "1 re-assessment" in capsys.readouterr().out
    call_command("broker", "due", "--date", "2024-12-08")
    assert "0 re-assessment" in capsys.readouterr().out


def test_a_course_ending_soon_with_no_destination_raises_one_interview(region, careers, young):
    learner = young(dob=post16_dob())
    factories.enrol(learner, region.college, year_group=None)
    ends_on = timezone.localdate() + datetime.timedelta(weeks=4)
    task = notify_course_ending(learner, provider=region.college, ends_on=ends_on, actor=region.provider_staff,
                                context=TEST)
    again = notify_course_ending(learner, provider=region.college, ends_on=ends_on, actor=region.provider_staff,
                                 context=TEST)
    assert task == again and Task.objects.filter(kind=TaskKind.INTERVIEW).count() == 1
    assert (task.organisation, task.role, task.source) == (
        careers, Role.CAREERS_ADVISER, f"broker.course_end:{learner.pk}:{ends_on.isoformat()}")


def test_no_interview_with_a_destination_or_an_end_far_off(region, careers, young):
    learner = young(dob=post16_dob())
    soon = timezone.localdate() + datetime.timedelta(weeks=2)
    later = timezone.localdate() + datetime.timedelta(weeks=10)
    assert notify_course_ending(learner, provider=region.college, ends_on=soon, intended_destination="FE college",
                                actor="import", context=TEST) is None
    assert notify_course_ending(learner, provider=region.college, ends_on=later, actor="import", context=TEST) is None
    assert not Task.objects.filter(kind=TaskKind.INTERVIEW).exists()


def test_another_provider_cannot_report_a_learner_it_does_not_have(region, young):
    learner = young(dob=post16_dob())
    other_college = factories.make_organisation(OrganisationKind.FE_COLLEGE, "670", "Gower College")
    staff = factories.make_user(Role.PROVIDER_STAFF, other_college, "gower.staff")
    with pytest.raises(PermissionDenied):
        notify_course_ending(learner, provider=other_college, ends_on=timezone.localdate(), actor=staff,
                             context=TEST)


def test_a_course_ending_needs_a_date_and_a_course_provider(region, young):
    learner = young(dob=post16_dob())
    with pytest.raises(ValidationError) as problem:
        notify_course_ending(learner, provider=region.la, ends_on="soon", actor="import", context=TEST)
    assert set(problem.value.message_dict) == {"ends_on", "provider"}
