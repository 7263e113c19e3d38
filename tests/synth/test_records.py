"""School records and characteristics follow the hidden risk at realistic rates."""

from collections import defaultdict

from .conftest import academic_age


def _risk(population):
    return {row["person_id"]: float(row["risk"]) for row in population.rows("truth_risk.csv")}


def test_attendance_averages_about_94_per_cent_and_falls_with_risk(large):
    risk = _risk(large)
    totals = defaultdict(lambda: [0, 0])
    for row in large.rows("attendance.csv"):
        band = "high" if risk[row["person_id"]] >= 0.6 else "low" if risk[row["person_id"]] < 0.2 else "mid"
        for key in (band, "all"):
            totals[key][0] += int(row["sessions_attended"])
            totals[key][1] += int(row["sessions_possible"])
    rate = {key: attended / possible for key, (attended, possible) in totals.items()}
    assert 0.92 < rate["all"] < 0.96
    assert rate["high"] < 0.85 < rate["low"]


def test_attendance_of_the_young_people_most_at_risk_keeps_falling(large):
    risk = _risk(large)
    by_term = defaultdict(lambda: [0, 0])
    for row in large.rows("attendance.csv"):
        if risk[row["person_id"]] >= 0.6:
            key = (int(row["academic_year"]), ["autumn", "spring", "summer"].index(row["term"]))
            by_term[key][0] += int(row["sessions_attended"])
            by_term[key][1] += int(row["sessions_possible"])
    rates = [attended / possible for _, (attended, possible) in sorted(by_term.items())]
    assert rates[-1] < rates[0] - 0.03


def test_attendance_covers_three_years_of_school_for_years_2_to_11_and_the_last_two_leaver_cohorts(small):
    people = small.by_person()
    years = defaultdict(set)
    for row in small.rows("attendance.csv"):
        years[row["person_id"]].add(int(row["academic_year"]))
        assert 0 <= int(row["sessions_attended"]) <= int(row["sessions_possible"])
    by_age = defaultdict(set)
    for person, seen in years.items():
        by_age[academic_age(people[person]["dob"])].add(frozenset(seen))
    assert set(by_age) == set(range(6, 18))
    assert {2024, 2025, 2026} in by_age[10]  # Years 4, 5 and 6
    assert by_age[16] == {frozenset({2024, 2025})}  # this autumn's leavers: Years 10 and 11
    assert by_age[17] == {frozenset({2024})}  # last year's leavers: Year 11


def test_leavers_school_records_are_from_the_school_they_attended_then(small):
    people = small.by_person()
    leavers = {p for p, row in people.items() if academic_age(row["dob"]) == 17}
    schools = defaultdict(list)
    for row in small.rows("enrolments.csv"):
        if row["person_id"] in leavers and row["year_group"]:
            schools[row["person_id"]].append((row["start"], row["end"] or "9999", row["org_id"]))

    def school_on(person: str, day: str) -> str | None:
        return next((org for start, end, org in schools[person] if start <= day <= end), None)

    end_of_term = {"autumn": "12-31", "spring": "04-10", "summer": "07-31"}
    checked = 0
    for row in small.rows("attendance.csv"):
        if row["person_id"] in leavers:
            year = int(row["academic_year"]) + (row["term"] != "autumn")
            assert row["org_id"] == school_on(row["person_id"], f"{year}-{end_of_term[row['term']]}")
            checked += 1
    for name in ("exclusions.csv", "behaviour.csv"):
        for row in small.rows(name):
            if row["person_id"] in leavers:
                assert row["org_id"] == school_on(row["person_id"], row["date"])
                assert "2024-09-01" <= row["date"] <= "2025-08-31"
                checked += 1
    assert checked > 3 * len(leavers)


def test_exclusions_and_behaviour_rise_with_risk(large):
    risk = _risk(large)
    mean = sum(risk.values()) / len(risk)
    for name in ("exclusions.csv", "behaviour.csv"):
        rows = large.rows(name)
        assert rows and sum(risk[row["person_id"]] for row in rows) / len(rows) > 1.5 * mean
    kinds = {row["kind"] for row in large.rows("exclusions.csv")}
    assert kinds == {"fixed_term", "permanent"}


def test_attainment_is_lower_with_risk_and_expected_levels_are_fixed(large):
    risk = _risk(large)
    below = {"low": [], "high": []}
    for row in large.rows("attainment.csv"):
        assert row["expected"] == {"KS2": "4", "KS3": "5"}[row["key_stage"]]
        band = "high" if risk[row["person_id"]] >= 0.5 else "low" if risk[row["person_id"]] < 0.1 else None
        if band:
            below[band].append(int(row["result"]) < int(row["expected"]))
    assert sum(below["high"]) / len(below["high"]) > 2 * sum(below["low"]) / len(below["low"])


def test_everyone_has_one_ethnicity_and_needs_come_at_realistic_rates(large):
    n = large.manifest.people
    people_by_kind = defaultdict(set)
    ethnicity_rows = 0
    for row in large.rows("characteristics.csv"):
        people_by_kind[row["kind"]].add(row["person_id"])
        ethnicity_rows += row["kind"] == "ethnicity"
    assert ethnicity_rows == n == len(people_by_kind["ethnicity"])
    assert 0.18 < len(people_by_kind["fsm"]) / n < 0.22
    assert 0.13 < len(people_by_kind["aln"]) / n < 0.17
    assert 0.02 < len(people_by_kind["young_carer"]) / n < 0.04
    expected = {
        "fsm",
        "looked_after",
        "care_experienced",
        "aln",
        "young_carer",
        "young_parent",
        "pregnancy",
        "youth_justice",
        "eotas",
        "home_educated",
        "disability",
        "ethnicity",
        "refugee_asylum",
        "families_first",
        "social_worker",
    }
    assert set(people_by_kind) == expected


def test_aln_values_give_a_plan_level_and_a_category(small):
    levels = {"school_idp", "la_idp", "statement"}
    categories = {"ASD", "SEMH", "MLD", "SLD", "PMLD", "SPLD", "SLCN", "HI", "VI", "MSI", "PD", "OTH"}
    for row in small.rows("characteristics.csv"):
        if row["kind"] == "aln":
            level, category = row["value"].split(":")
            assert level in levels and category in categories


def test_free_school_meals_are_more_common_among_the_young_people_most_at_risk(large):
    risk = _risk(large)
    fsm = {row["person_id"] for row in large.rows("characteristics.csv") if row["kind"] == "fsm"}
    high = [p for p, r in risk.items() if r >= 0.5]
    low = [p for p, r in risk.items() if r < 0.1]
    assert sum(p in fsm for p in high) / len(high) > 2 * sum(p in fsm for p in low) / len(low)


def test_families_first_reaches_about_6_per_cent_and_more_of_those_most_at_risk(large):
    risk = _risk(large)
    families_first = {row["person_id"] for row in large.rows("characteristics.csv") if row["kind"] == "families_first"}
    assert 0.05 < len(families_first) / len(risk) < 0.07
    high = [p for p, r in risk.items() if r >= 0.5]
    low = [p for p, r in risk.items() if r < 0.1]
    assert sum(p in families_first for p in high) / len(high) > 3 * sum(p in families_first for p in low) / len(low)


def test_about_3_per_cent_of_under_18s_have_a_social_worker_now_and_every_looked_after_child_has_one(large):
    people = large.by_person()
    rows = large.rows("characteristics.csv")
    under_18 = {p for p, row in people.items() if academic_age(row["dob"]) <= 17}
    now = {r["person_id"] for r in rows if r["kind"] == "social_worker" and not r["end"]} & under_18
    assert 0.02 < len(now) / len(under_18) < 0.04
    spells = {(r["person_id"], r["start"], r["end"]) for r in rows if r["kind"] == "social_worker"}
    looked_after = [(r["person_id"], r["start"], r["end"]) for r in rows if r["kind"] == "looked_after"]
    assert looked_after and all(spell in spells for spell in looked_after)
    assert all(not r["end"] or r["start"] <= r["end"] for r in rows if r["kind"] in ("social_worker", "families_first"))
    risk = _risk(large)
    ever = {p for p, _, _ in spells}
    high = [p for p, r in risk.items() if r >= 0.5]
    low = [p for p, r in risk.items() if r < 0.1]
    assert sum(p in ever for p in high) / len(high) > 3 * sum(p in ever for p in low) / len(low)
