"""`yep link receive` and `yep link dataset`: the data hub from the operator's command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from yep.access.audit import AuditContext
from yep.link import services_hub
from yep.link.models import Dataset, MatchMode, RecordStatus, SourceKind, SourceRecord
from yep.people.models import Role

HEADER = "record_id,first_name,last_name,date_of_birth,sex,postcode,address,upn,uln,ni_number,activity_code," \
         "activity_start\n"


@pytest.fixture
def crm(region):
    adviser = factories.make_user(Role.CAREERS_ADVISER, region.la, "adviser")
    return services_hub.register_source({"code": "crm", "name": "CRM", "kind": SourceKind.CAREERS_CRM,
                                         "mode": MatchMode.LINK_ONLY},
                                        actor=adviser, context=AuditContext(purpose="test"))


def test_receive_then_link_from_the_command_line(region, crm, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(HEADER + f"C1,Dafydd,ap Gruffydd,2009-03-27,M,,,{region.pupil.upn},,,619,2026-09-10\n"
                    "C2,Nobody,Known,2008-01-01,F,LL55 4UR,,,,,,\n")
    out = io.StringIO()
    call_command("link", "receive", "crm", str(path), "--as", "adviser", stdout=out)
    dataset = Dataset.objects.get()
    assert f"Dataset {dataset.pk}: 2 rows" in out.getvalue()
    out = io.StringIO()
    call_command("link", "dataset", str(dataset.pk), "--as", "adviser", stdout=out, stderr=io.StringIO())
    assert "identifier: 1" in out.getvalue() and "no_match: 1" in out.getvalue()
    assert SourceRecord.objects.get(record_key="C1").person == region.pupil
    assert SourceRecord.objects.get(record_key="C2").status == RecordStatus.NO_MATCH


def test_a_bad_file_prints_each_problem_and_stores_nothing(crm, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(HEADER + "C1,Siân,Jones,27/13/2009,M,,,,,,999,2026-09-10\n")
    errors = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("link", "receive", "crm", str(path), "--as", "adviser", stderr=errors)
    assert "date_of_birth" in errors.getvalue() and "activity_code" in errors.getvalue()
    assert not Dataset.objects.exists()


def test_someone_outside_the_hub_cannot_receive_a_file(region, crm, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(HEADER + "C1,Siân,Jones,2009-01-01,F,,,,,,,\n")
    with pytest.raises(CommandError, match="cannot"):
        call_command("link", "receive", "crm", str(path), "--as", region.school_staff.username)
    assert not Dataset.objects.exists()
