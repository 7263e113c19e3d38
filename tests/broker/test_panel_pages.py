"""The panel and business case pages: the panel form (members by role, the school's red and amber pupils), the
meeting page, a school sending a case from it, and the EPC's queue and decision form."""

import pytest
from django.utils import timezone

from tests import factories
from yep.access.models import AuditEvent
from yep.broker.models import BusinessCase, BusinessCaseStatus, PanelMeeting
from yep.broker.services.panels import decide_business_case
from yep.people.models import Role

from .test_panels import _case, _panel, make_school

TODAY = timezone.localdate()


@pytest.fixture
def school(region):
    return make_school(region)


def _form(school, **extra):
    data = {"school": school.org.pk, "held_on_day": TODAY.day, "held_on_month": TODAY.month,
            "held_on_year": TODAY.year, "member_name": ["Ceri Lloyd", "Nia Rees", ""],
            "member_role": ["headteacher", "alnco", ""], "pupil": [p.pk for p in school.red[:2]],
            **{f"plan-{p.pk}": "Mentoring" for p in school.red}, **{f"outcome-{p.pk}": "in_school_plan"
                                                                   for p in school.red}}
    return {**data, **extra}


def test_the_panel_form_offers_eight_member_rows_and_the_schools_red_pupils(client, school):
    client.force_login(school.staff)
    page = client.get("/broker/panels/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('name="member_name"') == 8
    assert [row["choice"].person for row in page.context["form"]["pupils"]] == school.red
    assert all(p.display_name in html for p in school.red)
    assert AuditEvent.objects.filter(object_type="panel_pupils", actor=school.staff).exists()


def test_recording_a_panel_on_the_page_shows_its_members_by_role_and_pupils(client, school):
    client.force_login(school.staff)
    response = client.post("/broker/panels/new/", _form(school))
    meeting = PanelMeeting.objects.get()
    assert response.status_code == 302 and response.url == f"/broker/panels/{meeting.pk}/"
    page = client.get(response.url)
    html = page.content.decode()
    # Members by role: the headteacher before the ALN coordinator, as the roles are listed.
    assert html.index("Headteacher or senior leader") < html.index("ALN coordinator")
    assert [p.person for p in page.context["pupils"]] == school.red[:2]
    for pupil in meeting.pupils.all():
        assert f"/broker/business-cases/new/?pupil={pupil.pk}" in html
    assert client.get("/broker/panels/").context["meetings"][0] == meeting


def test_a_panel_form_with_problems_keeps_what_was_typed(client, school):
    client.force_login(school.staff)
    bad = _form(school, held_on_year=TODAY.year + 1, member_name=["Ceri Lloyd"], member_role=[""])
    page = client.post("/broker/panels/new/", bad)
    assert page.status_code == 200 and not PanelMeeting.objects.exists()
    html = page.content.decode()
    assert 'data-testid="errors"' in html and "member 1: choose their role" in html
    assert 'value="Ceri Lloyd"' in html and f'value="{TODAY.year + 1}"' in html
    checked = [row["choice"].person for row in page.context["form"]["pupils"] if row["checked"]]
    assert checked == school.red[:2]


def test_another_school_sees_neither_the_meeting_nor_its_pupils(client, region, school):
    meeting = _panel(school)
    other = factories.make_user(Role.SCHOOL_STAFF, region.other_school, "bishop.gore")
    client.force_login(other)
    assert client.get(f"/broker/panels/{meeting.pk}/").status_code == 404
    assert list(client.get("/broker/panels/").context["meetings"]) == []
    client.force_login(region.analyst)
    assert client.get("/broker/panels/").status_code == 403


def test_a_school_sends_a_business_case_from_the_panel(client, school):
    meeting = _panel(school)
    discussed = meeting.pupils.first()
    client.force_login(school.staff)
    page = client.get(f"/broker/business-cases/new/?pupil={discussed.pk}")
    assert page.status_code == 200 and discussed.person.display_name in page.content.decode()

    blank = client.post("/broker/business-cases/new/", {"panel_pupil": discussed.pk, "case": "Tried mentoring"})
    assert blank.status_code == 200 and set(blank.context["errors"]) == {"needs", "consent_confirmed"}
    assert "Tried mentoring" in blank.content.decode()

    sent = client.post("/broker/business-cases/new/", {
        "panel_pupil": discussed.pk, "needs": ["attendance"], "case": "Tried mentoring", "urgency": "routine",
        "consent_confirmed": "yes"})
    case = BusinessCase.objects.get()
    assert sent.url == f"/broker/business-cases/{case.pk}/"
    assert (case.person, case.panel_pupil) == (discussed.person, discussed)
    assert 'data-testid="decide"' not in client.get(sent.url).content.decode()  # a school does not decide


def test_the_epcs_queue_lists_waiting_cases_first_and_the_epc_decides_with_a_reason(client, region, school):
    decided = _case(school, school.red[0])
    waiting = _case(school, school.red[1])
    client.force_login(school.epc)
    decide_business_case(decided, decision="reject", reason="Enough in school", actor=school.epc,
                         context=factories.TEST)
    assert list(client.get("/broker/business-cases/").context["cases"]) == [waiting, decided]

    page = client.post(f"/broker/business-cases/{waiting.pk}/", {"decision": "reject", "reason": ""})
    assert page.status_code == 200 and "Give the reason for the decision." in page.content.decode()
    response = client.post(f"/broker/business-cases/{waiting.pk}/", {"decision": "approve",
                                                                     "reason": "Needs a youth worker"})
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.status == BusinessCaseStatus.APPROVED and waiting.referral is not None
    assert 'data-testid="referral"' in client.get(response.url).content.decode()

    client.force_login(region.other_epc)
    assert client.get(f"/broker/business-cases/{waiting.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/broker/panels/", "/broker/business-cases/", "/broker/panels/new/"])
def test_panel_pages_ask_anonymous_users_to_sign_in(client, db, url):
    assert client.get(url).status_code == 302


def test_the_epcs_queue_reads_a_fixed_number_of_queries(client, school, django_assert_max_num_queries):
    for pupil in school.red:
        _case(school, pupil)
    client.force_login(school.epc)
    with django_assert_max_num_queries(25):
        page = client.get("/broker/business-cases/")
    assert len(page.context["cases"]) == 3
