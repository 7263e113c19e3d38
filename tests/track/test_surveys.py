"""The destinations survey, the services and reads: who the leavers are, their destination as at 31 October from
the timeline, recording a missing destination, the snapshot that freezes them, and the results with small
numbers suppressed; allowed, refused and bad input for each."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from tests.track import notification_setup
from yep.access.models import AuditEvent
from yep.people import services as people
from yep.people.models import ActivityCode, Enrolment, OrganisationKind, Person
from yep.track import surveys
from yep.track.models import Activity, DestinationSurvey, SurveyDestination
from yep.track.services import record_activities
from yep.track.services_surveys import open_survey, record_destination, take_snapshot

careers = notification_setup.careers  # the Cardiff careers service and its adviser (a fixture)

# Last year's leavers: their survey date (31 October) has always passed, whatever today is.
LEAVING = timezone.localdate().year - 1
AS_AT = datetime.date(LEAVING, 10, 31)
SEPTEMBER = datetime.date(LEAVING, 9, 4)


def dob_for(year_group: int) -> datetime.date:
    """A date of birth of someone finishing ``year_group`` in the summer of LEAVING (Year 11: 16 that August)."""
    return datetime.date(LEAVING - 16 - (year_group - 11), 3, 1)


def add_activity(person: Person, code: int, start: datetime.date, hours: int | None = None, **extra: Any) -> None:
    record_activities([{"person_id": person.pk, "code_id": ActivityCode.objects.get(code=code).pk, "start": start,
                        "end": None, "hours_per_week": hours, "organisation_id": None, "source": "provider",
                        **extra}], actor="test", context=TEST)


@dataclass
class Cohort:
    survey: DestinationSurvey
    college_bound: list[Person]  # at college full time from September
    missing: list[Person]  # nothing on the timeline after school
    neet: Person  # seeking EET from September


def make_leaver(region: Any, forenames: str, surname: str, year_group: int = 11, *, school: Any = None,
                left: datetime.date | None = None, reason: str = "completed") -> Person:
    person = factories.make_person("681", legal_forenames=forenames, legal_surname=surname,
                                   dob=dob_for(year_group).isoformat())
    people.enrol(person, school or region.school, start=datetime.date(LEAVING - 5, 9, 1), year_group=year_group,
                 actor="test", context=TEST)
    enrolment = Enrolment.objects.get(person=person)
    people.end_enrolment(enrolment, end=left or datetime.date(LEAVING, 6, 28), reason=reason, actor="test",
                         context=TEST)
    return person


@pytest.fixture
def cohort(region, careers) -> Cohort:
    """Six Year 11 leavers of Glantaf last summer: three at college from September, one seeking EET, two with
    nothing recorded; and an open survey of them."""
    college_bound = [make_leaver(region, name, "Evans") for name in ("Alaw", "Bedwyr", "Cerys")]
    for person in college_bound:
        add_activity(person, 230, SEPTEMBER, 21, organisation_id=region.college.pk)
    neet = make_leaver(region, "Dylan", "Price")
    add_activity(neet, 619, SEPTEMBER)
    missing = [make_leaver(region, "Elin", "Rees"), make_leaver(region, "Ffion", "Rees")]
    survey = open_survey(region.la, LEAVING, actor=region.epc, context=TEST)
    return Cohort(survey, college_bound, missing, neet)


# Opening -----------------------------------------------------------------------------------------------------------


def test_the_epc_opens_one_survey_a_year_as_at_31_october(region, careers):
    survey = open_survey(region.la, LEAVING, actor=careers.adviser, context=TEST)
    assert (survey.la, survey.as_at, survey.is_open, survey.opened_by) == (region.la, AS_AT, True, careers.adviser)
    assert AuditEvent.objects.filter(action="create", object_type="destination_survey", actor=careers.adviser).exists()
    assert list(surveys.surveys_visible_to(region.epc)) == [survey]
    assert list(surveys.surveys_visible_to(region.other_epc)) == []


def test_other_areas_and_schools_cannot_open_a_survey_and_the_refusal_is_audited(region, careers):
    for user in (region.other_epc, careers.other_adviser, region.school_staff):
        with pytest.raises(PermissionDenied):
            open_survey(region.la, LEAVING, actor=user, context=TEST)
    assert AuditEvent.objects.filter(action="denied", object_type="destination_survey").count() == 3
    assert not DestinationSurvey.objects.exists()


def test_a_year_to_come_or_a_second_survey_of_a_year_is_refused(region, careers):
    with pytest.raises(ValidationError) as future:
        open_survey(region.la, timezone.localdate().year + 1, actor=region.epc, context=TEST)
    assert set(future.value.message_dict) == {"leaving_year"}
    open_survey(region.la, LEAVING, actor=region.epc, context=TEST)
    with pytest.raises(ValidationError):
        open_survey(region.la, LEAVING, actor=careers.adviser, context=TEST)
    assert DestinationSurvey.objects.count() == 1


# Leavers -----------------------------------------------------------------------------------------------------------


def test_leavers_are_the_summer_leavers_of_the_las_schools_with_their_destination_as_at_the_survey_date(
        region, cohort):
    make_leaver(region, "Moved", "School", reason="moved_school")
    make_leaver(region, "Year", "Ten", year_group=10)
    make_leaver(region, "Left", "AtEaster", left=datetime.date(LEAVING, 3, 31))
    make_leaver(region, "Swansea", "Leaver", school=region.other_school)
    found = surveys.leavers(cohort.survey)
    assert len(found) == 6
    by_person = {x.person: x for x in found}
    alaw = by_person[cohort.college_bound[0]]
    assert (alaw.known, alaw.group, alaw.code, alaw.tier, alaw.school) == (True, "education", 230, 5, region.school)
    assert (by_person[cohort.neet].group, by_person[cohort.neet].tier) == ("neet", 3)
    assert [by_person[p].known for p in cohort.missing] == [False, False]
    assert surveys.progress(found) == surveys.Progress(4, 6)


def test_a_destination_starting_after_the_survey_date_does_not_count(region, cohort):
    add_activity(cohort.missing[0], 310, AS_AT + datetime.timedelta(days=1), 30)
    assert not {x.person: x for x in surveys.leavers(cohort.survey)}[cohort.missing[0]].known


# Collecting --------------------------------------------------------------------------------------------------------


def test_the_careers_adviser_records_a_missing_destination_on_the_timeline(region, careers, cohort):
    elin = cohort.missing[0]
    record_destination(cohort.survey, elin, code="310", start=SEPTEMBER.isoformat(), hours_per_week="30",
                       provider=str(region.college.pk), actor=careers.adviser, context=TEST)
    activity = Activity.objects.get(person=elin)
    assert (activity.code.code, activity.start, activity.hours_per_week, activity.organisation, activity.source) == (
        310, SEPTEMBER, 30, region.college, "destination_survey")
    leaver = {x.person: x for x in surveys.leavers(cohort.survey)}[elin]
    assert (leaver.known, leaver.group, leaver.source) == (True, "employment", "destination_survey")
    assert AuditEvent.objects.filter(action="create", person_id=elin.pk, actor=careers.adviser,
                                     object_type="activity").exists()


def test_another_areas_adviser_and_a_young_person_out_of_sight_are_refused(region, careers, cohort):
    with pytest.raises(PermissionDenied):
        record_destination(cohort.survey, cohort.missing[0], code=310, start=SEPTEMBER, actor=careers.other_adviser,
                           context=TEST)
    # A Cardiff adviser cannot see a Swansea resident who is no longer at a Cardiff school.
    moved_away = make_leaver(region, "Gwion", "Hopkin")
    people.update_person(moved_away, {"la_code": "670"}, actor="test", context=TEST)
    with pytest.raises(PermissionDenied):
        record_destination(cohort.survey, moved_away, code=310, start=SEPTEMBER, actor=careers.adviser,
                           context=TEST)
    assert AuditEvent.objects.filter(action="denied", person_id=moved_away.pk).exists()
    assert not Activity.objects.filter(source="destination_survey").exists()


def test_every_problem_with_a_destination_is_reported_at_once_and_nothing_is_written(region, careers, cohort):
    with pytest.raises(ValidationError) as problem:
        record_destination(cohort.survey, cohort.missing[0], code="110", start=(AS_AT + datetime.timedelta(days=1)),
                           hours_per_week="lots", provider="999999", actor=careers.adviser, context=TEST)
    assert set(problem.value.message_dict) == {"code", "start", "hours_per_week", "provider"}
    not_a_leaver = factories.make_person("681", legal_forenames="Not", legal_surname="Leaver",
                                         dob=dob_for(11).isoformat())
    with pytest.raises(ValidationError) as stranger:
        record_destination(cohort.survey, not_a_leaver, code="310", start="", actor=region.epc, context=TEST)
    assert set(stranger.value.message_dict) == {"person", "start"}
    assert not Activity.objects.filter(source="destination_survey").exists()


# The snapshot ------------------------------------------------------------------------------------------------------


def test_the_snapshot_freezes_every_leaver_and_later_timeline_changes_do_not_change_it(region, careers, cohort):
    assert take_snapshot(cohort.survey, actor=region.epc, context=TEST) == 6
    cohort.survey.refresh_from_db()
    assert not cohort.survey.is_open and cohort.survey.snapshot_by == region.epc
    frozen = {d.person: d for d in SurveyDestination.objects.filter(survey=cohort.survey)}
    assert (frozen[cohort.college_bound[0]].code.code, frozen[cohort.college_bound[0]].tier,
            frozen[cohort.college_bound[0]].school) == (230, 5, region.school)
    assert frozen[cohort.missing[0]].code is None and frozen[cohort.missing[0]].tier == 1
    before = surveys.results(cohort.survey, region.epc).as_dict()
    add_activity(cohort.missing[0], 310, SEPTEMBER, 30)  # found later: the live timeline changes, not the snapshot
    assert surveys.results(cohort.survey, region.epc).as_dict() == before
    assert before["totals"] == {"education": 3, "employment": 0, "training": 0, "re_engagement": 0, "neet": 1,
                                "other": 0, "not_known": 2}
    with pytest.raises(ValidationError):
        record_destination(cohort.survey, cohort.missing[1], code=310, start=SEPTEMBER, actor=careers.adviser,
                           context=TEST)


def test_the_snapshot_is_refused_to_schools_and_other_areas_and_cannot_be_taken_twice(region, careers, cohort):
    for user in (region.school_staff, region.other_epc):
        with pytest.raises(PermissionDenied):
            take_snapshot(cohort.survey, actor=user, context=TEST)
    assert not SurveyDestination.objects.exists()
    take_snapshot(cohort.survey, actor=careers.adviser, context=TEST)
    with pytest.raises(ValidationError):
        take_snapshot(cohort.survey, actor=region.epc, context=TEST)
    assert SurveyDestination.objects.count() == 6


def test_the_snapshot_waits_for_the_survey_date(region, careers, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(LEAVING, 10, 30))
    survey = open_survey(region.la, LEAVING, actor=region.epc, context=TEST)
    with pytest.raises(ValidationError) as early:
        take_snapshot(survey, actor=region.epc, context=TEST)
    assert set(early.value.message_dict) == {"survey"}
    monkeypatch.setattr(timezone, "localdate", lambda *args: AS_AT)
    assert take_snapshot(survey, actor=region.epc, context=TEST) == 0


# Results -----------------------------------------------------------------------------------------------------------


def test_results_are_exact_for_the_las_staff_and_suppress_small_counts_for_the_careers_service(region, careers,
                                                                                              cohort):
    epc = surveys.results(cohort.survey, region.epc)
    assert epc.exact and epc.rows[0].counts["education"] == 3 and epc.total == 6
    adviser = surveys.results(cohort.survey, careers.adviser)
    assert not adviser.exact
    assert adviser.rows[0].counts["education"] == "c" and adviser.rows[0].counts["training"] == 0
    assert adviser.total == 6  # 5 or more is shown


def test_a_sixth_form_school_gives_year_13_leavers_their_own_row(region, cohort):
    sixth = factories.make_organisation(OrganisationKind.SIXTH_FORM, "681", "Coleg Chweched")
    make_leaver(region, "Hana", "Lloyd", 13, school=sixth)
    rows = surveys.results(cohort.survey, region.epc).rows
    assert [(r.school, r.year_group, r.total) for r in rows] == [("Coleg Chweched", 13, 1),
                                                                  ("Ysgol Gyfun Glantaf", 11, 6)]


def test_the_command_line_opens_a_survey_and_takes_its_snapshot(region, careers, capsys):
    make_leaver(region, "Osian", "Bowen")
    call_command("track", "survey", "--la", "681", "--year", str(LEAVING), "--open")
    assert "0 of 1 known" in capsys.readouterr().out
    call_command("track", "survey", "--la", "681", "--year", str(LEAVING), "--snapshot")
    assert "(snapshot)" in capsys.readouterr().out and SurveyDestination.objects.count() == 1
