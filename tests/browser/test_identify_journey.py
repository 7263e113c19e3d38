"""Early identification in Debian's chromium: the EPC makes a run from the web form and releases it past the
safeguard warning; school staff see only their own pupils, read why a pupil is flagged, review the band (a reason
is always needed), find the result on the pupil's record, and read the explanation in Welsh. Every page is checked
with axe-core."""

import datetime
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser.conftest import accessibility_problems, screenshot
from yep.identify import services
from yep.identify.models import Result, Run, RunStatus
from yep.imports import ImportReport
from yep.people.models import OrganisationKind, Person, Role
from yep.people.services import load_reference_data

pytestmark = pytest.mark.browser

YEAR = 2026  # the academic year 2026/27: today (23 November 2026) is in its autumn term


@dataclass(frozen=True)
class Pupil:
    """A pupil, their attendance this autumn and across last year (per cent), and their exclusions."""

    forename: str
    surname: str
    school: str  # "a" or "b"
    year_group: int
    attendance: int
    last_year: int
    exclusions: int = 0  # this academic year
    past_exclusions: int = 0  # in earlier years

    @property
    def name(self) -> str:
        return f"{self.forename} {self.surname}"


# The default Welsh model: attendance below 90 / 80 (x3), a fall of more than 3 points on last year (x2), an
# exclusion this year (x3), one in an earlier year (x1); bands (Green, Amber, Red) from 6, 9 and 12 points.
PUPILS = (
    Pupil("Alaw", "Evans", "a", 10, 70, 97, exclusions=1, past_exclusions=1),  # 6 + 2 + 3 + 1 = 12: Red
    Pupil("Bryn", "Morgan", "a", 9, 85, 97, exclusions=1),  # 3 + 2 + 3 = 8: Green
    Pupil("Catrin", "Hughes", "a", 8, 95, 97),  # a fall of only 2 points: 0
    Pupil("Deian", "Price", "a", 11, 98, 97),
    Pupil("Elin", "Thomas", "a", 7, 96, 97),
    Pupil("Osian", "Jenkins", "a", 11, 82, 90),  # 3 + 2 = 5: some points, not identified
    Pupil("Ffion", "Roberts", "b", 10, 78, 96, exclusions=1),  # 6 + 2 + 3 = 11: Amber
    Pupil("Gethin", "Lewis", "b", 9, 60, 95, exclusions=2, past_exclusions=1),  # 12: Red
    Pupil("Heledd", "Owen", "b", 11, 99, 99),
    Pupil("Iolo", "Davies", "b", 8, 88, 90, exclusions=1),  # 3 + 0 + 3 = 6: Green
    Pupil("Nia", "Parry", "b", 7, 97, 98),
)
SCHOOL_A = {p.name for p in PUPILS if p.school == "a"}
# Two Red but one Amber: "the high band is not the smallest band", so releasing needs a confirmation.
BAND_COUNTS = {"Red": "2", "Amber": "1", "Green": "2", "Not identified": "6"}
SCHOOL_A_COUNTS = {"Red": "1", "Amber": "0", "Green": "1", "Not identified": "4"}


@pytest.fixture
def cardiff(transactional_db):
    """Cardiff (681) with two secondary schools and the pupils above, their attendance and exclusions as the
    schools returned them; an EPC for Cardiff and a member of staff at school A."""
    load_reference_data("v1")  # transactional_db empties tables between tests
    schools = {"a": factories.make_organisation(OrganisationKind.SCHOOL, "681", "Ysgol Gyfun Glantaf"),
               "b": factories.make_organisation(OrganisationKind.SCHOOL, "681", "Cardiff High School")}
    attendance, exclusions = [], []
    for p in PUPILS:
        person = factories.make_person("681", legal_forenames=p.forename, legal_surname=p.surname,
                                       dob=f"{YEAR - p.year_group - 4}-01-15", upn=factories.valid_upn("681"))
        factories.enrol(person, schools[p.school], year_group=p.year_group,
                        start=datetime.date(YEAR - (p.year_group - 7), 9, 1))
        attendance.append({"person_id": person.pk, "academic_year": YEAR, "term": "autumn",
                           "sessions_possible": 100, "sessions_attended": p.attendance})
        attendance += [{"person_id": person.pk, "academic_year": YEAR - 1, "term": term, "sessions_possible": 100,
                        "sessions_attended": p.last_year} for term in ("autumn", "spring", "summer")]
        exclusions += [{"person_id": person.pk, "date": datetime.date(YEAR, 10, 5 + e), "kind": "fixed_term",
                        "days": 2, "organisation_id": schools[p.school].pk} for e in range(p.exclusions)]
        exclusions += [{"person_id": person.pk, "date": datetime.date(YEAR - 1, 3, 10 + e), "kind": "fixed_term",
                        "days": 1, "organisation_id": schools[p.school].pk} for e in range(p.past_exclusions)]
    services.record_attendance(attendance, actor="test", context=factories.TEST,
                               report=ImportReport("attendance", file_sha256="a" * 64))
    services.record_exclusions(exclusions, actor="test", context=factories.TEST,
                               report=ImportReport("exclusions", file_sha256="e" * 64))
    factories.make_user(Role.EPC, factories.la("681"), "cardiff.epc")
    factories.make_user(Role.SCHOOL_STAFF, schools["a"], "glantaf.staff")
    return schools


def assert_accessible(page: Page) -> None:
    assert accessibility_problems(page) == [], page.url


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("roles")).to_be_visible()


def table_by_header(page: Page, caption: str) -> dict[str, str]:
    """A one-row table as the user reads it: each column's header and its figure."""
    page.wait_for_load_state()  # the whole page, not just the start of it
    table = page.get_by_role("table", name=caption)
    headers = table.get_by_role("columnheader").all_inner_texts()
    return dict(zip(headers, table.get_by_role("cell").all_inner_texts(), strict=True))


def factor_rows(page: Page) -> dict[str, list[str]]:
    """The explanation table: each indicator's value, rule and points, by indicator."""
    page.wait_for_load_state()
    rows = page.get_by_test_id("factors").locator("tbody").get_by_role("row").all()
    cells = [row.get_by_role("cell").all_inner_texts() for row in rows]
    return {c[0]: c[1:] for c in cells}


def test_epc_releases_a_run_and_a_school_reviews_its_pupils(live_server, page, cardiff):
    base = live_server.url

    # The EPC makes a run from the web form.
    sign_in(page, base, "cardiff.epc")
    assert_accessible(page)
    page.goto(f"{base}/identify/")
    expect(page.get_by_role("heading", name="Early identification", level=1)).to_be_visible()
    expect(page.get_by_test_id("runs")).to_contain_text("No runs yet.")
    assert_accessible(page)
    page.get_by_role("link", name="Make a run").click()
    expect(page.get_by_role("heading", name="Make a run")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Academic year (the year it starts)").fill(str(YEAR))
    page.get_by_label("Term").select_option(label="Autumn")
    for year_group in range(2, 14):  # the default model scores Years 7 to 11
        checkbox = page.get_by_role("checkbox", name=f"Year {year_group}", exact=True)
        (expect(checkbox).to_be_checked if 7 <= year_group <= 11 else expect(checkbox).not_to_be_checked)()
    page.get_by_role("button", name="Make the run").click()

    # The run page: the band counts, the share identified, and the safeguard warning; the term by its name.
    expect(page.get_by_role("heading", name=f"Early identification, Autumn {YEAR}", exact=True)).to_be_visible()
    run = Run.objects.get()
    expect(page).to_have_url(f"{base}/identify/runs/{run.pk}/")
    assert table_by_header(page, "Pupils in each band") == BAND_COUNTS
    expect(page.get_by_test_id("identified-share")).to_have_text("45% identified: 5 of 11 pupils")
    expect(page.get_by_test_id("warnings")).to_contain_text("The high band is not the smallest band")
    expect(page.get_by_test_id("status")).to_have_text("Draft: seen by the EPC only")
    schools = page.get_by_test_id("schools")
    expect(schools.get_by_role("row", name=re.compile("Ysgol Gyfun Glantaf"))).to_contain_text("0 / 6")
    expect(schools.get_by_role("row", name=re.compile("Cardiff High School"))).to_contain_text("0 / 5")
    assert_accessible(page)
    screenshot(page, "identify-run.png")

    # Releasing past a warning needs the confirmation: without it, the EPC is told why and nothing is released.
    page.get_by_role("button", name="Release to schools").click()
    refusal = page.get_by_role("alert").filter(has_text="Confirm that you have checked the warnings")
    expect(refusal).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="The high band is not the smallest band")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Draft: seen by the EPC only")
    assert Run.objects.get().status == RunStatus.DRAFT
    expect(page.get_by_text("Success", exact=True)).to_have_count(0)  # a refusal is a problem, not a success
    assert_accessible(page)
    screenshot(page, "identify-run-refused.png")
    page.get_by_label("I have checked the warnings and want to release this run").check()
    page.get_by_role("button", name="Release to schools").click()
    expect(page.get_by_role("alert")).to_contain_text("The run is released")
    expect(page.get_by_test_id("status")).to_have_text("Released to schools")
    expect(page.get_by_role("button", name="Release to schools")).to_have_count(0)
    assert Run.objects.get().status == RunStatus.PUBLISHED
    expect(page.get_by_test_id("warnings")).to_have_count(0)
    expect(page.get_by_test_id("warnings-confirmed")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "identify-run-released.png")
    page.get_by_role("button", name="Sign out").click()

    # School staff at school A see the released run, with their own school's counts only.
    sign_in(page, base, "glantaf.staff")
    page.goto(f"{base}/identify/")
    assert_accessible(page)
    page.get_by_test_id("runs").get_by_role("link", name=f"Cardiff, Autumn {YEAR}/27").click()
    expect(page).to_have_url(f"{base}/identify/runs/{run.pk}/")
    assert table_by_header(page, "Pupils in each band") == SCHOOL_A_COUNTS
    expect(page.get_by_test_id("identified-share")).to_have_count(0)
    expect(page.get_by_test_id("warnings")).to_have_count(0)
    expect(page.get_by_test_id("schools")).not_to_contain_text("Cardiff High School")
    assert_accessible(page)

    # The pupil list: only school A's pupils, then only those in the Red band.
    page.get_by_role("link", name="See and review the pupils").click()
    listed = page.get_by_test_id("results")
    expect(listed.get_by_role("link")).to_have_count(len(SCHOOL_A))
    assert set(listed.get_by_role("link").all_inner_texts()) == SCHOOL_A
    expect(listed).not_to_contain_text("Gethin Lewis")  # Red, at school B
    expect(listed).not_to_contain_text("Cardiff High School")
    assert_accessible(page)
    page.get_by_label("Band", exact=True).select_option(label="Red")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_label("Band", exact=True)).to_have_value("high")
    expect(listed.get_by_role("link")).to_have_text(["Alaw Evans"])
    expect(listed).not_to_contain_text("Bryn Morgan")  # Green
    assert_accessible(page)

    # Why Alaw is Red: each indicator's value, rule and points.
    listed.get_by_role("link", name="Alaw Evans").click()
    expect(page.get_by_role("heading", name="Alaw Evans", level=1)).to_be_visible()
    expect(page.get_by_test_id("computed")).to_have_text("Red")
    expect(page.get_by_test_id("agreed")).to_have_text("Not reviewed yet")
    expect(page.get_by_test_id("bands").locator("div", has_text="Score")).to_contain_text("12")
    factors = factor_rows(page)
    assert {label: row[2] for label, row in factors.items()} == {
        "Attendance this year": "6", "Attendance trend on last year": "2", "Exclusions this year": "3",
        "Exclusions in earlier years": "1", "Key stage 2 under-attainment": "0",
        "Key stage 3 under-attainment": "0", "Young carer": "0"}
    assert factors["Attendance this year"][:2] == ["70 per cent", "below 90, below 80, × 3"]
    assert factors["Attendance trend on last year"][:2] == ["-27 percentage points", "below -3, × 2"]
    assert re.fullmatch(r"1 exclusions?", factors["Exclusions this year"][0])
    assert factors["Exclusions this year"][1] == "at least 1, × 3"
    assert factors["Key stage 2 under-attainment"][0].lower() == "no data"
    expect(page.get_by_text("Bands: low from 6, medium from 9, high from 12 points.")).to_be_visible()
    assert_accessible(page)

    # A review without a reason is refused, and nothing is saved.
    review = page.get_by_test_id("review-form")
    review.get_by_label("Agreed band").select_option(label="Amber")
    page.get_by_role("button", name="Save the review").click()
    errors = page.get_by_test_id("errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("There is a problem")
    expect(errors).to_contain_text("Give the reason for the band you agree")
    # The error is shown at the field and read out with it, after the hint.
    expect(page.get_by_label("Reason", exact=True)).to_have_accessible_description(re.compile(
        r"^Always needed: .*\s+Error:\s+Give the reason for the band you agree"))
    expect(page.get_by_test_id("agreed")).to_have_text("Not reviewed yet")
    expect(page.get_by_test_id("reviews")).to_contain_text("No reviews yet.")
    alaw = Result.objects.get(person__legal_forenames="Alaw")
    assert alaw.agreed_band == "" and not alaw.reviews.exists()
    assert_accessible(page)

    # With a reason it is saved: the computed band stays Red, the agreed band is Amber.
    reason = "Attendance fell while Alaw cared for her mother; the school's support has started to help."
    page.get_by_label("Agreed band").select_option(label="Amber")
    page.get_by_label("Reason", exact=True).fill(reason)
    page.get_by_label("Caring responsibilities").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_role("alert")).to_contain_text("The review is saved")
    expect(page.get_by_test_id("computed")).to_have_text("Red")
    expect(page.get_by_test_id("agreed")).to_have_text("Amber")
    expect(page.get_by_test_id("reviews")).to_contain_text(reason)
    expect(page.get_by_test_id("errors")).to_have_count(0)
    alaw.refresh_from_db()
    assert (alaw.band, alaw.agreed_band) == ("high", "medium")
    assert_accessible(page)
    screenshot(page, "identify-result.png")

    # The same result on Alaw's record: the early identification tab and its factors.
    page.get_by_role("link", name="Alaw Evans").click()
    page.get_by_role("navigation", name="Record sections").get_by_role("link", name="Early identification").click()
    person = Person.objects.get(legal_forenames="Alaw")
    expect(page).to_have_url(f"{base}/people/{person.pk}/risk/")
    expect(page.get_by_test_id("latest-band")).to_contain_text("score 12")
    expect(page.get_by_test_id("latest-band")).to_contain_text("Computed band: Red")
    expect(page.get_by_test_id("latest-band")).to_contain_text("Agreed band: Amber")
    tab = page.get_by_role("table", name="Contributing factors")
    expect(tab.get_by_role("row", name=re.compile("Attendance this year"))).to_contain_text("70 per cent")
    expect(tab.get_by_role("row", name=re.compile("Exclusions this year")).get_by_role("cell").last).to_have_text("3")
    assert_accessible(page)

    # Back to the explanation from the record's history, then in Welsh.
    page.get_by_test_id("risk-history").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Alaw Evans", level=1)).to_be_visible()
    page.get_by_test_id("language-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.get_by_role("heading", name="Pam: y ffactorau sy'n cyfrannu")).to_be_visible()
    expect(page.get_by_test_id("computed")).to_have_text("Coch")
    expect(page.get_by_test_id("agreed")).to_have_text("Ambr")
    assert_accessible(page)
    screenshot(page, "identify-result-cy.png")
