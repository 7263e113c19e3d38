"""Importing exclusions, behaviour, attainment, local indicators and the school census: a good file applies, one bad
row refuses the whole file with a row-level error, the same file twice changes nothing, and a school imports only
for its own pupils."""

import datetime
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from tests import factories
from yep.access.models import AuditEvent
from yep.identify import services
from yep.identify.imports import ATTAINMENT, BEHAVIOUR, CENSUS, EXCLUSIONS, LOCAL_INDICATOR
from yep.identify.models import Attainment, BehaviourIncident, Exclusion, LocalIndicatorValue
from yep.imports import ImportRefused, run_import
from yep.people.models import Enrolment, Organisation, OrganisationKind, Person, Role, User

TEST = factories.TEST


@dataclass
class Plasmawr:
    """A second school in Cardiff, with a code (files name schools by code), its staff and one pupil."""

    school: Organisation
    staff: User
    pupil: Person


@pytest.fixture
def plasmawr(region) -> Plasmawr:
    school = factories.make_organisation(OrganisationKind.SCHOOL, "681", "Ysgol Plasmawr", code="6814002")
    pupil = factories.make_person(legal_forenames="Nia", legal_surname="Morgan", dob="2011-02-14",
                                  upn=factories.valid_upn("681"))
    factories.enrol(pupil, school, year_group=10)
    return Plasmawr(school, factories.make_user(Role.SCHOOL_STAFF, school, "plasmawr.staff"), pupil)


def write(tmp_path, header, rows, name="file.csv"):
    path = tmp_path / name
    lines = [header, *[",".join("" if v is None else str(v) for v in row) for row in rows]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def refused(kind, path, actor):
    """The errors of a refused file, as (row, column, reason) triples."""
    with pytest.raises(ImportRefused) as raised:
        run_import(kind, path, actor=actor, context=TEST)
    return [(e.row, e.column, e.reason) for e in raised.value.errors]


def counts(report):
    return report.created, report.updated, report.unchanged


# --- Exclusions ---

EXCLUSION_HEADER = "upn,date,kind,days,school"


def test_exclusions_are_imported_with_their_school_and_audited(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    path = write(tmp_path, EXCLUSION_HEADER, [(upn, "06/10/2025", "fixed_term", 3, "6814002"),
                                              (upn, "2026-01-12", "Permanent", None, None)])
    report = run_import(EXCLUSIONS, path, actor=plasmawr.staff, context=TEST)
    assert counts(report) == (2, 0, 0)
    fixed, permanent = Exclusion.objects.filter(person=plasmawr.pupil).order_by("date")
    assert (fixed.date, fixed.kind, fixed.days, fixed.organisation) == (
        datetime.date(2025, 10, 6), "fixed_term", 3, plasmawr.school)
    assert (permanent.kind, permanent.days, permanent.organisation) == ("permanent", None, None)
    assert AuditEvent.objects.filter(action="import", object_type="exclusion", actor=plasmawr.staff).count() == 1


def test_exclusions_imported_twice_change_nothing_and_a_correction_changes_one_row(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    rows = [(upn, "2025-10-06", "fixed_term", 3, "6814002"), (upn, "2025-11-03", "fixed_term", 1, None)]
    run_import(EXCLUSIONS, write(tmp_path, EXCLUSION_HEADER, rows), actor=plasmawr.staff, context=TEST)
    before = list(Exclusion.objects.values_list("pk", "days"))
    again = run_import(EXCLUSIONS, write(tmp_path, EXCLUSION_HEADER, rows), actor=plasmawr.staff, context=TEST)
    assert counts(again) == (0, 0, 2)
    assert list(Exclusion.objects.values_list("pk", "days")) == before
    rows[1] = (upn, "2025-11-03", "fixed_term", 2, None)
    fixed = run_import(EXCLUSIONS, write(tmp_path, EXCLUSION_HEADER, rows, "fixed.csv"), actor=plasmawr.staff,
                       context=TEST)
    assert counts(fixed) == (0, 1, 1)


def test_one_bad_exclusion_refuses_the_file_and_every_problem_is_listed(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    path = write(tmp_path, EXCLUSION_HEADER, [
        (upn, "2025-10-06", "fixed_term", 3, "6814002"),
        (upn, "31/02/2025", "fixed_term", 3, None),
        (upn, "2025-10-07", "fixed_term", None, None),
        (upn, "2025-10-08", "permanent", 5, None),
        (upn, "2025-10-09", "suspended", 1, None),
        (upn, "2025-10-10", "fixed_term", 60, None),
    ])
    assert {(row, column) for row, column, _reason in refused(EXCLUSIONS, path, plasmawr.staff)} == {
        (3, "date"), (4, "days"), (5, "days"), (6, "kind"), (7, "days")}
    assert not Exclusion.objects.exists()


def test_an_unknown_school_code_and_a_repeated_exclusion_are_refused(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    path = write(tmp_path, EXCLUSION_HEADER, [(upn, "2025-10-06", "fixed_term", 3, "9999999"),
                                              (upn, "2025-10-06", "fixed_term", 2, None)])
    assert refused(EXCLUSIONS, path, plasmawr.staff) == [
        (3, "kind", "the same pupil, date and kind is also in row 2"),
        (2, "school", "there is no school with this code")]
    assert not Exclusion.objects.exists()


def test_a_school_cannot_import_exclusions_for_another_schools_pupil(tmp_path, region, plasmawr):
    path = write(tmp_path, EXCLUSION_HEADER, [(region.pupil.upn, "2025-10-06", "fixed_term", 3, None)])
    assert refused(EXCLUSIONS, path, plasmawr.staff) == [(2, "upn", "not a pupil you can import for")]
    assert counts(run_import(EXCLUSIONS, path, actor=region.epc, context=TEST)) == (1, 0, 0)


# --- Behaviour ---

BEHAVIOUR_HEADER = "upn,date,severity,count"


def test_behaviour_is_imported_with_a_count_of_one_when_empty(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    path = write(tmp_path, BEHAVIOUR_HEADER, [(upn, "2025-10-06", 1, None), (upn, "2025-10-06", 3, 2)])
    assert counts(run_import(BEHAVIOUR, path, actor=plasmawr.staff, context=TEST)) == (2, 0, 0)
    assert list(BehaviourIncident.objects.order_by("severity").values_list("severity", "count")) == [(1, 1), (3, 2)]


def test_a_behaviour_reimport_sets_the_count_rather_than_adding_to_it(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    run_import(BEHAVIOUR, write(tmp_path, BEHAVIOUR_HEADER, [(upn, "2025-10-06", 2, 3)]), actor=plasmawr.staff,
               context=TEST)
    again = run_import(BEHAVIOUR, write(tmp_path, BEHAVIOUR_HEADER, [(upn, "2025-10-06", 2, 3)]),
                       actor=plasmawr.staff, context=TEST)
    assert counts(again) == (0, 0, 1)
    fixed = run_import(BEHAVIOUR, write(tmp_path, BEHAVIOUR_HEADER, [(upn, "2025-10-06", 2, 4)], "fixed.csv"),
                       actor=plasmawr.staff, context=TEST)
    assert counts(fixed) == (0, 1, 0)
    assert BehaviourIncident.objects.get().count == 4


def test_one_bad_behaviour_row_refuses_the_file(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    path = write(tmp_path, BEHAVIOUR_HEADER, [(upn, "2025-10-06", 1, 1), (upn, "2025-10-06", 4, 1),
                                              (upn, "2025-10-07", 2, 0), (upn, "yesterday", 2, 1)])
    assert {(row, column) for row, column, _reason in refused(BEHAVIOUR, path, plasmawr.staff)} == {
        (3, "severity"), (4, "count"), (5, "date")}
    assert not BehaviourIncident.objects.exists()


def test_a_school_cannot_import_behaviour_for_another_schools_pupil(tmp_path, region, plasmawr):
    path = write(tmp_path, BEHAVIOUR_HEADER, [(plasmawr.pupil.upn, "2025-10-06", 1, 1)])
    assert refused(BEHAVIOUR, path, region.school_staff) == [(2, "upn", "not a pupil you can import for")]


def test_behaviour_dates_from_an_xlsx_file_are_read(tmp_path, plasmawr):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["UPN", "Date", "Severity", "Count"])
    book.active.append([plasmawr.pupil.upn, datetime.date(2025, 12, 1), 2, None])
    book.save(tmp_path / "behaviour.xlsx")
    run_import(BEHAVIOUR, tmp_path / "behaviour.xlsx", actor=plasmawr.staff, context=TEST)
    assert BehaviourIncident.objects.get().date == datetime.date(2025, 12, 1)


# --- Attainment ---

ATTAINMENT_HEADER = "upn,key_stage,subject,result,expected"


def test_attainment_is_imported_and_a_second_import_changes_nothing(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    rows = [(upn, "KS2", "English", 4, 4), (upn, "ks2", "maths", 3, 4)]
    assert counts(run_import(ATTAINMENT, write(tmp_path, ATTAINMENT_HEADER, rows), actor=plasmawr.staff,
                             context=TEST)) == (2, 0, 0)
    assert Attainment.objects.get(subject="english").result == 4
    assert counts(run_import(ATTAINMENT, write(tmp_path, ATTAINMENT_HEADER, rows), actor=plasmawr.staff,
                             context=TEST)) == (0, 0, 2)
    rows[1] = (upn, "KS2", "maths", 5, 4)
    assert counts(run_import(ATTAINMENT, write(tmp_path, ATTAINMENT_HEADER, rows, "fixed.csv"),
                             actor=plasmawr.staff, context=TEST)) == (0, 1, 1)


def test_one_bad_attainment_row_refuses_the_file(tmp_path, plasmawr):
    upn = plasmawr.pupil.upn
    path = write(tmp_path, ATTAINMENT_HEADER, [(upn, "KS2", "english", 4, 4), (upn, "KS4", "english", 4, 4),
                                               (upn, "KS3", "x" * 31, 4, 5), (upn, "KS3", "maths", "A", 12)])
    assert {(row, column) for row, column, _reason in refused(ATTAINMENT, path, plasmawr.staff)} == {
        (3, "key_stage"), (4, "subject"), (5, "result"), (5, "expected")}
    assert not Attainment.objects.exists()


def test_a_school_cannot_import_attainment_for_another_schools_pupil(tmp_path, region, plasmawr):
    path = write(tmp_path, ATTAINMENT_HEADER, [(region.pupil.upn, "KS2", "english", 4, 4)])
    assert refused(ATTAINMENT, path, plasmawr.staff) == [(2, "upn", "not a pupil you can import for")]


# --- Local indicators ---

LOCAL_HEADER = "upn,indicator,start,end"


@pytest.fixture
def indicators(region):
    """Cardiff defines two local indicators; Swansea one of its own."""
    return [
        services.define_local_indicator(region.la, "eal", "English as an additional language",
                                        "Saesneg fel iaith ychwanegol", "", actor=region.epc, context=TEST),
        services.define_local_indicator(region.la, "school_move", "Moved school in the last year", "", "",
                                        actor=region.epc, context=TEST),
        services.define_local_indicator(region.other_la, "traveller", "Gypsy, Roma or Traveller", "", "",
                                        actor=region.other_epc, context=TEST),
    ]


def test_defining_a_local_indicator_is_audited_and_defining_it_again_changes_nothing(region, indicators):
    eal = indicators[0]
    assert AuditEvent.objects.filter(action="create", object_type="local_indicator", object_id=str(eal.pk)).exists()
    again = services.define_local_indicator(region.la, "EAL", "English as an additional language",
                                            "Saesneg fel iaith ychwanegol", "", actor=region.epc, context=TEST)
    assert again.pk == eal.pk
    assert not AuditEvent.objects.filter(action="change", object_type="local_indicator").exists()


def test_a_local_indicator_needs_an_la_and_a_simple_key(region):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as invalid:
        services.define_local_indicator(region.school, "not a key!", "", "", "", actor=region.epc, context=TEST)
    assert set(invalid.value.message_dict) == {"la", "key", "label"}


def test_local_indicators_are_imported_under_the_importers_la(tmp_path, plasmawr, indicators):
    upn = plasmawr.pupil.upn
    rows = [(upn, "EAL", "2025-09-01", None), (upn, "school_move", "2024-09-01", "2025-07-20")]
    report = run_import(LOCAL_INDICATOR, write(tmp_path, LOCAL_HEADER, rows), actor=plasmawr.staff, context=TEST)
    assert counts(report) == (2, 0, 0)
    assert LocalIndicatorValue.objects.get(indicator=indicators[0]).end is None
    again = run_import(LOCAL_INDICATOR, write(tmp_path, LOCAL_HEADER, rows), actor=plasmawr.staff, context=TEST)
    assert counts(again) == (0, 0, 2)
    rows[0] = (upn, "eal", "01/09/2025", "31/12/2025")
    ended = run_import(LOCAL_INDICATOR, write(tmp_path, LOCAL_HEADER, rows, "ended.csv"), actor=plasmawr.staff,
                       context=TEST)
    assert counts(ended) == (0, 1, 1)
    assert LocalIndicatorValue.objects.get(indicator=indicators[0]).end == datetime.date(2025, 12, 31)


def test_an_unknown_indicator_lists_the_las_keys_and_an_end_before_the_start_is_refused(tmp_path, plasmawr,
                                                                                         indicators):
    upn = plasmawr.pupil.upn
    path = write(tmp_path, LOCAL_HEADER, [(upn, "eal", "2025-09-01", "2025-08-01")])
    assert refused(LOCAL_INDICATOR, path, plasmawr.staff) == [(2, "end", "the end date is before the start date")]
    path = write(tmp_path, LOCAL_HEADER, [(upn, "traveller", "2025-09-01", None)], "other.csv")
    assert refused(LOCAL_INDICATOR, path, plasmawr.staff) == [
        (2, "indicator", "not one of your local authority's indicators, which are: eal, school_move")]
    assert not LocalIndicatorValue.objects.exists()


def test_another_la_cannot_flag_our_pupils_or_use_our_indicators(tmp_path, region, plasmawr, indicators):
    path = write(tmp_path, LOCAL_HEADER, [(plasmawr.pupil.upn, "eal", "2025-09-01", None)])
    assert refused(LOCAL_INDICATOR, path, region.other_epc) == [
        (2, "upn", "not a pupil you can import for"),
        (2, "indicator", "not one of your local authority's indicators, which are: traveller")]


# --- The school census ---

CENSUS_HEADER = "upn,legal_surname,legal_forenames,dob,sex,postcode,school,year_group"


def census_row(upn, school="6814002", year_group=7, dob="14/05/2014", surname="Price", forenames="Elin",
               sex="F", postcode="CF5 2YX"):
    return (upn, surname, forenames, dob, sex, postcode, school, year_group)


def test_a_census_adds_new_pupils_and_moves_known_ones_up_a_year(tmp_path, plasmawr):
    new_upn = factories.valid_upn("681")
    path = write(tmp_path, CENSUS_HEADER, [census_row(new_upn),
                                           census_row(plasmawr.pupil.upn, year_group=11, dob="2011-02-14",
                                                      surname="Morgan", forenames="Nia")])
    report = run_import(CENSUS, path, actor=plasmawr.staff, context=TEST)
    assert counts(report) == (1, 1, 0)
    elin = Person.objects.get(upn=new_upn)
    assert (elin.legal_forenames, elin.dob, elin.postcode) == ("Elin", datetime.date(2014, 5, 14), "CF5 2YX")
    assert list(elin.enrolments.values_list("organisation", "year_group", "end")) == [(plasmawr.school.pk, 7, None)]
    assert list(plasmawr.pupil.enrolments.values_list("year_group", flat=True)) == [11]
    assert AuditEvent.objects.filter(action="import", object_type="census", actor=plasmawr.staff).exists()
    assert AuditEvent.objects.filter(action="create", person_id=elin.pk, actor=plasmawr.staff).exists()


def test_the_same_census_imported_twice_changes_nothing(tmp_path, plasmawr):
    path = write(tmp_path, CENSUS_HEADER, [census_row(factories.valid_upn("681")),
                                           census_row(plasmawr.pupil.upn, year_group=10, dob="2011-02-14")])
    assert counts(run_import(CENSUS, path, actor=plasmawr.staff, context=TEST)) == (1, 0, 1)
    people, enrolments = Person.objects.count(), list(Enrolment.objects.values_list("pk", "year_group", "end"))
    assert counts(run_import(CENSUS, path, actor=plasmawr.staff, context=TEST)) == (0, 0, 2)
    assert Person.objects.count() == people
    assert list(Enrolment.objects.values_list("pk", "year_group", "end")) == enrolments


def test_an_epc_census_moves_a_pupil_to_another_school_in_the_la(tmp_path, region, plasmawr):
    path = write(tmp_path, CENSUS_HEADER, [census_row(region.pupil.upn, year_group=11, dob="2009-03-27")])
    assert counts(run_import(CENSUS, path, actor=region.epc, context=TEST)) == (0, 1, 0)
    old, new = region.pupil.enrolments.order_by("start")
    assert (old.organisation, old.end_reason, old.end) == (
        region.school, "moved_school", new.start - datetime.timedelta(days=1))
    assert (new.organisation, new.year_group, new.end) == (plasmawr.school, 11, None)
    assert counts(run_import(CENSUS, path, actor=region.epc, context=TEST)) == (0, 0, 1)


def test_one_bad_census_row_refuses_the_file_and_adds_no_one(tmp_path, plasmawr):
    upn = factories.valid_upn("681")
    path = write(tmp_path, CENSUS_HEADER, [
        census_row(factories.valid_upn("681")),
        census_row(factories.valid_upn("681"), sex="X"),
        census_row(factories.valid_upn("681"), year_group=0),
        census_row(factories.valid_upn("681"), postcode="nowhere"),
        census_row(upn),
        census_row(upn),
        census_row("A123"),
    ])
    assert {(row, column) for row, column, _reason in refused(CENSUS, path, plasmawr.staff)} == {
        (3, "sex"), (4, "year_group"), (5, "postcode"), (8, "upn")}
    twice = write(tmp_path, CENSUS_HEADER, [census_row(upn), census_row(upn, dob="2013-01-01")], "twice.csv")
    assert refused(CENSUS, twice, plasmawr.staff) == [(3, "upn", "the same pupil is also in row 2")]
    too_young = write(tmp_path, CENSUS_HEADER, [census_row(upn, dob="2025-01-01")], "young.csv")
    assert [(row, column) for row, column, _reason in refused(CENSUS, too_young, plasmawr.staff)] == [(2, "dob")]
    assert not Person.objects.filter(legal_surname="Price").exists()


def test_a_school_sends_a_census_only_for_itself_and_an_epc_only_for_its_la(tmp_path, region, plasmawr):
    swansea = factories.make_organisation(OrganisationKind.SCHOOL, "670", "Olchfa School", code="6704059")
    path = write(tmp_path, CENSUS_HEADER, [census_row(factories.valid_upn("681"), school=swansea.code)])
    assert refused(CENSUS, path, plasmawr.staff) == [(2, "school", "not a school you can send a census for")]
    assert refused(CENSUS, path, region.epc) == [(2, "school", "not a school you can send a census for")]
    assert counts(run_import(CENSUS, path, actor=region.other_epc, context=TEST)) == (1, 0, 0)


def test_a_census_cannot_take_over_a_pupil_the_school_cannot_see(tmp_path, region, plasmawr):
    path = write(tmp_path, CENSUS_HEADER, [census_row(region.pupil.upn, dob="2009-03-27")])
    [(row, column, reason)] = refused(CENSUS, path, plasmawr.staff)
    assert (row, column) == (2, "upn") and "already on the register" in reason
    assert list(region.pupil.enrolments.values_list("organisation", flat=True)) == [region.school.pk]


def test_a_census_row_whose_date_of_birth_disagrees_with_the_register_is_refused(tmp_path, plasmawr):
    path = write(tmp_path, CENSUS_HEADER, [census_row(plasmawr.pupil.upn, year_group=11, dob="2011-02-15")])
    assert [(row, column) for row, column, _reason in refused(CENSUS, path, plasmawr.staff)] == [(2, "dob")]


def test_the_command_imports_a_census_as_a_member_of_staff(tmp_path, plasmawr, capsys):
    path = write(tmp_path, CENSUS_HEADER, [census_row(factories.valid_upn("681"))])
    call_command("import", "census", str(path), "--as", "plasmawr.staff")
    assert "1 new" in capsys.readouterr().out


def test_a_census_cannot_move_a_pupil_whose_current_enrolment_started_today(tmp_path, region, plasmawr):
    from django.utils import timezone

    newcomer = factories.make_person(upn=factories.valid_upn("681"), dob="2012-06-01")
    factories.enrol(newcomer, region.school, year_group=8, start=timezone.localdate())
    path = write(tmp_path, CENSUS_HEADER, [census_row(newcomer.upn, year_group=8, dob="2012-06-01")])
    assert [(row, column) for row, column, _reason in refused(CENSUS, path, region.epc)] == [(2, "school")]
