"""Shared setup for provider notification tests: Cardiff's careers service and adviser, and learners at the
college with their activity on the timeline."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.people.models import ActivityCode, Organisation, OrganisationKind, Person, Role, User
from yep.track.services import record_activities

FE_FULL_TIME = 230


def post16_dob() -> datetime.date:
    """A date of birth giving academic age 17 today."""
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    return datetime.date(year - 18, 9, 15)


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


@dataclass
class Careers:
    service: Organisation
    adviser: User
    other_adviser: User


@pytest.fixture
def careers(region) -> Careers:
    """Careers Wales' Cardiff office (it sits in Cardiff and covers no other LA) and Swansea's."""
    service = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, "681", "Careers Wales Caerdydd")
    other = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, "670", "Careers Wales Abertawe")
    return Careers(service, factories.make_user(Role.CAREERS_ADVISER, service, "cw.adviser"),
                   factories.make_user(Role.CAREERS_ADVISER, other, "cw.other"))


@pytest.fixture
def learner(region):
    """Makes a 17 year old Cardiff learner at the college, full time on the timeline (``hours`` per week)."""

    def make(forenames: str = "Sarah", surname: str = "Hughes", *, hours: int = 21, college: Any = None,
             **fields: Any) -> Person:
        fields.setdefault("dob", post16_dob().isoformat())
        fields.setdefault("uln", factories.valid_uln())
        person = factories.make_person("681", legal_forenames=forenames, legal_surname=surname, **fields)
        provider = college or region.college
        start = days_ago(200)
        factories.enrol(person, provider, year_group=None, start=start)
        code = ActivityCode.objects.get(code=FE_FULL_TIME)
        record_activities([{"person_id": person.pk, "code_id": code.pk, "start": start, "end": None,
                            "hours_per_week": hours, "organisation_id": provider.pk, "source": "provider"}],
                          actor="test", context=TEST)
        return person

    return make


def identifiers_of(person: Person, **overrides: Any) -> dict[str, Any]:
    """The identifiers a provider would send for ``person``."""
    return {"uln": person.uln or "", "upn": person.upn or "", "forenames": person.legal_forenames,
            "surname": person.legal_surname, "dob": person.dob, "postcode": person.postcode, **overrides}
