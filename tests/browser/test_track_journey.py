"""Tracking in Debian's chromium: a youth worker reports a young person they met and is told only that it
matched; the careers adviser opens the workbench, follows the unknown from it, records that the young person is
seeking work, and the young person leaves the unknowns. Every page is checked with axe-core."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import accessibility_problems, screenshot
from tests.browser.test_broker_journey import sign_in
from yep.people.models import OrganisationKind, Role
from yep.people.services import load_reference_data
from yep.track import queries

pytestmark = pytest.mark.browser


@pytest.fixture
def cardiff(transactional_db):
    """Cardiff's careers adviser, a youth worker, and Tomos, 17, of whom nothing is known (tier 1)."""
    load_reference_data("v1")
    la = factories.la("681")
    careers = factories.make_organisation(OrganisationKind.CAREERS_SERVICE, name="Careers Wales")
    careers.covers.add(la)
    factories.make_user(Role.CAREERS_ADVISER, careers, "cw.carys")
    youth = factories.make_organisation(OrganisationKind.YOUTH_SERVICE, "681", "Cardiff Youth Service")
    factories.make_user(Role.LEAD_WORKER, youth, "yw.gethin")
    today = timezone.localdate()
    year = today.year if today.month >= 9 else today.year - 1
    tomos = factories.make_person("681", legal_forenames="Tomos", legal_surname="Pritchard",
                                  dob=f"{year - 17}-02-11", postcode="CF24 3AA")
    return {"tomos": tomos}


def assert_accessible(page: Page) -> None:
    assert accessibility_problems(page) == [], page.url


def test_a_sighting_then_the_careers_adviser_finds_the_unknown_from_the_workbench(live_server, page, cardiff):
    base, tomos = live_server.url, cardiff["tomos"]
    sign_in(page, base, "yw.gethin")
    page.get_by_role("link", name="Report a contact").click()
    assert_accessible(page)
    page.get_by_label("Forenames").fill("Tomos")
    page.get_by_label("Surname").fill("Pritchard")
    page.get_by_label("Date of birth (year-month-day)").fill(tomos.dob.isoformat())
    page.get_by_label("Date you met them (year-month-day)").fill(
        (timezone.localdate() - datetime.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Send to the careers service").click()
    expect(page.get_by_test_id("sent")).to_contain_text("Matched")
    assert "CF24" not in page.content() and f"/people/{tomos.pk}/" not in page.content()
    assert_accessible(page)
    screenshot(page, "track-contact-report.png")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, "cw.carys")
    page.get_by_role("link", name="Careers workbench").click()
    expect(page.get_by_test_id("count-unknowns")).to_have_text("1")
    expect(page.get_by_test_id("reports")).to_contain_text("Tomos Pritchard")
    assert_accessible(page)
    screenshot(page, "track-workbench.png")
    page.get_by_test_id("unknowns").get_by_role("link", name="Tomos Pritchard").click()
    page.get_by_label("How").select_option("phone")
    page.get_by_label("What came of it").select_option("confirmed")
    page.get_by_label("Activity").select_option("619")
    assert_accessible(page)
    page.get_by_role("button", name="Save the contact").click()
    expect(page.get_by_test_id("unknowns")).to_contain_text("No young person is in tier 1.")
    assert queries.person_timeline(tomos).now.tier == 3
