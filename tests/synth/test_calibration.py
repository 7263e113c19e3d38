"""NEET rates match each LA's published Year 11 rate, rise with age, and follow the hidden risk."""

from collections import defaultdict

from .conftest import academic_age


def _current(population):
    """Each post-16 person's current activity code, with their LA and academic age."""
    people = population.by_person()
    result = {}
    for row in population.rows("activities.csv"):
        if not row["end"]:
            person = people[row["person_id"]]
            result[row["person_id"]] = (int(row["activity_code"]), person["la_code"], academic_age(person["dob"]))
    return result


def _neet(code: int) -> bool:
    return 540 <= code <= 680


def test_neet_share_of_year_11_leavers_matches_each_las_2012_rate(large, neet_targets):
    groups = defaultdict(list)
    for code, la, age in _current(large).values():
        if age == 16:
            groups[la].append(_neet(code))
    assert set(groups) == set(neet_targets)
    for la, flags in groups.items():
        # The target share is met exactly, up to rounding to whole young people.
        assert abs(sum(flags) / len(flags) - neet_targets[la]) <= 1 / len(flags) + 1e-9, la


def test_neet_is_higher_at_17_and_about_double_at_18(large):
    by_age = defaultdict(list)
    for code, _, age in _current(large).values():
        by_age[age].append(_neet(code))
    rate = {age: sum(flags) / len(flags) for age, flags in by_age.items()}
    assert rate[16] < rate[17] < rate[18]
    assert 1.6 < rate[18] / rate[16] < 2.4


def test_a_few_per_cent_are_not_known(large):
    current = [code for code, _, age in _current(large).values() if 16 <= age <= 18]
    share = sum(code in (810, 820) for code in current) / len(current)
    assert 0.02 < share < 0.06


def test_young_people_who_are_neet_carry_a_higher_hidden_risk(large):
    risk = {row["person_id"]: float(row["risk"]) for row in large.rows("truth_risk.csv")}
    neet, eet = [], []
    for person, (code, _, age) in _current(large).items():
        if 16 <= age <= 18 and code < 800:
            (neet if _neet(code) else eet).append(risk[person])
    assert sum(neet) / len(neet) > 2 * sum(eet) / len(eet)


def test_post_16_young_people_have_a_history_of_several_activities(large):
    people = large.by_person()
    counts = defaultdict(int)
    for row in large.rows("activities.csv"):
        counts[row["person_id"]] += 1
    post16 = [counts[p] for p, row in people.items() if academic_age(row["dob"]) >= 16]
    assert all(count >= 2 for count in post16)
    assert sum(post16) / len(post16) >= 3
    sources = {row["source"] for row in large.rows("activities.csv")}
    assert sources == {"school_census", "careers_service", "provider", "dwp", "destination_survey"}


def test_some_part_time_activity_is_under_16_hours(large):
    hours = [
        int(row["hours_per_week"])
        for row in large.rows("activities.csv")
        if row["activity_code"] == "360" and row["hours_per_week"]
    ]
    assert any(10 <= h <= 15 for h in hours) and any(h >= 16 for h in hours)


def test_among_last_years_leavers_the_riskiest_fifth_is_neet_at_some_time_several_times_as_often(large):
    """Early identification's back-test needs signal: what became of a cohort follows its hidden risk."""
    people = large.by_person()
    risk = {row["person_id"]: float(row["risk"]) for row in large.rows("truth_risk.csv")}
    neet = {row["person_id"] for row in large.rows("activities.csv") if _neet(int(row["activity_code"]))}
    cohort = sorted((risk[p], p in neet) for p, row in people.items() if academic_age(row["dob"]) == 17)
    fifth = len(cohort) // 5
    bottom = sum(flag for _, flag in cohort[:fifth]) / fifth
    top = sum(flag for _, flag in cohort[-fifth:]) / fifth
    assert top > 0.2 and top > 5 * bottom
