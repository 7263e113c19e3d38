"""Follow-ups after a lead worker case closes: recording the EET status closes the task, once, when it is due,
by the careers team or the EPC."""

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from tests import factories
from tests.broker.conftest import post16_dob
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.broker.models import EndReason, FollowUp
from yep.broker.services import allocate
from yep.broker.services.continuity import close_case
from yep.broker.services.followups import record_follow_up
from yep.people.models import OrganisationKind, Role
from yep.tasks.models import TaskStatus

CLOSED_ON = datetime.date(2024, 4, 1)


@pytest.fixture
def careers(region):
    service = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    service.covers.add(region.la)
    return service


@pytest.fixture
def follow_ups(region, workers, young, careers):
    """The three follow-ups of a case closed on 1 Apr 2024."""
    referral = factories.make_referral(young(dob=post16_dob()), stage="post16", tier=3)
    allocation = allocate(referral, workers["careers_wales"], start=datetime.date(2023, 9, 1), actor=region.epc,
                          context=TEST)
    close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, end=CLOSED_ON, actor=region.epc, context=TEST)
    return list(FollowUp.objects.filter(allocation=allocation).order_by("months"))


def test_an_adviser_in_the_careers_team_records_the_status_and_the_task_closes(region, careers, follow_ups):
    adviser = factories.make_user(Role.CAREERS_ADVISER, careers, "cw.adviser")
    six = record_follow_up(follow_ups[0], status="employment", note="Full time at a garage", actor=adviser,
                           context=TEST)
    six.refresh_from_db()
    six.task.refresh_from_db()
    assert (six.status, six.recorded_by, six.task.status) == ("employment", adviser, TaskStatus.DONE)
    assert AuditEvent.objects.filter(actor=adviser, object_type="follow_up", person_id=six.person_id).exists()


def test_the_epc_may_record_too_but_not_twice(region, follow_ups):
    record_follow_up(follow_ups[1], status="neet", actor=region.epc, context=TEST)
    with pytest.raises(ValidationError, match="already been recorded"):
        record_follow_up(follow_ups[1], status="education", actor=region.epc, context=TEST)


def test_someone_outside_the_team_cannot_record(region, follow_ups):
    with pytest.raises(PermissionDenied):
        record_follow_up(follow_ups[0], status="neet", actor=region.other_epc, context=TEST)
    with pytest.raises(PermissionDenied):
        record_follow_up(follow_ups[0], status="neet", actor=region.school_staff, context=TEST)
    follow_ups[0].refresh_from_db()
    assert follow_ups[0].status == ""


def test_a_status_not_on_the_list_is_refused(region, follow_ups):
    with pytest.raises(ValidationError) as problem:
        record_follow_up(follow_ups[0], status="university", note="x" * 2001, actor=region.epc, context=TEST)
    assert set(problem.value.message_dict) == {"status", "note"}


def test_a_follow_up_is_not_recorded_before_it_is_due(region, workers, young):
    referral = factories.make_referral(young(dob=post16_dob()), stage="post16", tier=3)
    allocation = allocate(referral, workers["careers_wales"], actor=region.epc, context=TEST)
    close_case(allocation, reason=EndReason.SUPPORT_COMPLETE, actor=region.epc, context=TEST)
    with pytest.raises(ValidationError, match="is due on"):
        record_follow_up(FollowUp.objects.get(months=6), status="neet", actor=region.epc, context=TEST)


def test_the_outcomes_command_suppresses_small_counts_unless_run_as_the_las_epc(region, follow_ups, capsys):
    record_follow_up(follow_ups[0], status="education", actor=region.epc, context=TEST)
    call_command("broker", "outcomes", "--la", "681", "--from", "2024-01-01", "--to", "2024-12-31", "--json")
    suppressed = json.loads(capsys.readouterr().out)
    call_command("broker", "--as", "epc", "outcomes", "--la", "681", "--from", "2024-01-01", "--to", "2024-12-31",
                 "--json")
    exact = json.loads(capsys.readouterr().out)
    assert (suppressed["cases"], exact["cases"]) == ("c", 1)
    six = exact["checkpoints"][0]
    assert six["months"] == 6 and six["combinations"][0]["counts"]["education"] == 1
    call_command("broker", "outcomes", "--la", "681", "--from", "2024-01-01", "--to", "2024-12-31")
    assert "Lead worker only" in capsys.readouterr().out
    with pytest.raises(CommandError, match="no local authority"):
        call_command("broker", "outcomes", "--la", "999")
