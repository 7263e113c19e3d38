"""Registering lead workers: who may, and what a profile must say."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.broker.services import change_lead_worker, register_lead_worker
from yep.people.models import OrganisationKind, Role


@pytest.fixture
def youth_worker(region):
    service = factories.make_organisation(OrganisationKind.YOUTH_SERVICE, "681", "Cardiff Youth Service")
    return service, factories.make_user(Role.LEAD_WORKER, service, "youth.worker")


def test_the_las_epc_registers_a_lead_worker_and_it_is_audited(region, youth_worker):
    service, user = youth_worker
    profile = register_lead_worker(user, la=region.la, host_organisation=service, host_type="youth_service",
                                   capacity=15, speaks_welsh=True, actor=region.epc, context=TEST)
    assert (profile.capacity, profile.speaks_welsh, profile.active) == (15, True, True)
    assert AuditEvent.objects.filter(object_type="lead_worker_profile", actor=region.epc).exists()


def test_another_las_epc_cannot_register_or_change_a_lead_worker(region, youth_worker):
    service, user = youth_worker
    with pytest.raises(PermissionDenied):
        register_lead_worker(user, la=region.la, host_organisation=service, host_type="youth_service", capacity=15,
                             actor=region.other_epc, context=TEST)
    profile = register_lead_worker(user, la=region.la, host_organisation=service, host_type="youth_service",
                                   capacity=15, actor=region.epc, context=TEST)
    with pytest.raises(PermissionDenied):
        change_lead_worker(profile, capacity=20, actor=region.other_epc, context=TEST)


def test_a_profile_needs_an_la_a_known_host_type_and_a_sensible_capacity_once_per_worker(region, youth_worker):
    service, user = youth_worker
    with pytest.raises(ValidationError) as error:
        register_lead_worker(user, la=region.school, host_organisation=service, host_type="astronaut", capacity=0,
                             actor="test", context=TEST)
    assert set(error.value.message_dict) == {"la", "host_type", "capacity"}
    register_lead_worker(user, la=region.la, host_organisation=service, host_type="youth_service", capacity=15,
                         actor="test", context=TEST)
    with pytest.raises(ValidationError) as error:
        register_lead_worker(user, la=region.la, host_organisation=service, host_type="youth_service", capacity=15,
                             actor="test", context=TEST)
    assert "already registered" in error.value.message_dict["user"][0]
