"""Brokerage in Debian's chromium: the EPC opens the board, opens the oldest referral, reads the rules' proposal,
tries another kind of lead worker without a reason (the page asks for one and keeps the choice), then allocates
the proposed lead worker and lands on the support package (or back on the referral before that page exists).
Every page is checked with axe-core."""

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.broker.conftest import pre16_dob
from tests.browser.conftest import accessibility_problems, screenshot
from yep.broker.models import Allocation
from yep.people.models import Role
from yep.people.services import load_reference_data

pytestmark = pytest.mark.browser


@pytest.fixture
def cardiff(transactional_db):
    """Cardiff's EPC, a Youth Service and a Careers Wales lead worker, and a pre-16 young person at high risk
    referred by their school."""
    load_reference_data("v1")  # transactional_db empties tables between tests
    epc = factories.make_user(Role.EPC, factories.la("681"), "cardiff.epc", first_name="Eleri", last_name="Prys")
    youth = factories.make_lead_worker("681", "youth_service", username="ys.gethin")
    careers = factories.make_lead_worker("681", "careers_wales", username="cw.carys")
    person = factories.make_person("681", legal_forenames="Osian", legal_surname="Evans", dob=pre16_dob())
    referral = factories.make_referral(person, stage="pre16", risk_band="high", families_first=False,
                                       needs=("attendance", "wellbeing"))
    return {"epc": epc, "youth": youth, "careers": careers, "referral": referral}


def assert_accessible(page: Page) -> None:
    assert accessibility_problems(page) == [], page.url


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("roles")).to_be_visible()


def test_the_epc_opens_the_board_and_allocates_the_proposed_lead_worker(live_server, page, cardiff):
    base = live_server.url
    sign_in(page, base, "cardiff.epc")
    page.goto(f"{base}/broker/")
    expect(page.get_by_role("heading", name="Brokerage", exact=True)).to_be_visible()
    assert_accessible(page)
    screenshot(page, "broker-board.png")

    page.get_by_test_id("waiting").get_by_role("link", name="Osian Evans").click()
    expect(page.get_by_test_id("proposal")).to_contain_text("Youth Service")
    expect(page.get_by_test_id("candidates")).to_contain_text("ys.gethin")
    assert_accessible(page)

    careers = cardiff["careers"].user_id
    page.get_by_label("Lead worker", exact=True).select_option(str(careers))
    page.get_by_role("button", name="Allocate").click()
    expect(page.get_by_test_id("errors")).to_contain_text("Give the reason")
    assert page.get_by_label("Lead worker", exact=True).input_value() == str(careers)
    assert_accessible(page)
    screenshot(page, "broker-referral-override.png")

    page.get_by_label("Lead worker", exact=True).select_option(str(cardiff["youth"].user_id))
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_load_state()
    allocation = Allocation.objects.get(referral=cardiff["referral"])
    assert allocation.lead_worker_id == cardiff["youth"].user_id and not allocation.override_reason
    assert page.url.endswith((f"/broker/allocations/{allocation.pk}/", f"/broker/referrals/{allocation.referral_id}/"))
    assert_accessible(page)
