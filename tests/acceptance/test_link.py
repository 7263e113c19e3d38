"""Acceptance scenarios for the data hub (issue 7; spec/datahub-and-linking.md §4.1, §8 items 2-4): FEBRL4 linked
above the budget; a clerical decision reused on a re-run; an FE-only record cannot create a person; a merge
followed by a split restores the original clusters; linked data updates the timeline and feeds the unknowns queue;
a research extract holds no direct identifiers and its pseudonyms differ between projects."""

import csv
import datetime
import io

import pandas as pd
import pytest

from tests import factories
from tests.factories import TEST
from tests.link import test_research
from tests.link.test_research import ALL_FIELDS, AS_OF, ends_on
from tests.track import notification_setup
from tests.track.notification_setup import days_ago
from tests.track.test_unknowns import make_unknown
from yep.access.audit import AuditContext
from yep.access.models import AuditEvent
from yep.access.policy import people_visible_to
from yep.link import evaluate, extracts, hub, services_hub, services_review, testsets
from yep.link.engine import LinkSpec, link_tables
from yep.link.models import Candidate, MatchMode, RecordStatus, ResearchExtract, SourceKind, SourceRecord
from yep.people import search
from yep.people.models import Person, Role
from yep.track import unknowns
from yep.track.models import Activity
from yep.track.services import record_activities

WEB = AuditContext(purpose="data hub", channel="web")


def test_febrl4_is_linked_with_precision_and_recall_above_the_budget():
    left, right, truth = testsets.febrl4()
    pairs = link_tables(left, right, LinkSpec())
    scored = evaluate.score(pairs, truth)
    assert scored.precision >= 0.99 and scored.recall >= 0.99, scored


@pytest.fixture
def adviser(region):
    return factories.make_user(Role.CAREERS_ADVISER, region.la, "adviser")


def _source(adviser, code, kind, mode, **extra):
    return services_hub.register_source({"code": code, "name": code, "kind": kind, "mode": mode, **extra},
                                        actor=adviser, context=WEB)


def _receive_and_link(source, rows, adviser, tmp_path, name):
    path = tmp_path / name
    # The partner's export has every column the source's mapping names, some of them blank.
    frame = pd.DataFrame(rows)
    frame.reindex(columns=list(dict.fromkeys([*frame.columns, *source.column_mapping.values()]))).to_csv(
        path, index=False)
    dataset = services_hub.receive_dataset(source, path, actor=adviser, context=WEB)
    services_hub.start_linking(dataset, actor=adviser, context=WEB)
    dataset.refresh_from_db()
    return dataset


# The region's Year 11 pupil, Dafydd ap Gruffydd (born 2009-03-27, CF24 3AB), as the careers CRM has him: the
# English form of his name, no prefix, a day-month slip in the date and a new postcode. A person must decide.
DAVID = {"record_id": "CRM-1", "first_name": "David", "last_name": "Gruffydd", "date_of_birth": "2009-03-27",
         "sex": "M", "postcode": "CF5 1AA", "activity_code": "619", "activity_start": "2026-09-10"}


def test_a_clerical_decision_is_reused_when_the_source_sends_the_record_again(region, adviser, tmp_path):
    crm = _source(adviser, "crm", SourceKind.CAREERS_CRM, MatchMode.LINK_ONLY, auto_threshold=0.9999,
                  review_threshold=0.01)
    first = _receive_and_link(crm, [DAVID], adviser, tmp_path, "crm-october.csv")
    candidate = hub.review_queue(adviser).get()
    assert (candidate.record.record_key, candidate.person_id) == ("CRM-1", region.pupil.pk)
    assert {row[0] for row in hub.side_by_side(candidate)} >= {"Forename", "Surname", "Date of birth"}
    assert candidate.explanation and {e["comparison"] for e in candidate.explanation} >= {"forename", "dob"}

    services_review.decide_candidate(candidate, same_person=True, reason="same school, confirmed by phone",
                                     actor=adviser, context=WEB)
    assert SourceRecord.objects.get(dataset=first).person_id == region.pupil.pk
    assert Activity.objects.filter(person=region.pupil, source="crm", code__code=619).count() == 1

    second = _receive_and_link(crm, [DAVID], adviser, tmp_path, "crm-november.csv")
    again = SourceRecord.objects.get(dataset=second)
    assert (again.person_id, again.status, again.method) == (region.pupil.pk, RecordStatus.LINKED, "clerical")
    assert not Candidate.objects.filter(record=again).exists(), "nobody is asked the same question twice"
    assert second.summary["clerical"] == 1


# Someone the register has never heard of, in the FE learner record and in a school's census upload.
NEWCOMER = {"record_id": "LLWR-9", "first_name": "Eira", "last_name": "Prosser", "date_of_birth": "2008-12-02",
            "sex": "F", "postcode": "CF11 9LJ", "uln": "", "activity_code": "230", "activity_start": "2026-09-01"}


def test_an_fe_only_record_cannot_create_a_person_but_a_school_upload_can(region, adviser, tmp_path):
    people = Person.objects.count()
    llwr = _source(adviser, "llwr", SourceKind.FE_LEARNERS, MatchMode.ACTIVE_CUSTOMERS)
    fe = _receive_and_link(llwr, [NEWCOMER], adviser, tmp_path, "llwr.csv")
    assert SourceRecord.objects.get(dataset=fe).status == RecordStatus.NO_MATCH
    assert Person.objects.count() == people and fe.summary["created"] == 0

    census = _source(adviser, "census", SourceKind.SCHOOL_CENSUS, MatchMode.CREATE, controller=region.la.pk)
    row = {k: v for k, v in NEWCOMER.items() if k not in ("uln", "activity_code", "activity_start")}
    school = _receive_and_link(census, [{**row, "record_id": "PLASC-9", "address": "", "upn": "",
                                         "year_group": "13"}], adviser, tmp_path, "plasc.csv")
    created = SourceRecord.objects.get(dataset=school)
    assert created.status == RecordStatus.CREATED
    assert (created.person.legal_forenames, created.person.dob) == ("Eira", datetime.date(2008, 12, 2))
    assert created.person.la_of_residence == region.la


def test_an_fe_record_links_only_to_an_active_careers_customer(region, adviser, tmp_path):
    """A record that is the spitting image of a ten-year-old on the register still does not link: the FE learner
    record may only be matched against careers customers (seed 000 §2.2 (g))."""
    child = factories.make_person("681", legal_forenames="Eira", legal_surname="Prosser", dob="2016-05-05",
                                  postcode="CF11 9LJ")
    llwr = _source(adviser, "llwr", SourceKind.FE_LEARNERS, MatchMode.ACTIVE_CUSTOMERS)
    fe = _receive_and_link(llwr, [{**NEWCOMER, "date_of_birth": "2016-05-05"}], adviser, tmp_path, "llwr.csv")
    record = SourceRecord.objects.get(dataset=fe)
    assert record.person_id is None and not Candidate.objects.filter(person=child).exists()


def test_a_merge_followed_by_a_split_restores_the_original_clusters(client, region, adviser, tmp_path):
    twin = factories.make_person("681", legal_forenames="Dafydd", legal_surname="Gruffydd", dob="2009-03-27",
                                 sex="M", postcode="CF24 3AB")
    code = Activity._meta.get_field("code").related_model.objects.get(code=230)
    record_activities([{"person_id": twin.pk, "code_id": code.pk, "start": datetime.date(2026, 9, 1),
                        "end": None, "hours_per_week": 18, "organisation_id": region.college.pk,
                        "source": "provider"}], actor="test", context=TEST)
    crm = _source(adviser, "crm", SourceKind.CAREERS_CRM, MatchMode.LINK_ONLY)
    _receive_and_link(crm, [{"record_id": "CRM-1", "first_name": "Dafydd", "last_name": "ap Gruffydd",
                             "upn": region.pupil.upn, "date_of_birth": "2009-03-27"},
                            {"record_id": "CRM-2", "first_name": "Dafydd", "last_name": "Gruffydd",
                             "date_of_birth": "2009-03-27", "postcode": "CF24 3AB", "sex": "M"}],
                      adviser, tmp_path, "crm.csv")

    def clusters():
        return {person.pk: (sorted(person.source_records.values_list("record_key", flat=True)),
                            sorted(person.activities.values_list("pk", flat=True)),
                            sorted(person.enrolments.values_list("pk", flat=True)))
                for person in (region.pupil, twin)}

    before = clusters()
    assert before[region.pupil.pk][0] == ["CRM-1"] and before[twin.pk][1]

    merge = services_review.merge_people(region.pupil, twin, reason="the same boy: the school confirmed",
                                         actor=adviser, context=WEB)
    merged = clusters()
    assert merged[twin.pk] == ([], [], [])
    twin.refresh_from_db()
    assert twin.merged_into == region.pupil
    found = search.search(people_visible_to(adviser), search.parse("Dafydd Gruffydd"))
    assert region.pupil in found and twin not in found, "the young person is found once, by the record kept"
    client.force_login(adviser)
    banner = client.get(f"/people/{twin.pk}/").content.decode()
    assert 'data-testid="merged-banner"' in banner and f"/people/{region.pupil.pk}/" in banner
    assert merged[region.pupil.pk][0] == sorted(before[region.pupil.pk][0] + before[twin.pk][0])
    assert len(merged[region.pupil.pk][1]) == len(before[region.pupil.pk][1]) + len(before[twin.pk][1])

    services_review.split_merge(merge, reason="twins after all", actor=adviser, context=WEB)
    assert clusters() == before
    twin.refresh_from_db()
    assert twin.merged_into is None
    assert [c.kind for c in hub.cluster_changes_for(adviser)] == ["split", "merge"]


careers = notification_setup.careers  # the careers service's Cardiff office and its adviser (a fixture)


def test_linked_data_updates_the_timeline_and_feeds_the_unknowns_queue(region, careers, adviser, tmp_path):
    """Two 17 year olds the careers service has lost (tier 1). DWP's monthly file has both: one's claim closed
    because she is in full-time education, which puts her on the timeline and out of the queue; the other's
    claim closed when he failed to attend, which says nothing of what he does but where he was last seen, a lead."""
    eira = make_unknown("Prosser", forenames="Eira", code=810, started=60, postcode="CF11 9LJ")
    owain = make_unknown("Bevan", forenames="Owain", code=810, started=90, postcode="CF14 2AB")
    before = {u.person for u in unknowns.unknowns_for(careers.adviser)}
    assert {eira, owain} <= before
    dwp = _source(adviser, "dwp", SourceKind.DWP, MatchMode.LINK_ONLY)
    rows = [{"record_id": f"UC-{p.pk}", "first_name": p.legal_forenames, "last_name": p.legal_surname,
             "date_of_birth": p.dob.isoformat(), "postcode": postcode, "closure_reason": reason,
             "activity_start": days_ago(10).isoformat()}
            for p, postcode, reason in ((eira, "CF11 9LJ", "Full time education"),
                                        (owain, "CF5 1AA", "Failed to Attend"))]
    linked = _receive_and_link(dwp, rows, adviser, tmp_path, "dwp.csv")
    assert linked.summary["probabilistic"] == 2 and linked.summary["activities"] == 1

    activity = Activity.objects.get(person=eira, source="dwp")
    assert (activity.code.code, activity.start) == (270, days_ago(10))
    queue = {u.person: u for u in unknowns.unknowns_for(careers.adviser)}
    assert eira not in queue and owain in queue
    lead = next(lead for lead in queue[owain].leads if lead.source == "data_hub")
    assert "CF5 1AA" in lead.detail and "Failed to Attend" in lead.detail


# Research extracts -------------------------------------------------------------------------------------------------

# Fixtures shared with the research tests (pytest finds them by this name).
setting = test_research.setting


def _register_and_approve(client, setting, code: str) -> None:
    """The DPO puts a project asking for every field on the register, approves it and names the researcher."""
    client.force_login(setting.dpo)
    client.post("/hub/research/new/", {
        "code": code, "title": f"Study {code}", "purpose": "Which support helps young people into work.",
        "public_benefit": "Better targeted support.", "lead_researcher": "Dr Nia Owen, Prifysgol Abertawe",
        "fields": ALL_FIELDS, "agreement": str(setting.agreement.pk)})
    client.post(f"/hub/research/{code}/", {"action": "approve", "approval_reference": "Panel 2026/14",
                                           "ends_on": ends_on().isoformat()})
    client.post(f"/hub/research/{code}/", {"action": "add_researcher", "researcher": setting.researcher.pk})


def _download(client, code: str) -> tuple[list[str], list[dict[str, str]]]:
    response = client.post(f"/hub/research/{code}/extract.csv", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200, response.content[:500]
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8")))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_a_research_extract_holds_no_direct_identifiers(client, setting):
    # Six classmates share a month of birth, sex and postcode district; three others on the register do not.
    _register_and_approve(client, setting, "neet-outcomes")
    client.force_login(setting.researcher)
    columns, rows = _download(client, "neet-outcomes")

    # 1. The columns are the pseudonym and the catalogue's fields, nothing else.
    assert columns == ["pseudonym", *extracts.ordered(ALL_FIELDS)]
    for banned in ("name", "first_name", "last_name", "dob", "date_of_birth", "postcode", "address", "upn", "uln",
                   "ni_number", "phone", "email", "person_id", "id"):
        assert banned not in columns

    # 2. No value is anyone's name, date of birth, postcode, UPN, ULN or record number.
    identifiers = set()
    for person in Person.objects.all():
        identifiers |= {person.legal_forenames, person.legal_surname, person.display_name, person.dob.isoformat(),
                        person.postcode, person.upn, person.uln, person.email, person.phone}
    identifiers -= {"", None}
    values = {value for row in rows for value in row.values()}
    assert rows and values.isdisjoint(identifiers)
    pseudonyms = [row["pseudonym"] for row in rows]
    assert all(len(p) == 16 and not p.isdigit() for p in pseudonyms)
    assert set(pseudonyms).isdisjoint(str(pk) for pk in Person.objects.values_list("pk", flat=True))

    # 3. Quasi-identifiers are coarsened: a month (or year) of birth, an outward code.
    assert {row["birth_month"] for row in rows} == {"2009-03"}
    assert {row["postcode_district"] for row in rows} == {"CF24"}

    # 4. The extract is logged and audited without naming anyone.
    logged = ResearchExtract.objects.get()
    assert (logged.rows, logged.suppressed, logged.made_by) == (6, 3, "researcher")
    event = AuditEvent.objects.get(action="export", object_type="research_extract")
    assert event.person_id is None and event.detail["project"] == "neet-outcomes"
    assert not set(event.detail).intersection({"people", "person_ids"})


def test_pseudonyms_differ_between_projects_and_stay_the_same_within_one(client, setting):
    _register_and_approve(client, setting, "project-a")
    _register_and_approve(client, setting, "project-b")
    client.force_login(setting.researcher)
    _columns, first_a = _download(client, "project-a")
    _columns, second_a = _download(client, "project-a")
    _columns, first_b = _download(client, "project-b")

    a = {row["pseudonym"] for row in first_a}
    assert len(a) == len(first_a) == len(first_b) == 6
    # The same people, the same project: the same pseudonyms and the same file.
    assert a == {row["pseudonym"] for row in second_a} and first_a == second_a
    digests = ResearchExtract.objects.filter(project__code="project-a").values_list("sha256", flat=True)
    assert len(set(digests)) == 1
    # The same people in another project: no pseudonym in common, so the two extracts cannot be joined.
    assert a.isdisjoint(row["pseudonym"] for row in first_b)
    strip = [{k: v for k, v in row.items() if k != "pseudonym"} for row in first_a]
    assert sorted(strip, key=str) == sorted(({k: v for k, v in row.items() if k != "pseudonym"} for row in first_b),
                                            key=str)


def test_a_merged_record_is_not_counted_again_as_an_unknown(region, careers, adviser):
    """An empty record left by a merge would be a 17 year old with no activity: tier 1. It is counted once, as the
    record kept."""
    lost = make_unknown("Prosser", forenames="Eira", code=810, started=60)
    duplicate = make_unknown("Prosser", forenames="Eira", code=810, started=60)
    before = len(unknowns.unknowns_for(careers.adviser))
    services_review.merge_people(lost, duplicate, reason="one young person, registered twice", actor=adviser,
                                 context=WEB)
    queue = {u.person for u in unknowns.unknowns_for(careers.adviser)}
    assert lost in queue and duplicate not in queue and len(queue) == before - 1
