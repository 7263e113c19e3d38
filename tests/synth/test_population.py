"""People, organisations, enrolments and contacts look like a Welsh region's records."""

import re
from collections import Counter, defaultdict

from yep.synth.reference import local_authorities

from .conftest import academic_age

POSTCODE = re.compile(r"([A-Z]{1,2}\d{1,2}) \d[ABDEFGHJLNPQRSTUWXYZ]{2}")
WELSH_LETTERS = set("âêîôûŵŷïÂÊÎÔÛŴŶ")


def test_ages_cover_years_2_to_13_and_leavers_to_24(small):
    ages = Counter(academic_age(row["dob"]) for row in small.rows("people.csv"))
    assert set(ages) == set(range(6, 25))
    # roughly uniform: no single year of age has more than twice the share of another
    assert max(ages.values()) < 2 * min(ages.values())


def test_postcodes_are_valid_and_inside_the_person_s_la(small):
    districts = {code: set(la.districts) for code, la in local_authorities().items()}
    for row in small.rows("people.csv"):
        match = POSTCODE.fullmatch(row["postcode"])
        assert match, row["postcode"]
        assert match.group(1) in districts[row["la_code"]]
        assert row["address_line1"] and row["town"]


def test_welsh_names_and_characters_appear_and_welsh_is_preferred_more_in_gwynedd(large):
    people = large.rows("people.csv")
    names = " ".join(row["legal_forenames"] + " " + row["legal_surname"] for row in people)
    assert WELSH_LETTERS & set(names)
    assert any(row["legal_surname"].startswith(("ap ", "ab ", "ferch ")) for row in people)
    assert any("'" in row["legal_surname"] for row in people)
    assert any("-" in row["legal_surname"] for row in people)
    share = defaultdict(list)
    for row in people:
        share[row["la_code"]].append(row["preferred_language"] == "cy")
    assert sum(share["661"]) / len(share["661"]) > 3 * sum(share["681"]) / len(share["681"])


def test_the_common_welsh_surnames_lead(large):
    surnames = Counter(row["legal_surname"] for row in large.rows("people.csv"))
    top = [name for name, _ in surnames.most_common(5)]
    assert top[0] == "Jones"
    assert {"Williams", "Davies"} <= set(top)


def test_every_la_has_its_council_schools_and_services_and_there_is_one_national_careers_service(small):
    orgs = small.rows("organisations.csv")
    assert len({row["org_id"] for row in orgs}) == len(orgs)
    by_la = defaultdict(Counter)
    for row in orgs:
        by_la[row["la_code"]][row["kind"]] += 1
    for code in local_authorities():
        kinds = by_la[code]
        assert kinds["la"] == 1 and kinds["youth_service"] == 1 and kinds["families_first"] == 1
        assert kinds["school"] >= 2 and 1 <= kinds["wbl_provider"] <= 2 and kinds["employer"] >= 3
    national = [row for row in orgs if not row["la_code"]]
    assert sorted(row["kind"] for row in national) == ["careers_service", "dwp"]
    assert any(row["name"] == "Careers Wales" and row["name_cy"] == "Gyrfa Cymru" for row in national)
    assert sum(kinds["fe_college"] for kinds in by_la.values()) == 11


def test_organisation_codes_follow_the_national_formats(small):
    for row in small.rows("organisations.csv"):
        if row["kind"] == "school":
            assert re.fullmatch(r"\d{7}", row["code"]) and row["code"][:3] == row["la_code"]
            assert row["org_id"] == f"SCH-{row['code']}"
            assert row["subtype"] in ("maintained", "special", "pru", "independent")
        elif row["kind"] in ("fe_college", "wbl_provider"):
            assert re.fullmatch(r"1\d{7}", row["code"]) and not row["subtype"]
        elif row["kind"] == "la":
            assert row["code"] == row["la_code"] and row["org_id"] == f"LA-{row['la_code']}"
        assert POSTCODE.fullmatch(row["postcode"])


def test_school_names_are_bilingual(small):
    schools = [row for row in small.rows("organisations.csv") if row["subtype"] == "maintained"]
    assert any(row["name"].startswith("Ysgol Gyfun") for row in schools)
    assert any(row["name"].endswith("High School") and row["name_cy"].startswith("Ysgol Uwchradd") for row in schools)


def test_pupils_in_years_2_to_11_have_one_current_school_enrolment_in_their_year(small):
    orgs = {row["org_id"]: row for row in small.rows("organisations.csv")}
    home_educated = {row["person_id"] for row in small.rows("characteristics.csv") if row["kind"] == "home_educated"}
    current = defaultdict(list)
    for row in small.rows("enrolments.csv"):
        if not row["end"]:
            current[row["person_id"]].append(row)
    for person in small.rows("people.csv"):
        age = academic_age(person["dob"])
        if 6 <= age <= 15 and person["person_id"] not in home_educated:
            (enrolment,) = current[person["person_id"]]
            assert int(enrolment["year_group"]) == age - 4
            assert orgs[enrolment["org_id"]]["kind"] in ("school", "sixth_form")
        if person["person_id"] in home_educated:
            assert not current[person["person_id"]]


def test_secondary_pupils_moved_from_primary_at_year_7(small):
    enrolments = defaultdict(list)
    for row in small.rows("enrolments.csv"):
        enrolments[row["person_id"]].append(row)
    for person in small.rows("people.csv"):
        if academic_age(person["dob"]) >= 11:
            rows = enrolments[person["person_id"]]
            primary = rows[0]
            assert primary["year_group"] == "6" and primary["end_reason"] == "completed"
            assert primary["end"].endswith("-08-31")
            assert rows[1]["start"].endswith("-09-01") and rows[1]["start"][:4] == primary["end"][:4]


def test_moves_exclusions_and_drop_outs_are_recorded_and_more_common_with_risk(large):
    risk = {row["person_id"]: float(row["risk"]) for row in large.rows("truth_risk.csv")}
    reasons = defaultdict(list)
    for row in large.rows("enrolments.csv"):
        reasons[row["end_reason"]].append(risk[row["person_id"]])
    assert {"completed", "moved_school", "moved_la", "excluded", "dropped_out", "left"} <= set(reasons)
    mean = sum(risk.values()) / len(risk)
    for reason in ("moved_school", "excluded", "dropped_out"):
        assert sum(reasons[reason]) / len(reasons[reason]) > mean


def test_every_reference_points_at_a_real_person_and_organisation(small):
    people = {row["person_id"] for row in small.rows("people.csv")}
    orgs = {row["org_id"] for row in small.rows("organisations.csv")}
    for name in (
        "contacts.csv",
        "characteristics.csv",
        "enrolments.csv",
        "attendance.csv",
        "exclusions.csv",
        "behaviour.csv",
        "attainment.csv",
        "activities.csv",
        "truth_risk.csv",
    ):
        for row in small.rows(name):
            assert row["person_id"] in people, name
            if row.get("org_id"):
                assert row["org_id"] in orgs, name


def test_children_have_one_or_two_contacts_with_parental_responsibility_only_under_18(small):
    contacts = defaultdict(list)
    for row in small.rows("contacts.csv"):
        contacts[row["person_id"]].append(row)
    for person in small.rows("people.csv"):
        rows = contacts[person["person_id"]]
        if academic_age(person["dob"]) <= 17:
            assert 1 <= len(rows) <= 2
        else:
            assert len(rows) <= 1 and all(row["has_parental_responsibility"] == "0" for row in rows)
    relationships = {row["relationship"] for rows in contacts.values() for row in rows}
    assert {"mother", "father"} <= relationships <= {"mother", "father", "carer", "grandparent", "foster_carer"}
