"""Importing termly attendance: all rows or none, errors row by row in the user's language, idempotent."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from tests import factories
from yep.access.models import AuditEvent
from yep.identify.imports import ATTENDANCE
from yep.identify.models import Attendance
from yep.imports import ImportRefused, run_import


@pytest.fixture
def pupils(region):
    second = factories.make_person(legal_forenames="Nia", upn=factories.valid_upn("681"))
    factories.enrol(second, region.school)
    return region.pupil, second


def write(tmp_path, rows, name="attendance.csv"):
    path = tmp_path / name
    lines = ["upn,academic_year,term,sessions_possible,sessions_attended", *[",".join(map(str, r)) for r in rows]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_valid_file_is_imported_and_audited(tmp_path, pupils, region):
    a, b = pupils
    path = write(tmp_path, [(a.upn, 2025, "autumn", 140, 131), (b.upn, 2025, "Autumn", 140, 98)])
    report = run_import(ATTENDANCE, path, actor=region.school_staff, context=factories.TEST)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert Attendance.objects.get(person=b).rate == pytest.approx(0.7)
    assert AuditEvent.objects.filter(action="import", object_type="attendance", actor=region.school_staff).exists()


def test_importing_the_same_file_twice_changes_nothing(tmp_path, pupils, region):
    a, b = pupils
    path = write(tmp_path, [(a.upn, 2025, "autumn", 140, 131), (b.upn, 2025, "spring", 120, 100)])
    run_import(ATTENDANCE, path, actor=region.school_staff, context=factories.TEST)
    before = list(Attendance.objects.values_list("pk", "sessions_attended"))
    again = run_import(ATTENDANCE, path, actor=region.school_staff, context=factories.TEST)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Attendance.objects.values_list("pk", "sessions_attended")) == before


def test_a_corrected_file_updates_only_the_changed_rows(tmp_path, pupils, region):
    a, b = pupils
    run_import(ATTENDANCE, write(tmp_path, [(a.upn, 2025, "autumn", 140, 131), (b.upn, 2025, "autumn", 140, 98)]),
               actor=region.school_staff, context=factories.TEST)
    fixed = run_import(ATTENDANCE, write(tmp_path, [(a.upn, 2025, "autumn", 140, 131),
                                                    (b.upn, 2025, "autumn", 140, 101)], "fixed.csv"),
                       actor=region.school_staff, context=factories.TEST)
    assert (fixed.created, fixed.updated, fixed.unchanged) == (0, 1, 1)


def test_one_bad_row_means_nothing_is_imported_and_every_problem_is_listed(tmp_path, pupils, region):
    a, b = pupils
    path = write(tmp_path, [(a.upn, 2025, "autumn", 140, 131), (b.upn, 2025, "winter", 140, 150),
                            ("A000000000001", 2025, "autumn", 10, 5), (b.upn, "last year", "spring", -1, 3)])
    with pytest.raises(ImportRefused) as refused:
        run_import(ATTENDANCE, path, actor=region.school_staff, context=factories.TEST)
    problems = {(e.row, e.column) for e in refused.value.errors}
    assert problems == {(3, "term"), (4, "upn"), (5, "academic_year"), (5, "sessions_possible")}
    assert not Attendance.objects.exists()


def test_pupils_the_importer_cannot_see_are_refused_like_unknown_ones(tmp_path, pupils, region):
    path = write(tmp_path, [(region.pupil.upn, 2025, "autumn", 140, 131)])
    with pytest.raises(ImportRefused) as refused:
        run_import(ATTENDANCE, path, actor=region.other_epc, context=factories.TEST)
    assert [(e.row, e.column, e.reason) for e in refused.value.errors] == [(2, "upn", "not a pupil you can import for")]


def test_more_attended_than_possible_and_duplicates_are_refused(tmp_path, pupils, region):
    a, _b = pupils
    path = write(tmp_path, [(a.upn, 2025, "autumn", 100, 120)])
    with pytest.raises(ImportRefused) as refused:
        run_import(ATTENDANCE, path, actor=region.school_staff, context=factories.TEST)
    assert refused.value.errors[0].column == "sessions_attended"
    twice = write(tmp_path, [(a.upn, 2025, "autumn", 100, 90), (a.upn, 2025, "autumn", 100, 91)], "twice.csv")
    with pytest.raises(ImportRefused) as refused:
        run_import(ATTENDANCE, twice, actor=region.school_staff, context=factories.TEST)
    assert "also in row 2" in refused.value.errors[0].reason


def test_a_missing_column_is_named(tmp_path, region):
    path = tmp_path / "short.csv"
    path.write_text("upn,term\nA123,autumn\n")
    with pytest.raises(ImportRefused) as refused:
        run_import(ATTENDANCE, path, actor=region.school_staff, context=factories.TEST)
    assert {e.column for e in refused.value.errors} == {"academic_year", "sessions_possible", "sessions_attended"}


def test_an_xlsx_file_imports_like_a_csv(tmp_path, pupils, region):
    from openpyxl import Workbook

    a, _b = pupils
    book = Workbook()
    sheet = book.active
    sheet.append(["UPN", "academic_year", "term", "sessions_possible", "sessions_attended"])
    sheet.append([a.upn, 2025, "summer", 130, 120])
    book.save(tmp_path / "attendance.xlsx")
    report = run_import(ATTENDANCE, tmp_path / "attendance.xlsx", actor=region.school_staff, context=factories.TEST)
    assert report.created == 1


def test_the_command_reports_errors_in_welsh_and_changes_nothing(tmp_path, pupils, region, capsys):
    path = write(tmp_path, [(region.pupil.upn, 2025, "gaeaf", 140, 131)])
    with translation.override("cy"), pytest.raises(CommandError):
        call_command("import", "attendance", str(path), "--as", "school.staff")
    assert "yr hydref" in capsys.readouterr().err
    assert not Attendance.objects.exists()


def test_the_command_imports_as_a_member_of_staff(tmp_path, pupils, region, capsys):
    call_command("import", "attendance", str(write(tmp_path, [(region.pupil.upn, 2025, "autumn", 140, 131)])),
                 "--as", "school.staff")
    assert "1 new" in capsys.readouterr().out


@pytest.mark.parametrize(("name", "content", "says"), [
    ("attendance.csv", b"upn,academic_year,term,sessions_possible,sessions_attended\n\xff\xfeA1,2025,summer,1,1\n",
     "UTF-8"),
    ("attendance.xlsx", b"this is not a workbook", "cannot be read"),
    ("attendance.xlsx", b"PK\x03\x04 a broken zip", "cannot be read"),
])
def test_a_file_that_cannot_be_read_is_refused_with_a_reason(tmp_path, region, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportRefused) as refused:
        run_import(ATTENDANCE, path, actor=region.school_staff, context=factories.TEST)
    assert says in str(refused.value)
    assert not Attendance.objects.exists()
