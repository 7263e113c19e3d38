"""The data hub's pages: registering and editing a source, uploading a dataset (row errors, nothing stored), the
dataset's progress and outcome counts, and a young person's "Data hub" tab with unlink; allowed, refused and bad
input. The other hub test modules share the small register and DWP file built here."""

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import factories
from yep.access.audit import AuditContext
from yep.access.models import AuditEvent
from yep.link import hub as hub_reads
from yep.link import services_hub, services_review
from yep.link.models import Dataset, RecordStatus, Source, SourceRecord
from yep.link.views_hub import OUTCOMES
from yep.people.models import Person, Role, User
from yep.track.models import Activity

WEB = AuditContext(purpose="data hub", channel="web")
FORENAMES = ("Aled", "Bethan", "Carys", "Dylan", "Elin", "Ffion", "Gareth", "Huw", "Iwan", "Lowri", "Mali", "Nia",
             "Osian", "Rhodri", "Seren", "Tomos")
SURNAMES = ("Morgan", "Price", "Rees", "Hughes", "Lloyd", "Powell", "Griffiths", "Owen", "Parry", "Thomas", "Bowen",
            "Jenkins", "Vaughan", "Pugh", "Howells", "Rowlands")
DWP_HEADER = "record_id,first_name,last_name,date_of_birth,postcode,ni_number,closure_reason,activity_start"
# On a file this small the unsupervised model's probabilities move with the sample it trains on (0.988 to 0.9998
# here), so the tests apply nothing probabilistic by itself: every likely link waits for clerical review.
AUTO, REVIEW = 0.99999, 0.01


@dataclass
class Hub:
    adviser: User
    people: list[Person]
    source: Source
    path: Path


@pytest.fixture
def adviser(region):
    return factories.make_user(Role.CAREERS_ADVISER, region.la, "adviser")


def dwp_rows(people: list[Person]) -> list[str]:
    """One row per young person, every third without a postcode, every fourth with a surname typo, every fifth a
    day out in the date of birth, each claim closed because they are in prison (a closure reason the timeline
    records); and two people nobody has."""
    rows = []
    for i, p in enumerate(people):
        last = p.legal_surname if i % 4 else p.legal_surname[:-1] + "x"
        dob = p.dob if i % 5 else p.dob + datetime.timedelta(days=1)
        rows.append(f"D{i},{p.legal_forenames},{last},{dob.isoformat()},{p.postcode if i % 3 else ''},,"
                    "In prison,2026-10-01")
    return [*rows, "D98,Zara,Stranger,2007-07-07,LL55 4UR,,,", "D99,Yusuf,Nobody,2008-08-08,SA1 1AA,,,"]


@pytest.fixture
def source(adviser) -> Source:
    return services_hub.register_source({"code": "dwp", "name": "DWP Universal Credit", "kind": "dwp",
                                         "mode": "link_only", "auto_threshold": AUTO, "review_threshold": REVIEW},
                                        actor=adviser, context=WEB)


@pytest.fixture
def dwp_file(tmp_path) -> Path:
    """A small DWP file about nobody on the register."""
    path = tmp_path / "strangers.csv"
    path.write_text("\n".join([DWP_HEADER, *dwp_rows([])]) + "\n")
    return path


@pytest.fixture
def hub(region, adviser, source, tmp_path) -> Hub:
    """Sixteen young people of Cardiff on the register, a DWP source, and its file about them (not uploaded)."""
    people = [factories.make_person("681", legal_forenames=first, legal_surname=last, sex="F" if i % 2 else "M",
                                    dob=f"2008-{1 + i % 12:02d}-{3 + i:02d}", postcode=f"CF{10 + i} {1 + i % 9}AB")
              for i, (first, last) in enumerate(zip(FORENAMES, SURNAMES, strict=True))]
    path = tmp_path / "dwp.csv"
    path.write_text("\n".join([DWP_HEADER, *dwp_rows(people)]) + "\n")
    return Hub(adviser, people, source, path)


def link(hub: Hub) -> Dataset:
    """Receive the file and link it (inline in tests)."""
    dataset = services_hub.receive_dataset(hub.source, hub.path, actor=hub.adviser, context=WEB, filename="dwp.csv")
    services_hub.start_linking(dataset, actor=hub.adviser, context=WEB)
    dataset.refresh_from_db()
    return dataset


# Sources ------------------------------------------------------------------------------------------------------------


SOURCE_FORM = {"code": "plasc-cardiff", "name": "School census, Cardiff", "kind": "school_census",
               "mode": "create", "controller": "", "agreement": "", "auto_threshold": "0.95",
               "review_threshold": "0.2"}


def test_the_adviser_registers_a_source_and_the_hub_lists_it_with_its_mode_and_thresholds(client, adviser):
    client.force_login(adviser)
    made = client.post("/hub/sources/new/", SOURCE_FORM)
    assert made.status_code == 302 and made["Location"] == "/hub/sources/plasc-cardiff/"
    source = Source.objects.get(code="plasc-cardiff")
    assert source.column_mapping["upn"] == "upn"  # blank mapping: the usual columns of a school census
    html = client.get("/hub/").content.decode()
    assert 'data-testid="source-plasc-cardiff"' in html
    assert "Links, and creates a person when nobody matches" in html and "0.95" in html and "Not yet" in html


def test_a_bad_source_form_shows_every_problem_keeps_what_was_typed_and_saves_nothing(client, adviser):
    client.force_login(adviser)
    page = client.post("/hub/sources/new/", SOURCE_FORM | {"code": "", "auto_threshold": "lots",
                                                            "map_record_id": "pupil_ref"})
    assert page.status_code == 400 and {"code", "auto_threshold", "column_mapping"} <= set(page.context["errors"])
    html = page.content.decode()
    assert 'data-testid="errors"' in html and 'value="lots"' in html and 'value="pupil_ref"' in html
    assert not Source.objects.exists()


def test_school_staff_and_analysts_cannot_reach_the_hub(client, region):
    for user in (region.school_staff, region.analyst):
        client.force_login(user)
        assert client.get("/hub/").status_code == 403
        assert client.post("/hub/sources/new/", SOURCE_FORM).status_code == 403
    assert not Source.objects.exists()


def test_editing_a_source_changes_its_mapping_and_thresholds_but_never_its_code(client, adviser, source):
    client.force_login(adviser)
    form = client.get("/hub/sources/dwp/edit/")
    assert form.status_code == 200 and 'value="closure_reason"' in form.content.decode()
    mapping = {f"map_{field}": column for field, column in source.column_mapping.items()}
    saved = client.post("/hub/sources/dwp/edit/", {**SOURCE_FORM, **mapping, "code": "other", "kind": "dwp",
                                                   "mode": "link_only", "map_last_name": "Surname"})
    assert saved.status_code == 302 and saved["Location"] == "/hub/sources/dwp/"
    source.refresh_from_db()
    assert (source.code, source.auto_threshold, source.column_mapping["last_name"]) == (
        "dwp", 0.95, "surname")
    assert client.post("/hub/sources/dwp/edit/", {**SOURCE_FORM, "review_threshold": "0.99"}).status_code == 400


# Datasets -----------------------------------------------------------------------------------------------------------


def test_a_file_with_bad_rows_shows_each_problem_and_stores_nothing(client, adviser, source, tmp_path):
    client.force_login(adviser)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{DWP_HEADER}\nD1,Siân,Jones,2008-02-30,CF10 1AA,,,\nD2,Rhys,Evans,2008-01-01,CF10 1AA,,"
                   "Gone fishing,2026-10-01\n")
    with bad.open("rb") as handle:
        page = client.post("/hub/sources/dwp/", {"file": handle})
    html = page.content.decode()
    assert page.status_code == 400 and 'data-testid="problems"' in html
    assert [(e.row, e.column) for e in page.context["row_errors"]] == [(2, "date_of_birth"), (3, "closure_reason")]
    assert "2008-02-30" in html
    with (tmp_path / "notes.txt").open("w") as handle:
        handle.write("hello")
    with (tmp_path / "notes.txt").open("rb") as handle:
        assert client.post("/hub/sources/dwp/", {"file": handle}).context["errors"] == {
            "file": ["Upload a CSV or XLSX file."]}
    assert not Dataset.objects.exists() and not SourceRecord.objects.exists()


def test_an_uploaded_file_is_linked_from_its_page_which_then_counts_the_outcomes(client, hub):
    client.force_login(hub.adviser)
    with hub.path.open("rb") as handle:
        received = client.post("/hub/sources/dwp/", {"file": handle})
    dataset = Dataset.objects.get()
    assert received.status_code == 302 and received["Location"] == f"/hub/datasets/{dataset.pk}/"
    assert (dataset.rows, dataset.filename, dataset.status) == (18, "dwp.csv", "received")
    assert 'data-testid="link-now"' in client.get(received["Location"]).content.decode()
    linked = client.post(received["Location"], {"action": "link"})
    assert linked.status_code == 302
    page = client.get(received["Location"])
    html = page.content.decode()
    assert 'data-testid="outcomes"' in html and 'data-testid="link-retrain"' in html and "refresh" not in html
    outcomes = {str(label): count for label, count in page.context["outcomes"]}
    assert outcomes["Nobody matches"] >= 2 and outcomes["Waiting for clerical review"] > 0  # the two strangers
    assert sum(outcomes[str(label)] for key, label in OUTCOMES if key != "activities") == 18


def test_while_linking_the_dataset_page_shows_progress_and_refreshes_itself(client, adviser, source, dwp_file,
                                                                            monkeypatch):
    dataset = services_hub.receive_dataset(source, dwp_file, actor=adviser, context=WEB)
    monkeypatch.setattr(services_hub, "_run", lambda *args: None)  # the job has started and not finished
    services_hub.start_linking(dataset, actor=adviser, context=WEB)
    client.force_login(adviser)
    page = client.get(f"/hub/datasets/{dataset.pk}/")
    html = page.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html.split("</head>")[0]
    assert 'data-testid="progress"' in html and "<progress" in html and 'data-testid="link-now"' not in html
    # asking again while it runs starts nothing and says so
    again = client.post(f"/hub/datasets/{dataset.pk}/", {"action": "link"}, follow=True)
    assert "This dataset is being linked already." in again.content.decode()


def test_a_dataset_another_user_may_not_see_is_not_found(client, adviser, source, dwp_file, region):
    dataset = services_hub.receive_dataset(source, dwp_file, actor=adviser, context=WEB)
    client.force_login(region.school_staff)
    assert client.get(f"/hub/datasets/{dataset.pk}/").status_code == 403
    client.force_login(adviser)
    assert client.get(f"/hub/datasets/{dataset.pk + 1}/").status_code == 404
    assert client.get("/hub/sources/nosuch/").status_code == 404


# A young person's "Data hub" tab ------------------------------------------------------------------------------------


def accepted(hub: Hub) -> SourceRecord:
    """Link the file, and accept the most probable candidate: that record is now the young person's."""
    link(hub)
    candidate = hub_reads.review_queue(hub.adviser).first()
    services_review.decide_candidate(candidate, same_person=True, actor=hub.adviser, context=WEB)
    return SourceRecord.objects.get(pk=candidate.record_id)


def test_the_data_hub_tab_lists_linked_records_to_the_adviser_and_nobody_else(client, hub, region):
    record = accepted(hub)
    person = record.person
    client.force_login(hub.adviser)
    page = client.get(f"/hub/people/{person.pk}/records/")
    html = page.content.decode()
    assert page.status_code == 200 and f'data-testid="record-{record.pk}"' in html
    assert "Clerical review" in html and f'data-testid="unlink-{record.pk}"' in html
    assert AuditEvent.objects.filter(action="view", person_id=person.pk, object_type="source_records").exists()
    assert Activity.objects.get(person=person, source="dwp").code.code == 710  # the linked claim's custody
    client.force_login(region.other_epc)  # Swansea's EPC: not their young person
    assert client.get(f"/hub/people/{person.pk}/records/").status_code == 404
    assert client.post(f"/hub/people/{person.pk}/records/{record.pk}/unlink/", {"reason": "x"}).status_code == 404
    client.force_login(region.school_staff)  # the school sees its pupil's record, but not the data hub's records
    page = client.get(f"/hub/people/{region.pupil.pk}/records/")
    assert page.status_code == 200 and 'data-testid="records-restricted"' in page.content.decode()
    assert client.post(f"/hub/people/{person.pk}/records/{record.pk}/unlink/", {"reason": "x"}).status_code == 403
    record.refresh_from_db()
    assert record.person_id == person.pk


def test_unlinking_needs_a_reason_and_then_takes_the_record_off(client, hub):
    record = accepted(hub)
    person = record.person
    client.force_login(hub.adviser)
    url = f"/hub/people/{person.pk}/records/{record.pk}/unlink/"
    refused = client.post(url, {"reason": " "})
    assert refused.status_code == 400 and f"reason-{record.pk}" in refused.context["errors"]
    done = client.post(url, {"reason": "Another young person's claim, keyed in error."})
    assert done.status_code == 302 and done["Location"] == f"/hub/people/{person.pk}/records/"
    record.refresh_from_db()
    assert (record.person_id, record.status, record.method) == (None, RecordStatus.NO_MATCH, "")
    assert client.post(url, {"reason": "again"}).status_code == 404  # no longer theirs
