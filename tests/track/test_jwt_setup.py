"""Shared setup for the jobs-without-training tests (no tests of its own): Cardiff's careers service and adviser
(``careers``), an employer, and young people in a job without training on the timeline."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.people.models import ActivityCode, Organisation, OrganisationKind, Person
from yep.track.services import record_activities

from . import notification_setup

careers = notification_setup.careers
JWT_CODE = 330


def dob_for(age: int) -> datetime.date:
    """A date of birth giving academic age ``age`` today (born 15 September, well inside the academic year)."""
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    return datetime.date(year - age - 1, 9, 15)


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def add_activity(person: Person, code: int, *, start: datetime.date, hours: int | None = None,
                 organisation: Organisation | None = None, training_level: int | None = None) -> None:
    row = {"person_id": person.pk, "code_id": ActivityCode.objects.get(code=code).pk, "start": start, "end": None,
           "hours_per_week": hours, "organisation_id": organisation.pk if organisation else None,
           "source": "test", "training_level": training_level}
    record_activities([row], actor="test", context=TEST)


@pytest.fixture
def employer(region) -> Organisation:
    return factories.make_organisation(OrganisationKind.EMPLOYER, "681", "Caffi'r Bae")


@pytest.fixture
def jwt_worker(region, employer):
    """Makes a Cardiff resident of academic age ``age`` in a job without training at the employer since ``since``
    days ago, ``hours`` a week."""

    def make(forenames: str = "Ffion", surname: str = "Evans", *, age: int = 16, hours: int = 30, since: int = 60,
             la_code: str = "681", **fields: Any) -> Person:
        person = factories.make_person(la_code, legal_forenames=forenames, legal_surname=surname,
                                       dob=dob_for(age).isoformat(), **fields)
        add_activity(person, JWT_CODE, start=days_ago(since), hours=hours, organisation=employer)
        return person

    return make
