"""Adding and changing young people: validation, audit, encryption of NI numbers, effective dating."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from tests import factories
from yep.access.models import AuditEvent
from yep.people import services
from yep.people.models import Person
from yep.people.models.persons import academic_age


def test_adding_a_young_person_saves_them_and_writes_the_audit_log(db):
    person = factories.make_person(legal_forenames="Llŷr", legal_surname="ab Owain", upn=factories.valid_upn())
    assert Person.objects.get(pk=person.pk).legal_forenames == "Llŷr"
    event = AuditEvent.objects.filter(person_id=person.pk, action="create").get()
    assert "legal_surname" in event.fields and event.actor_label == "test"


def test_bad_input_lists_every_problem_and_saves_nothing(db):
    before = (Person.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        factories.make_person(legal_forenames="", dob="2009-02-30", postcode="nowhere", upn="Z000000000000",
                              uln="123", la_code="999")
    errors = caught.value.message_dict
    assert set(errors) == {"legal_forenames", "dob", "postcode", "upn", "uln", "la_code"}
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_bad_input_is_explained_in_welsh_to_a_welsh_speaker(db):
    with translation.override("cy"), pytest.raises(ValidationError) as caught:
        factories.make_person(postcode="nowhere")
    assert caught.value.message_dict["postcode"][0].startswith("Rhowch")


def test_a_second_young_person_with_the_same_upn_is_refused(db):
    upn = factories.valid_upn()
    factories.make_person(upn=upn)
    with pytest.raises(ValidationError) as caught:
        factories.make_person(legal_forenames="Other", upn=upn)
    assert "already on the register" in caught.value.message_dict["upn"][0]


def test_a_duplicate_ni_number_is_found_although_it_is_stored_encrypted(db):
    factories.make_person(ni_number="AB123456C")
    with pytest.raises(ValidationError) as caught:
        factories.make_person(legal_forenames="Other", ni_number="ab 12 34 56 c")
    assert "ni_number" in caught.value.message_dict


def test_ni_numbers_are_not_stored_in_clear(db):
    person = factories.make_person(ni_number="AB123456C")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
        row = cursor.fetchone()
    assert not any("AB123456C" in str(value) for value in row)
    assert Person.objects.get(pk=person.pk).ni_number_masked == "AB •• •• 56 C"


def test_changing_details_records_only_the_fields_that_changed(db):
    person = factories.make_person()
    changed = services.update_person(person, {"postcode": "cf10 1aa"}, actor="test", context=factories.TEST)
    assert changed == ["postcode"]
    person.refresh_from_db()
    assert person.postcode == "CF10 1AA" and person.postcode_key == "CF101AA"
    assert AuditEvent.objects.filter(person_id=person.pk, action="change").get().fields == ["postcode"]


def test_enrolling_at_a_new_school_ends_the_old_enrolment(db):
    first = factories.make_organisation("school")
    second = factories.make_organisation("school")
    person = factories.make_person()
    factories.enrol(person, first, start=datetime.date(2021, 9, 1))
    factories.enrol(person, second, start=datetime.date(2023, 1, 9))
    old, new = person.enrolments.order_by("start")
    assert old.end == datetime.date(2023, 1, 8) and old.end_reason == "moved_school"
    assert new.end is None


def test_an_enrolment_cannot_end_before_it_starts(db):
    person = factories.make_person()
    factories.enrol(person, factories.make_organisation("school"), start=datetime.date(2022, 9, 1))
    with pytest.raises(ValidationError):
        services.end_enrolment(person.enrolments.get(), end=datetime.date(2022, 1, 1), reason="left",
                               actor="test", context=factories.TEST)


@pytest.mark.parametrize(
    ("dob", "on", "age"),
    [
        (datetime.date(2009, 8, 31), datetime.date(2025, 11, 1), 16),  # oldest in Year 12 in 2025/26
        (datetime.date(2009, 9, 1), datetime.date(2025, 11, 1), 15),  # youngest in Year 11
        (datetime.date(2009, 9, 1), datetime.date(2026, 8, 31), 15),  # still Year 11 until September
        (datetime.date(2009, 9, 1), datetime.date(2026, 9, 1), 16),
    ],
)
def test_academic_age_is_the_age_on_31_august(dob, on, age):
    assert academic_age(dob, on) == age
