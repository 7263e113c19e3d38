"""R52: a drop-out notification ends the provider's own pastoral support; a lead worker from anywhere else stays,
and the EPC is told either way."""

import pytest

from tests import factories
from tests.factories import TEST
from yep.broker.models import Allocation, EndReason
from yep.broker.services import allocate
from yep.tasks.models import Task, TaskKind
from yep.track.models import NotificationKind
from yep.track.services_notifications import notify

from .notification_setup import careers, days_ago, identifiers_of, learner  # noqa: F401 (fixtures)


def _supported_by(region, person, host_type, host=None):
    worker = factories.make_lead_worker("681", host_type, username=f"lw.{host_type}", host=host)
    referral = factories.make_referral(person, source="tier", stage="post16", tier=4, risk_band="high")
    return allocate(referral, worker, override_reason="Test: this host", start=days_ago(100), actor=region.epc,
                    context=TEST)


def _left(region, person):
    return notify(region.college, kind=NotificationKind.LEFT, identifiers=identifiers_of(person),
                  left_on=days_ago(5), reason="seeking", actor=region.provider_staff, context=TEST)


def test_leaving_the_college_ends_the_colleges_pastoral_support(region, careers, learner):  # noqa: F811
    sarah = learner()
    allocation = _supported_by(region, sarah, "provider_pastoral", host=region.college)
    _left(region, sarah)
    allocation = Allocation.objects.get(pk=allocation.pk)
    assert (allocation.end, allocation.end_reason) == (days_ago(5), EndReason.OTHER)
    assert "Cardiff and Vale College" in allocation.end_note
    assert Task.objects.filter(kind=TaskKind.OTHER, person=sarah, role="epc").exists()  # the EPC decides what next


@pytest.mark.parametrize("host_type", ["youth_service", "careers_wales"])
def test_a_lead_worker_from_elsewhere_carries_on(region, careers, learner, host_type):  # noqa: F811
    sarah = learner()
    allocation = _supported_by(region, sarah, host_type)
    _left(region, sarah)
    assert Allocation.objects.get(pk=allocation.pk).end is None


def test_another_colleges_pastoral_worker_is_not_ended_by_this_college(region, careers, learner):  # noqa: F811
    other_college = factories.make_organisation("fe_college", "681", "Coleg y Cymoedd")
    sarah = learner()
    allocation = _supported_by(region, sarah, "provider_pastoral", host=other_college)
    _left(region, sarah)
    assert Allocation.objects.get(pk=allocation.pk).end is None
