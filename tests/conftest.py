"""Shared fixtures: a local authority with a school and a college, and staff in each role."""

from dataclasses import dataclass

import pytest
from django.utils import translation

from yep.people.models import Organisation, OrganisationKind, Person, Role, User

from . import factories


@pytest.fixture(autouse=True)
def english():
    """Each test starts in English: a request in Welsh leaves Welsh active in the thread after it."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def quick_settings(settings, tmp_path):
    """Data hub jobs run inline in tests (no background thread to wait for); research keys go in a fresh folder;
    passwords are hashed with Argon2 at its lowest cost."""
    settings.YEP_JOBS_INLINE = True
    settings.YEP_RESEARCH_KEYS_DIR = tmp_path / "research-keys"
    settings.PASSWORD_HASHERS = ["tests.hashers.QuickArgon2PasswordHasher", *settings.PASSWORD_HASHERS[1:]]


@dataclass
class Region:
    la: Organisation
    other_la: Organisation
    school: Organisation
    other_school: Organisation
    college: Organisation
    epc: User
    other_epc: User
    school_staff: User
    provider_staff: User
    analyst: User
    pupil: Person
    other_pupil: Person
    resident_elsewhere: Person


@pytest.fixture
def region(db) -> Region:
    """Cardiff (681) with a school and a college; Swansea (670) with a school; a pupil at each school."""
    la, other_la = factories.la("681"), factories.la("670")
    school = factories.make_organisation(OrganisationKind.SCHOOL, "681", "Ysgol Gyfun Glantaf")
    other_school = factories.make_organisation(OrganisationKind.SCHOOL, "670", "Bishop Gore School")
    college = factories.make_organisation(OrganisationKind.FE_COLLEGE, "681", "Cardiff and Vale College")
    government = factories.make_organisation(OrganisationKind.GOVERNMENT, "681", "Welsh Government")
    pupil = factories.make_person("681", legal_forenames="Dafydd", legal_surname="ap Gruffydd", sex="M",
                                  upn=factories.valid_upn("681"))
    factories.enrol(pupil, school)
    other_pupil = factories.make_person("670", legal_forenames="Rhiannon", legal_surname="Williams",
                                        postcode="SA1 1AA")
    factories.enrol(other_pupil, other_school)
    resident_elsewhere = factories.make_person("670", legal_forenames="Gwenllïan", legal_surname="O'Brien",
                                               postcode="SA2 0AA")
    return Region(
        la=la, other_la=other_la, school=school, other_school=other_school, college=college,
        epc=factories.make_user(Role.EPC, la, "epc"),
        other_epc=factories.make_user(Role.EPC, other_la, "other.epc"),
        school_staff=factories.make_user(Role.SCHOOL_STAFF, school, "school.staff"),
        provider_staff=factories.make_user(Role.PROVIDER_STAFF, college, "provider.staff"),
        analyst=factories.make_user(Role.GOVERNMENT_ANALYST, government, "analyst"),
        pupil=pupil, other_pupil=other_pupil, resident_elsewhere=resident_elsewhere,
    )
