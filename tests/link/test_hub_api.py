"""The data hub's API: registering and reading sources, uploading a dataset (row problems, nothing stored), linking
it and following its progress, the review queue and decisions, merges and splits; who may use each, and what bad
input gets back."""

import pytest
from django.core.management import call_command

from yep.access.models import AuditEvent
from yep.link.models import CandidateStatus, ClusterChange, Dataset, LinkMethod, Source, SourceRecord
from yep.people.models import Enrolment

from . import test_hub_pages, test_review_pages
from .test_hub_pages import DWP_HEADER

adviser, source, hub = test_hub_pages.adviser, test_hub_pages.source, test_hub_pages.hub

JSON = "application/json"
API = "/api/v1/link"
NEW_SOURCE = {"code": "fe-cardiff", "name": "FE learners, Cardiff", "kind": "fe_learners", "mode": "active_customers",
              "auto_threshold": 0.95, "review_threshold": 0.2}


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def test_the_adviser_registers_lists_and_reads_sources_and_a_school_cannot(client, region, adviser, bearer):
    auth = bearer(adviser)
    made = client.post(f"{API}/sources", NEW_SOURCE, content_type=JSON, **auth)
    assert made.status_code == 201 and made.json()["column_mapping"]["uln"] == "uln"  # the kind's usual columns
    assert [s["code"] for s in client.get(f"{API}/sources", **auth).json()] == ["fe-cardiff"]
    read = client.get(f"{API}/sources/fe-cardiff", **auth).json()
    assert (read["mode"], read["auto_threshold"], read["datasets"]) == ("active_customers", 0.95, [])
    assert client.get(f"{API}/sources/nosuch", **auth).status_code == 404
    school = bearer(region.school_staff)
    assert client.get(f"{API}/sources", **school).status_code == 403
    assert client.post(f"{API}/sources", NEW_SOURCE | {"code": "other"}, content_type=JSON, **school).status_code == 403


def test_a_bad_source_gets_every_problem_and_nothing_is_registered(client, adviser, bearer):
    auth = bearer(adviser)
    unreadable = client.post(f"{API}/sources", NEW_SOURCE | {"auto_threshold": 1.5}, content_type=JSON, **auth)
    assert unreadable.status_code == 422 and "payload.auto_threshold" in unreadable.json()["errors"]
    refused = client.post(f"{API}/sources", NEW_SOURCE | {"kind": "tea_leaves", "review_threshold": 0.99,
                                                          "column_mapping": {"shoe_size": "shoes"}},
                          content_type=JSON, **auth)
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"kind", "review_threshold", "column_mapping"}
    assert not Source.objects.exists()


def test_a_file_with_bad_rows_gets_each_row_problem_and_nothing_is_stored(client, adviser, source, bearer, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{DWP_HEADER}\nD1,Siân,Jones,2008-02-30,CF10 1AA,,,\nD1,Rhys,Evans,2008-01-01,CF10 1AA,,,\n")
    with bad.open("rb") as handle:
        refused = client.post(f"{API}/sources/dwp/datasets", {"file": handle}, **bearer(adviser))
    body = refused.json()
    assert refused.status_code == 400 and body["total"] == 2
    assert [(r["row"], r["column"]) for r in body["rows"]] == [(2, "date_of_birth"), (3, "record_id")]
    assert not Dataset.objects.exists()


def test_a_dataset_is_uploaded_linked_and_reviewed_over_the_api(client, hub, region, bearer):
    auth = bearer(hub.adviser)
    with hub.path.open("rb") as handle:
        received = client.post(f"{API}/sources/dwp/datasets", {"file": handle}, **auth)
    assert received.status_code == 201 and (received.json()["rows"], received.json()["status"]) == (18, "received")
    dataset_id = received.json()["id"]
    assert client.get(f"{API}/datasets/{dataset_id}", **bearer(region.school_staff)).status_code == 403
    started = client.post(f"{API}/datasets/{dataset_id}/link", {}, content_type=JSON, **auth)
    assert started.status_code == 202
    read = client.get(f"{API}/datasets/{dataset_id}", **auth).json()
    assert (read["status"], read["progress"]) == ("linked", 100) and sum(
        n for key, n in read["summary"].items() if key != "activities") == 18

    queue = client.get(f"{API}/review", **auth).json()
    assert queue and queue[0]["explanation"] and {"label", "source_value", "register_value", "same"} <= set(
        queue[0]["fields"][0])
    assert [c["match_probability"] for c in queue] == sorted((c["match_probability"] for c in queue), reverse=True)
    assert AuditEvent.objects.filter(object_type="review_queue", channel="api").latest("pk").detail["people"] == [
        c["person_id"] for c in queue]
    chosen = queue[0]
    other = bearer(region.other_epc)
    assert client.get(f"{API}/review", **other).json() == []
    assert client.post(f"{API}/review/{chosen['id']}", {"same_person": True}, content_type=JSON,
                       **other).status_code == 404
    assert client.post(f"{API}/review/{chosen['id']}", {"same_person": "perhaps"}, content_type=JSON,
                       **auth).status_code == 422
    decided = client.post(f"{API}/review/{chosen['id']}", {"same_person": True, "reason": "same school"},
                          content_type=JSON, **auth)
    assert decided.status_code == 200 and decided.json()["status"] == CandidateStatus.ACCEPTED
    record = SourceRecord.objects.get(dataset_id=dataset_id, record_key=chosen["record_key"])
    assert (record.person_id, record.method) == (chosen["person_id"], LinkMethod.CLERICAL)
    assert client.post(f"{API}/review/{chosen['id']}", {"same_person": False}, content_type=JSON,
                       **auth).status_code == 400  # decided already


def test_a_merge_and_its_split_over_the_api(client, region, adviser, bearer):
    kept, merged = test_review_pages._twins(region)
    auth = bearer(adviser)
    refused = client.post(f"{API}/merges", {"kept_id": kept.pk, "merged_id": region.other_pupil.pk, "reason": "x"},
                          content_type=JSON, **auth)
    assert refused.status_code == 404
    no_reason = client.post(f"{API}/merges", {"kept_id": kept.pk, "merged_id": merged.pk, "reason": " "},
                            content_type=JSON, **auth)
    assert no_reason.status_code == 400 and set(no_reason.json()["errors"]) == {"reason"}
    made = client.post(f"{API}/merges", {"kept_id": kept.pk, "merged_id": merged.pk, "reason": "Registered twice."},
                       content_type=JSON, **auth)
    assert made.status_code == 201 and (made.json()["kind"], made.json()["rows_moved"]) == ("merge", 1)
    assert Enrolment.objects.get(organisation=region.college).person_id == kept.pk
    change_id = made.json()["id"]
    assert client.post(f"{API}/merges/{change_id}/split", {"reason": "x"}, content_type=JSON,
                       **bearer(region.other_epc)).status_code == 404
    split = client.post(f"{API}/merges/{change_id}/split", {"reason": "Two sisters."}, content_type=JSON, **auth)
    assert split.status_code == 201 and split.json()["undoes_id"] == change_id
    assert Enrolment.objects.get(organisation=region.college).person_id == merged.pk
    again = client.post(f"{API}/merges/{change_id}/split", {"reason": "Again."}, content_type=JSON, **auth)
    assert again.status_code == 400 and ClusterChange.objects.count() == 2
