"""Agency extracts hold noisy copies of the right people, and the ground truth covers every record."""

from collections import Counter

import jellyfish

from yep.synth.noise import strip_diacritics, typo
from yep.synth.reference import fold, name_forms

from .conftest import academic_age

SOURCES = ("careers_service", "fe_learners", "dwp")


def _extract(population, source):
    return population.rows(f"extracts/{source}.csv")


def _truth(population):
    return {(row["source"], row["record_id"]): row["person_id"] for row in population.rows("truth.csv")}


def _pairs(population, source):
    """(extract record, the person it is a copy of) for records that match somebody."""
    truth, people = _truth(population), population.by_person()
    return [
        (row, people[truth[(source, row["record_id"])]])
        for row in _extract(population, source)
        if truth[(source, row["record_id"])]
    ]


def test_every_extract_record_is_in_the_truth_exactly_once(small):
    truth = _truth(small)
    records = [(source, row["record_id"]) for source in SOURCES for row in _extract(small, source)]
    assert len(records) == len(set(records)) == len(truth)
    assert set(records) == set(truth)
    assert all(
        record_id.startswith({"careers_service": "CWS-", "fe_learners": "FEL-", "dwp": "DWP-"}[source])
        for source, record_id in records
    )


def test_extracts_include_duplicates_and_records_that_match_nobody(small):
    truth = small.rows("truth.csv")
    for source in SOURCES:
        ids = [row["person_id"] for row in truth if row["source"] == source]
        assert 0 < ids.count("") < 0.06 * len(ids), source
        assert any(count > 1 for person, count in Counter(ids).items() if person), source


def test_each_agency_holds_the_people_it_would_know(small):
    people = small.by_person()
    for _record, person in _pairs(small, "careers_service"):
        assert academic_age(person["dob"]) >= 14
    for record, person in _pairs(small, "dwp"):
        assert academic_age(person["dob"]) >= 16
        assert record["status"] in ("uc_searching", "uc_working", "uc_no_work_requirements", "esa")
    fe_people = {row["person_id"] for row in small.rows("enrolments.csv") if row["org_id"].startswith("FE-")}
    truth = _truth(small)
    assert all(truth[("fe_learners", row["record_id"])] in fe_people | {""} for row in _extract(small, "fe_learners"))
    assert people


def test_extract_forenames_include_other_forms_of_the_same_name(large):
    forms = name_forms()
    variants = 0
    for source in SOURCES:
        for record, person in _pairs(large, source):
            given = person["legal_forenames"].split()[0]
            if record["forename"] and fold(record["forename"]) != fold(given):
                group = forms.group_of(given)
                variants += group >= 0 and forms.group_of(record["forename"]) == group
    assert variants >= 50


def test_extracts_contain_typos_dropped_diacritics_and_changed_dates(large):
    typos = dropped = swapped = year_off = old_address = 0
    for source in SOURCES:
        for record, person in _pairs(large, source):
            surname = person["legal_surname"]
            if record["surname"] and record["surname"] != surname:
                typos += jellyfish.damerau_levenshtein_distance(record["surname"], surname) == 1
            if record["forename"] and not person["legal_forenames"].isascii():
                dropped += record["forename"] == strip_diacritics(person["legal_forenames"].split()[0])
            if record["dob"] and record["dob"] != person["dob"]:
                swapped += record["dob"][5:] == f"{person['dob'][8:]}-{person['dob'][5:7]}"
                year_off += abs(int(record["dob"][:4]) - int(person["dob"][:4])) == 1
            old_address += bool(record["postcode"]) and record["postcode"].replace(" ", "").upper() != person[
                "postcode"
            ].replace(" ", "")
    assert min(typos, dropped, swapped, year_off, old_address) > 10


def test_welsh_characters_survive_in_some_extract_records(small):
    text = "".join(
        row["forename"] + row["surname"] + row["address_line1"] for source in SOURCES for row in _extract(small, source)
    )
    assert set("âêôŵŷ") & set(text)


def test_identifiers_are_copied_mostly_correctly(large):
    for source, column, share in (("fe_learners", "uln", 0.8), ("dwp", "ni_number", 0.9)):
        pairs = _pairs(large, source)
        same = sum(bool(record[column]) and record[column] == person[column] for record, person in pairs)
        assert same / len(pairs) > share, source


def test_typo_makes_exactly_one_edit():
    for kind in range(4):
        changed = typo("Gwenllian", kind, 0.5, 3)
        assert changed != "Gwenllian"
        assert jellyfish.damerau_levenshtein_distance(changed, "Gwenllian") == 1
