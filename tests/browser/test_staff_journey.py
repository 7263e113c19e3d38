"""The real site in Debian's chromium: sign in, find a young person, open their record, switch to Welsh."""

from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests import factories
from yep.people.models import OrganisationKind, Role
from yep.people.services import load_reference_data

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"

pytestmark = pytest.mark.browser


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium (make test does this)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser.new_page()
        browser.close()


def accessibility_problems(page) -> list[str]:
    """Serious and critical WCAG 2.2 AA problems axe-core finds on the page as it stands."""
    page.evaluate(AXE.read_text())  # evaluated, not a <script> tag, so the page's Content Security Policy stays on
    result = page.evaluate("() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag22aa']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} elements)" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


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
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "person-page-cy.png"), full_page=True)


def test_the_accessibility_check_flags_an_inaccessible_page(page):
    page.set_content("<html><body><img src='x.png'><input type='text'></body></html>")
    problems = accessibility_problems(page)
    assert any(p.startswith("image-alt") for p in problems) and any(p.startswith("label") for p in problems)
