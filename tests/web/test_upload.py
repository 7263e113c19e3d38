"""The upload page for imports: school staff check and import a file, see every problem in a bad one with nothing
changed, and staff without the permission are refused."""

import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from yep.identify.models import BehaviourIncident

HEADER = "upn,date,severity,count\n"


def upload(client, user, content, action="import", name="behaviour.csv", kind="behaviour"):
    client.force_login(user)
    data = {"action": action}
    if content is not None:
        data["file"] = SimpleUploadedFile(name, content.encode("utf-8") if isinstance(content, str) else content)
    return client.post(reverse("web:import_upload", args=[kind]), data)


@pytest.fixture
def good(region):
    return HEADER + f"{region.pupil.upn},2025-10-06,2,3\n{region.pupil.upn},07/10/2025,1,\n"


def test_the_list_describes_every_kind_and_its_columns(client, region):
    client.force_login(region.school_staff)
    page = client.get(reverse("web:imports")).content.decode()
    for label in ("School census", "Exclusions", "Behaviour incidents", "Key stage attainment", "Local indicators",
                  "Attendance by term"):
        assert label in page
    assert "key_stage" in page and "fixed_term or permanent." in page


def test_school_staff_import_a_good_file_and_see_the_report(client, region, good):
    response = upload(client, region.school_staff, good)
    page = response.content.decode()
    assert response.status_code == 200 and "Import complete" in page
    assert 'data-testid="report"' in page
    assert list(BehaviourIncident.objects.order_by("date").values_list("severity", "count")) == [(2, 3), (1, 1)]


def test_checking_a_file_counts_the_rows_and_changes_nothing(client, region, good):
    page = upload(client, region.school_staff, good, action="check").content.decode()
    assert "2 rows ready: 2 new, 0 changed, 0 unchanged." in page
    assert not BehaviourIncident.objects.exists()
    upload(client, region.school_staff, good)
    page = upload(client, region.school_staff, good, action="check").content.decode()
    assert "2 rows ready: 0 new, 0 changed, 2 unchanged." in page


def test_a_bad_file_shows_every_problem_in_a_table_and_changes_nothing(client, region):
    upn = region.pupil.upn
    bad = HEADER + f"{upn},2025-10-06,2,3\n{upn},2025-10-07,5,1\nA000000000001,2025-10-08,1,1\n"
    page = upload(client, region.school_staff, bad).content.decode()
    assert "govuk-error-summary" in page and "Nothing was changed" in page
    assert 'data-testid="problems"' in page
    assert "the severity is 1 (minor), 2 (serious) or 3 (very serious)" in page and "A000000000001" in page
    assert not BehaviourIncident.objects.exists()


@pytest.mark.parametrize(("content", "name", "message"), [
    (None, "", "Choose a CSV or XLSX file to upload."),
    ("upn\n", "behaviour.txt", "Upload a CSV or XLSX file."),
    ("upn,date\nCaf\xe9".encode("latin-1"), "behaviour.csv", "Save the CSV file as UTF-8"),
    ("not a workbook", "behaviour.xlsx", "This file is not an XLSX workbook"),
    ("upn,date\n", "behaviour.csv", "this column is missing"),
])
def test_a_file_that_cannot_be_read_is_refused_with_a_message(client, region, content, name, message):
    response = upload(client, region.school_staff, content, name=name)
    assert response.status_code == 200 and message in response.content.decode()


def test_the_uploaded_file_is_deleted_afterwards(client, region, good, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    upload(client, region.school_staff, good)
    upload(client, region.school_staff, good + "nonsense,,,\n", action="check")
    assert list(tmp_path.iterdir()) == []


def test_a_school_cannot_upload_for_another_schools_pupil(client, region):
    swansea_pupil = factories.make_person("670", upn=factories.valid_upn("670"))
    factories.enrol(swansea_pupil, region.other_school)
    page = upload(client, region.school_staff, HEADER + f"{swansea_pupil.upn},2025-10-06,2,3\n").content.decode()
    assert "not a pupil you can import for" in page
    assert not BehaviourIncident.objects.exists()


def test_the_epc_may_import_too(client, region, good):
    assert "Import complete" in upload(client, region.epc, good).content.decode()


def test_staff_without_the_permission_are_refused(client, region, good):
    client.force_login(region.analyst)  # sends no kind of file
    assert client.get(reverse("web:imports")).status_code == 403
    client.force_login(region.provider_staff)  # sends notifications, never a school's behaviour incidents
    assert "behaviour" not in {k["name"] for k in client.get(reverse("web:imports")).context["kinds"]}
    for user in (region.provider_staff, region.analyst):
        assert upload(client, user, good).status_code == 403
    assert not BehaviourIncident.objects.exists()


def test_an_unknown_kind_is_not_found(client, region):
    client.force_login(region.school_staff)
    assert client.get(reverse("web:import_upload", args=["nonsense"])).status_code == 404


def test_the_home_page_links_to_the_upload_page_for_those_who_may_import(client, region):
    client.force_login(region.school_staff)
    assert reverse("web:imports") in client.get(reverse("web:home")).content.decode()
    client.force_login(region.provider_staff)
    assert reverse("web:imports") not in client.get(reverse("web:home")).content.decode()
