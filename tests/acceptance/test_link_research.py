"""Acceptance scenarios for research extracts (issue 7, item 5): a research extract holds no direct identifiers,
and its pseudonyms differ between projects while staying the same between one project's extracts."""

import csv
import io

from tests.link import test_research
from tests.link.test_research import ALL_FIELDS, AS_OF, ends_on
from yep.access.models import AuditEvent
from yep.link import extracts
from yep.link.models import ResearchExtract
from yep.people.models import Person

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
