"""Finding a young person the way staff actually type: typos, Welsh and English forms, dates, identifiers."""

import datetime

import pytest

from tests import factories
from yep.people import search
from yep.people.models import Person


@pytest.fixture
def register(db):
    people = {
        "sian": factories.make_person(legal_forenames="Siân", legal_surname="Jones", dob="2009-03-27",
                                      upn=factories.valid_upn(), postcode="CF24 3AB"),
        "dafydd": factories.make_person(legal_forenames="Dafydd", legal_surname="ap Rhys", dob="2008-11-02",
                                        sex="M", postcode="CF14 1AA"),
        "williams": factories.make_person(legal_forenames="Megan", legal_surname="Williams", dob="2010-05-14",
                                          uln=factories.valid_uln()),
        "obrien": factories.make_person(legal_forenames="Liam", legal_surname="O'Brien", dob="2007-01-20",
                                        preferred_forename="Billy"),
    }
    for n in range(30):
        factories.make_person(legal_forenames=f"Person{n}", legal_surname="Evans", dob="2009-03-27")
    return people


def find(query: str) -> list[Person]:
    return search.search(Person.objects.all(), search.parse(query))


def test_a_name_without_its_accent_finds_the_accented_record(register):
    assert register["sian"] in find("Sian Jones")


def test_the_english_form_of_a_welsh_name_finds_it(register):
    assert find("David Rhys")[0] == register["dafydd"]


def test_a_surname_prefix_is_not_needed(register):
    assert register["dafydd"] in find("Rhys")


def test_a_typing_error_in_the_surname_still_finds_the_person(register):
    assert find("Megan Willaims")[0] == register["williams"]


def test_a_nickname_finds_the_legal_name(register):
    assert find("Bill O'Brien")[0] == register["obrien"]


def test_an_unrelated_name_finds_nobody(register):
    assert find("Zebedee Quartermaine") == []


def test_date_of_birth_narrows_a_common_name(register):
    results = find("Jones 27/03/2009")
    assert results == [register["sian"]]


def test_a_date_with_day_and_month_swapped_is_still_found(register):
    assert register["dafydd"] in find("ap Rhys 2008-02-11")


def test_upn_uln_and_postcode_each_find_exactly_one_person(register):
    assert find(register["sian"].upn) == [register["sian"]]
    assert find(register["williams"].uln) == [register["williams"]]
    assert find("cf14 1aa") == [register["dafydd"]]


def test_search_never_looks_beyond_the_people_it_is_given(register):
    visible = Person.objects.exclude(pk=register["sian"].pk)
    assert search.search(visible, search.parse("Sian Jones")) == []


def test_an_empty_search_returns_nothing(register):
    assert find("   ") == []
    assert search.parse("", dob=datetime.date(2009, 3, 27)).dob is not None
