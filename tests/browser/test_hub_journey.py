"""The data hub in Debian's chromium (issue 7): a careers adviser opens the hub from the navigation, uploads the
careers CRM export for its source, links it and reads the outcome, decides the one uncertain link in the clerical
review queue (the two records side by side, the weight each comparison added), and finds the source record on the
young person's "Data hub" tab. Every page is checked with axe-core."""

import tempfile
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from tests import factories
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.test_broker_journey import sign_in
from tests.factories import TEST
from yep.link import services_hub
from yep.link.models import Candidate, CandidateStatus, MatchMode, RecordStatus, SourceKind, SourceRecord
from yep.people.models import OrganisationKind, Role
from yep.people.services import load_reference_data

pytestmark = pytest.mark.browser

CANDIDATE_SCREENSHOT = Path(tempfile.gettempdir()) / "hub_candidate.png"  # to look at while working on the page

# The CRM's own column names; the source's mapping says which field each one holds.
COLUMNS = {"record_id": "client ref", "first_name": "forename", "last_name": "surname",
           "date_of_birth": "dob", "sex": "gender", "postcode": "postcode",
           "activity_code": "destination", "activity_start": "destination start"}
# Dafydd ap Gruffydd as the careers CRM has him (tests/acceptance/test_link.py's DAVID): the English form of his
# name, no prefix, a new postcode. Between the source's thresholds, so a person must decide.
EXPORT = ("Client Ref,Forename,Surname,DOB,Gender,Postcode,Destination,Destination Start\n"
          "CRM-1,David,Gruffydd,2009-03-27,M,CF5 1AA,619,2026-09-10\n")


@pytest.fixture
def cardiff(transactional_db: None) -> dict[str, Any]:
    """Cardiff's careers adviser, the careers CRM registered as a source that only links (applied from 0.9999,
    reviewed from 0.01), and Dafydd ap Gruffydd, a Year 11 pupil at Ysgol Gyfun Glantaf."""
    load_reference_data("v1")  # transactional_db empties tables between tests
    la = factories.la("681")
    adviser = factories.make_user(Role.CAREERS_ADVISER, la, "cw.carys")
    school = factories.make_organisation(OrganisationKind.SCHOOL, "681", "Ysgol Gyfun Glantaf")
    pupil = factories.make_person("681", legal_forenames="Dafydd", legal_surname="ap Gruffydd", sex="M",
                                  upn=factories.valid_upn("681"))
    factories.enrol(pupil, school)
    factories.make_person("681", legal_forenames="Rhiannon", legal_surname="Williams", postcode="CF11 9LJ",
                          dob="2008-06-14")
    source = services_hub.register_source(
        {"code": "crm", "name": "Careers Wales CRM", "kind": SourceKind.CAREERS_CRM, "mode": MatchMode.LINK_ONLY,
         "auto_threshold": 0.9999, "review_threshold": 0.01, "column_mapping": COLUMNS}, actor=adviser, context=TEST)
    return {"pupil": pupil, "source": source}


def assert_accessible(page: Page) -> None:
    assert accessibility_problems(page) == [], page.url


def test_an_adviser_uploads_a_crm_export_links_it_and_accepts_the_uncertain_link(
        live_server: LiveServer, page: Page, cardiff: dict[str, Any], tmp_path: Path) -> None:
    base, pupil = live_server.url, cardiff["pupil"]
    export = tmp_path / "crm-october.csv"
    export.write_text(EXPORT, encoding="utf-8")
    sign_in(page, base, "cw.carys")

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Data hub").click()
    expect(page.get_by_role("heading", name="Data hub", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_test_id("source-crm").get_by_role("link", name="Careers Wales CRM").click()
    page.get_by_label("The file").set_input_files(str(export))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("rows")).to_have_text("1")
    expect(page.get_by_test_id("status")).to_have_text("Received")
    assert_accessible(page)

    page.get_by_test_id("link-now").click()
    # The page refreshes itself while linking (inline in tests, so at most a moment).
    expect(page.get_by_test_id("status")).to_have_text("Linked", timeout=30_000)
    outcomes = page.get_by_test_id("outcomes")
    expect(outcomes.get_by_role("row", name="Waiting for clerical review")).to_contain_text("1")
    expect(outcomes.get_by_role("row", name="Nobody matches")).to_contain_text("0")
    assert_accessible(page)
    screenshot(page, "hub-dataset.png")

    page.get_by_role("link", name="Go to the clerical review queue").click()
    page.get_by_test_id("queue").get_by_role("link", name="David Gruffydd").click()
    sides = page.get_by_test_id("side-by-side")
    expect(sides).to_contain_text("Careers Wales CRM record CRM-1")
    expect(sides).to_contain_text(f"On the register: Dafydd ap Gruffydd (record {pupil.pk})")
    expect(sides.get_by_role("row", name="Forename")).to_contain_text("David")
    expect(sides.get_by_role("row", name="Forename")).to_contain_text("Dafydd")
    explanation = page.get_by_test_id("explanation")
    expect(explanation).to_contain_text("Forename")
    expect(explanation).to_contain_text("Date of birth")
    expect(explanation).to_contain_text("Total match weight")
    assert_accessible(page)
    screenshot(page, "hub-candidate.png")
    page.screenshot(path=str(CANDIDATE_SCREENSHOT), full_page=True)

    page.get_by_label("Accept: the same young person").check()
    page.get_by_label("Reason (optional)").fill("Same school, confirmed by phone")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("queue")).to_contain_text("Nothing is waiting for review.")
    record = SourceRecord.objects.get(record_key="CRM-1")
    assert (record.person_id, record.status, record.method) == (pupil.pk, RecordStatus.LINKED, "clerical")
    assert Candidate.objects.get(record=record).status == CandidateStatus.ACCEPTED

    page.goto(f"{base}/people/{pupil.pk}/")
    page.get_by_role("navigation", name="Record sections").get_by_role("link", name="Data hub").click()
    linked = page.get_by_test_id(f"record-{record.pk}")
    expect(linked).to_contain_text("Careers Wales CRM")
    expect(linked).to_contain_text("CRM-1")
    expect(linked).to_contain_text("Clerical review")
    assert_accessible(page)
