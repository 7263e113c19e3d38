"""The data hub's services: receiving a dataset (all or nothing), linking it into the register, clerical
decisions reused on a re-run, what a source may create, and merges undone by splits."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from tests.link.hub_setup import load_spine, write_csv
from yep.access.audit import AuditContext
from yep.imports.framework import ImportRefused
from yep.link import hub, services_hub, services_review
from yep.link.models import (
    Candidate,
    Dataset,
    MatchMode,
    RecordStatus,
    Source,
    SourceKind,
    SourceRecord,
)
from yep.people.models import Person, Role
from yep.track.models import Activity

WEB = AuditContext(purpose="data hub", channel="web")


@pytest.fixture
def adviser(region):
    return factories.make_user(Role.CAREERS_ADVISER, region.la, "adviser")


def _source(adviser, code="dwp", kind=SourceKind.DWP, mode=MatchMode.LINK_ONLY, **extra):
    return services_hub.register_source({"code": code, "name": code.upper(), "kind": kind, "mode": mode, **extra},
                                        actor=adviser, context=WEB)


def test_a_source_starts_with_its_kinds_mapping_and_refuses_a_mapping_without_an_id(adviser):
    source = _source(adviser)
    assert source.column_mapping["ni_number"] == "ni_number"
    assert source.column_mapping["closure_reason"] == "closure_reason"
    with pytest.raises(ValidationError) as refused:
        _source(adviser, code="crm", kind=SourceKind.CAREERS_CRM, column_mapping={"last_name": "surname"})
    assert "column_mapping" in refused.value.message_dict
    assert not Source.objects.filter(code="crm").exists()


def test_a_school_cannot_register_a_source(region):
    with pytest.raises(PermissionDenied):
        _source(region.school_staff)


def test_a_file_with_any_bad_row_is_refused_whole(adviser, tmp_path):
    source = _source(adviser)
    path = tmp_path / "dwp.csv"
    path.write_text("record_id,first_name,last_name,date_of_birth,postcode,ni_number,closure_reason,activity_start\n"
                    "D1,Siân,Jones,2008-02-30,CF10 1AA,,,\n"
                    "D2,Rhys,Evans,2008-01-01,CF10 1AA,,In prison,2026-10-01\n"
                    "D2,Rhys,Evans,2008-01-01,CF10 1AA,,Gone fishing,2026-10-01\n")
    with pytest.raises(ImportRefused) as refused:
        services_hub.receive_dataset(source, path, actor=adviser, context=WEB)
    problems = {(e.row, e.column) for e in refused.value.errors}
    assert problems == {(2, "date_of_birth"), (4, "record_id"), (4, "closure_reason")}
    assert not Dataset.objects.exists() and not SourceRecord.objects.exists()


def test_a_missing_column_is_named(adviser, tmp_path):
    source = _source(adviser)
    path = write_csv(__import__("pandas").DataFrame({"record_id": ["D1"], "last_name": ["Jones"]}), tmp_path / "x.csv")
    with pytest.raises(ImportRefused) as refused:
        services_hub.receive_dataset(source, path, actor=adviser, context=WEB)
    assert {e.column for e in refused.value.errors} >= {"first_name", "ni_number", "closure_reason"}


@pytest.fixture
def linked(region, adviser, tmp_path):
    """A DWP file linked into a register of 1,200 synthetic young people."""
    spine = load_spine(region.la)
    rows = spine.file_rows.copy()
    rows.loc[rows.index[:40], "closure_reason"] = "In prison"
    rows.loc[rows.index[:40], "activity_start"] = "2026-10-01"
    source = _source(adviser, auto_threshold=0.9, review_threshold=0.1)
    dataset = services_hub.receive_dataset(source, write_csv(rows, tmp_path / "dwp.csv"), actor=adviser,
                                           context=WEB)
    services_hub.start_linking(dataset, actor=adviser, context=WEB)
    dataset.refresh_from_db()
    return spine, source, dataset, rows


def test_linking_applies_confident_links_correctly_and_updates_the_timeline(linked):
    spine, source, dataset, rows = linked
    links = dict(SourceRecord.objects.filter(dataset=dataset, status=RecordStatus.LINKED)
                 .values_list("record_key", "person_id"))
    right = sum(spine.truth.get(key) == person for key, person in links.items())
    assert len(links) > 0.9 * len(spine.truth)
    assert right / len(links) >= 0.99
    assert dataset.status == "linked" and dataset.summary["probabilistic"] == len(links)
    source.refresh_from_db()
    assert source.model is not None and source.model_trained_at is not None
    # nobody outside the register was created: DWP links but never creates
    assert Person.objects.count() == len(spine.people) + 3  # the region fixture's three
    # a linked closure reason "In prison" puts custody on the timeline, said by DWP
    custody = SourceRecord.objects.filter(dataset=dataset, record_key__in=list(rows["record_id"][:40]),
                                          status=RecordStatus.LINKED).first()
    activity = Activity.objects.filter(person_id=custody.person_id, source="dwp").get()
    assert activity.code.code == 710 and activity.start == datetime.date(2026, 10, 1)
    assert dataset.summary["activities"] >= 30


def test_a_clerical_decision_is_reused_when_the_file_comes_again(linked, region, adviser, tmp_path):
    spine, source, dataset, rows = linked
    pending = list(hub.review_queue(adviser))
    assert pending, "the uncertain band should hold a few links"
    accept, reject = pending[0], pending[-1]
    # only a reviewer who may see the young person decides
    assert hub.review_queue(region.other_epc).count() == 0
    with pytest.raises(PermissionDenied):
        services_review.decide_candidate(accept, same_person=True, actor=region.other_epc, context=WEB)
    services_review.decide_candidate(accept, same_person=True, actor=adviser, context=WEB)
    services_review.decide_candidate(reject, same_person=False, reason="different school", actor=adviser,
                                     context=WEB)
    again = services_hub.receive_dataset(source, write_csv(rows, tmp_path / "again.csv"), actor=adviser,
                                         context=WEB)
    services_hub.start_linking(again, actor=adviser, context=WEB)
    accepted_again = SourceRecord.objects.get(dataset=again, record_key=accept.record.record_key)
    assert (accepted_again.person_id, accepted_again.method) == (accept.person_id, "clerical")
    rejected_again = SourceRecord.objects.get(dataset=again, record_key=reject.record.record_key)
    assert rejected_again.person_id != reject.person_id
    assert not Candidate.objects.filter(record=rejected_again, person=reject.person).exists()




def test_a_run_that_stopped_without_finishing_can_be_started_again_but_a_live_one_cannot(region, adviser, tmp_path):
    source = _source(adviser, code="crm", kind=SourceKind.CAREERS_CRM, column_mapping={
        "record_id": "record_id", "first_name": "first_name", "last_name": "last_name", "upn": "upn"})
    path = tmp_path / "crm.csv"
    path.write_text(f"record_id,first_name,last_name,upn\nC1,Dafydd,ap Gruffydd,{region.pupil.upn}\n")
    dataset = services_hub.receive_dataset(source, path, actor=adviser, context=WEB)
    now = datetime.datetime.now(datetime.UTC)
    Dataset.objects.filter(pk=dataset.pk).update(status="linking", progress_at=now - datetime.timedelta(minutes=5))
    with pytest.raises(ValidationError):
        services_hub.start_linking(dataset, actor=adviser, context=WEB)
    Dataset.objects.filter(pk=dataset.pk).update(progress_at=now - datetime.timedelta(hours=2))  # the server died
    services_hub.start_linking(dataset, actor=adviser, context=WEB)
    dataset.refresh_from_db()
    assert dataset.status == "linked" and SourceRecord.objects.get(dataset=dataset).person == region.pupil


def test_a_row_needs_an_identifier_or_two_things_to_link_by(adviser, tmp_path):
    source = _source(adviser, column_mapping={"record_id": "id", "first_name": "forename", "last_name": "surname",
                                              "date_of_birth": "dob", "ni_number": "nino"})
    path = tmp_path / "dwp.csv"
    path.write_text("id,forename,surname,dob,nino\nD1,Poppy,,2009-11-14,\nD2,,,,QQ123456C\nD3,Rhys,,,\n")
    with pytest.raises(ImportRefused) as refused:
        services_hub.receive_dataset(source, path, actor=adviser, context=WEB)
    assert [(e.row, e.column) for e in refused.value.errors] == [(4, "id")]
    path.write_text("id,forename,surname,dob,nino\nD1,Poppy,,2009-11-14,\nD2,,,,QQ123456C\n")
    assert services_hub.receive_dataset(source, path, actor=adviser, context=WEB).rows == 2


def test_unlinking_a_wrong_link_takes_its_activity_off_the_timeline_and_it_is_not_linked_again(region, adviser,
                                                                                             tmp_path):
    source = _source(adviser, code="crm", kind=SourceKind.CAREERS_CRM, column_mapping={
        "record_id": "record_id", "first_name": "first_name", "last_name": "last_name", "upn": "upn",
        "activity_code": "activity_code", "activity_start": "activity_start"})
    path = tmp_path / "crm.csv"
    path.write_text("record_id,first_name,last_name,upn,activity_code,activity_start\n"
                    f"C1,Dafydd,ap Gruffydd,{region.pupil.upn},619,2026-09-10\n")
    dataset = services_hub.receive_dataset(source, path, actor=adviser, context=WEB)
    services_hub.start_linking(dataset, actor=adviser, context=WEB)
    record = SourceRecord.objects.get(dataset=dataset)
    assert Activity.objects.filter(person=region.pupil, source="crm", code__code=619).exists()
    with pytest.raises(ValidationError):
        services_review.unlink_record(record, reason="", actor=adviser, context=WEB)
    services_review.unlink_record(record, reason="another pupil's UPN was typed", actor=adviser, context=WEB)
    assert not Activity.objects.filter(person=region.pupil, source="crm").exists()
    services_hub.start_linking(dataset, actor=adviser, context=WEB)  # linked again: the decision holds
    record.refresh_from_db()
    assert record.person is None and record.status == RecordStatus.NO_MATCH
