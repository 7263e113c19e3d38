"""The real site in Debian's chromium: sign in, find a young person, open their record, switch to Welsh."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import accessibility_problems, screenshot
from yep.people.models import OrganisationKind, Role
from yep.people.services import load_reference_data

pytestmark = pytest.mark.browser


@pytest.fixture
def school(transactional_db):
    # transactional_db empties tables between tests, so the migration's reference data is loaded again.
    load_reference_data("v1")
    school = factories.make_organisation(OrganisationKind.SCHOOL, "681", "Ysgol Gyfun Glantaf")
    pupil = factories.make_person("681", legal_forenames="Dafydd", legal_surname="ap Gruffydd", sex="M",
                                  upn=factories.valid_upn("681"))
    factories.enrol(pupil, school)
    factories.make_user(Role.SCHOOL_STAFF, school, "school.staff")
    return pupil


def test_school_staff_find_a_pupil_and_read_the_record_in_welsh(live_server, page, school):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("school.staff")
    page.get_by_label("Password").fill(factories.PASSWORD)
    assert accessibility_problems(page) == []
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("roles")).to_contain_text("School staff")
    assert accessibility_problems(page) == []

    page.get_by_label("Find a young person").fill("David ap Gruffydd")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Dafydd ap Gruffydd").click()
    expect(page.get_by_test_id("identity-bar")).to_contain_text(school.upn)
    assert accessibility_problems(page) == []

    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_test_id("identity-bar")).to_contain_text("Dyddiad geni")
    page.get_by_role("link", name="Hanes cofrestru").click()
    expect(page.get_by_test_id("enrolments")).to_contain_text("Ysgol Gyfun Glantaf")
    assert accessibility_problems(page) == []
    screenshot(page, "person-page-cy.png")


def test_the_accessibility_check_flags_an_inaccessible_page(page):
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    problems = accessibility_problems(page)
    assert any(p.startswith("image-alt") for p in problems) and any(p.startswith("label") for p in problems)
