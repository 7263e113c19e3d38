"""Early identification's pages and their API twins: whose risk results a record shows, the labels and values of
the contributing factors, the link in the service navigation, and withdrawing a run."""

import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from yep.access.models import AuditEvent
from yep.identify import exports, queries, services
from yep.identify.models import Exclusion, RiskModel, Run, RunStatus
from yep.identify.queries import Factor
from yep.identify.services import IndicatorSetting
from yep.people import services as people_services
from yep.people.models import Role

from .. import factories
from ..factories import TEST
from .test_runs import DAY, TERM, YEAR, pupils, simple_model

JSON = "application/json"
LAST_SUMMER = datetime.date(2026, 6, 20)
NEXT_SPRING = datetime.date(2027, 3, 20)


@pytest.fixture
def bearer(region, capsys):
    def token_for(user):
        call_command("token", "create", user.username)
        return {"HTTP_AUTHORIZATION": f"Bearer {capsys.readouterr().out.strip()}"}

    return token_for


def _publish(run):
    return services.publish_run(run, confirm_warnings=True, actor=run.created_by, context=TEST)


@pytest.fixture
def moved(region):
    """A pupil in last summer's released run at the region's school who moved to Cardiff High in September, and is
    in this autumn's released run there; a classmate at Cardiff High in both runs; Cardiff High's staff."""
    cardiff_high = factories.make_organisation("school", "681", "Cardiff High")
    pupil = pupils(region, [0.5])[0]
    classmate = pupils(region, [0.6], school=cardiff_high)[0]
    model = simple_model(region)
    summer = _publish(services.create_run(model, academic_year=YEAR - 1, term="summer", as_of=LAST_SUMMER,
                                          actor=region.epc, context=TEST))
    factories.enrol(pupil, cardiff_high, year_group=10, start=datetime.date(2026, 9, 1))
    autumn = _publish(services.create_run(model, academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                                          context=TEST))
    return SimpleNamespace(
        pupil=pupil, classmate=classmate, school=cardiff_high, model=model,
        staff=factories.make_user(Role.SCHOOL_STAFF, cardiff_high, "staff.high"),
        before=summer.results.get(person=pupil), now=autumn.results.get(person=pupil))


def _history(client, person):
    """The results the person's risk tab lists, newest first."""
    page = client.get(f"/people/{person.pk}/risk/")
    assert page.status_code == 200
    return list(page.context["history"])


# 1. A young person's risk results: one rule for the tab and the API ----------------------------------------------


def test_a_school_sees_only_its_own_results_of_a_pupil_who_moved_to_it(client, region, bearer, moved):
    client.force_login(moved.staff)
    assert _history(client, moved.pupil) == [moved.now]
    page = client.get(f"/people/{moved.pupil.pk}/risk/").content.decode()
    assert f"/identify/results/{moved.now.pk}/" in page and f"/identify/results/{moved.before.pk}/" not in page
    api = client.get(f"/api/v1/identify/people/{moved.pupil.pk}/risk", **bearer(moved.staff)).json()
    assert [r["id"] for r in api] == [moved.now.pk]
    assert list(queries.person_results_visible_to(moved.staff, moved.pupil.pk)) == [moved.now]


def test_the_epc_sees_every_run_of_a_pupil_drafts_included_but_not_withdrawn_ones(client, region, bearer, moved):
    draft = services.create_run(moved.model, academic_year=YEAR, term="spring", as_of=NEXT_SPRING, actor=region.epc,
                                context=TEST)
    services.withdraw_run(moved.before.run, reason="Wrong attendance file", actor=region.epc, context=TEST)
    newest = draft.results.get(person=moved.pupil)
    client.force_login(region.epc)
    assert _history(client, moved.pupil) == [newest, moved.now]
    api = client.get(f"/api/v1/identify/people/{moved.pupil.pk}/risk", **bearer(region.epc)).json()
    assert [r["id"] for r in api] == [newest.pk, moved.now.pk]
    client.force_login(moved.staff)  # a draft is the EPC's alone
    assert _history(client, moved.pupil) == [moved.now]


def test_the_school_a_pupil_left_and_another_la_see_none_of_their_results(client, region, bearer, moved):
    for outsider in (region.school_staff, region.other_epc):
        assert not queries.person_results_visible_to(outsider, moved.pupil.pk).exists()
        client.force_login(outsider)
        assert client.get(f"/people/{moved.pupil.pk}/risk/").status_code == 404
        assert client.get(f"/api/v1/identify/people/{moved.pupil.pk}/risk",
                          **bearer(outsider)).status_code == 404
    assert not queries.person_results_visible_to(AnonymousUser(), moved.pupil.pk).exists()


# 2. Indicator labels: one function, one query --------------------------------------------------------------------


@pytest.fixture
def local_model(region):
    """A model with a characteristic and two of the LA's own indicators, one of them without Welsh words."""
    services.define_local_indicator(region.la, "eal", "English as an additional language",
                                    "Saesneg fel iaith ychwanegol", "", actor=region.epc, context=TEST)
    services.define_local_indicator(region.la, "moved_la", "Moved into the LA", "", "", actor=region.epc,
                                    context=TEST)
    return services.create_model_version(
        region.la, name="Local", thresholds=(3, 6, 9), indicators=[
            IndicatorSetting("attendance_current", 3, [90, 80]), IndicatorSetting("exclusions_current", 3, [1]),
            IndicatorSetting("ks2_under", 1, [1]), IndicatorSetting("characteristic:young_carer", 2, [1]),
            IndicatorSetting("local:eal", 1, [1]), IndicatorSetting("local:moved_la", 1, [1])],
        actor=region.epc, context=TEST)


def test_indicator_labels_are_read_in_one_query(region, local_model, django_assert_num_queries):
    model = type(local_model).objects.prefetch_related("indicators").get(pk=local_model.pk)
    with django_assert_num_queries(1):
        labels = queries.indicator_labels(model)
    assert list(labels.values()) == ["Attendance this year", "Exclusions this year", "Key stage 2 under-attainment",
                                     "Young carer", "English as an additional language", "Moved into the LA"]


def test_indicator_labels_are_welsh_on_a_welsh_page_where_the_la_gave_welsh(region, local_model):
    with translation.override("cy"):
        labels = queries.indicator_labels(local_model)
    assert labels["local:eal"] == "Saesneg fel iaith ychwanegol"
    assert labels["local:moved_la"] == "Moved into the LA"  # no Welsh given: the LA's English words


def test_a_model_without_local_indicators_reads_no_local_labels(region, django_assert_num_queries):
    model = type(simple_model(region)).objects.prefetch_related("indicators").latest("pk")
    with django_assert_num_queries(0):
        assert queries.indicator_labels(model)["ks2_under"] == "Key stage 2 under-attainment"


def _local_label_reads(captured):
    return sum('FROM "identify_localindicator"' in q["sql"] for q in captured.captured_queries)


def test_explaining_a_page_of_results_reads_the_labels_once(client, region, bearer, local_model):
    pupils(region, [0.5, 0.6, 0.7, 0.99])
    run = _publish(services.create_run(local_model, academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                                       context=TEST))
    headers = bearer(region.epc)
    with CaptureQueriesContext(connection) as captured:
        body = client.get(f"/api/v1/identify/runs/{run.pk}/results", **headers).json()
    assert body["count"] == 4 and _local_label_reads(captured) == 1
    assert body["items"][0]["factors"][4]["label"] == "English as an additional language"
    with CaptureQueriesContext(connection) as captured:
        table = exports.rows(queries.results_visible_to(region.epc, run))
    assert len(table) == 5 and _local_label_reads(captured) == 1


# 3. Values as people read them -------------------------------------------------------------------------------------


def _factor(key, amount):
    return Factor(key, "label", amount, "rule", 1, 0)


def test_flags_read_yes_or_no_and_counts_take_their_plural():
    assert _factor("characteristic:young_carer", 1.0).value == "Yes"
    assert _factor("local:eal", 0.0).value == "No"
    assert _factor("exclusions_current", 1.0).value == "1 exclusion"
    assert _factor("exclusions_past", 2.0).value == "2 exclusions"
    assert _factor("ks2_under", 1.0).value == "1 subject below expected"
    assert _factor("attendance_current", 85.5).value == "85.5 per cent"


def test_missing_data_reads_no_data_for_flags_and_counts_alike():
    assert _factor("characteristic:young_carer", None).value == "No data"
    assert _factor("exclusions_current", None).value == "No data"
    assert _factor("exclusions_current", 0.0).value == "0 exclusions"


def test_the_explanation_and_the_risk_tab_say_yes_and_one_exclusion_not_yes_equals_one(client, region,
                                                                                        local_model):
    carer = pupils(region, [0.85])[0]
    people_services.add_characteristic(carer, "young_carer", start=datetime.date(2025, 1, 1), actor="test",
                                       context=TEST)
    Exclusion.objects.create(person=carer, date=datetime.date(2026, 10, 1), kind="fixed_term", days=1)
    run = _publish(services.create_run(local_model, academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                                       context=TEST))
    result = run.results.get(person=carer)
    client.force_login(region.school_staff)
    for url in (f"/identify/results/{result.pk}/", f"/people/{carer.pk}/risk/"):
        page = client.get(url).content.decode()
        assert "1 exclusion<" in page and ">Yes<" in page and ">No<" in page, url
        assert "yes = 1" not in page and "1 exclusions" not in page, url


# 4. The service navigation --------------------------------------------------------------------------------------------

NAV_LINK = 'class="govuk-service-navigation__link" href="/identify/">Early identification</a>'


def test_the_epc_and_school_staff_find_early_identification_in_the_navigation(client, region):
    for user in (region.epc, region.school_staff):
        client.force_login(user)
        assert NAV_LINK in client.get("/").content.decode()


def test_the_navigation_link_is_also_on_the_identify_pages_themselves(client, region):
    client.force_login(region.school_staff)
    assert NAV_LINK in client.get("/identify/").content.decode()


def test_a_provider_without_early_identification_has_no_link(client, region):
    client.force_login(region.provider_staff)
    assert NAV_LINK not in client.get("/").content.decode()


# 5. Withdrawing a run ----------------------------------------------------------------------------------------------


@pytest.fixture
def released(region):
    pupils(region, [0.5, 0.99])
    return _publish(services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY,
                                        actor=region.epc, context=TEST))


def test_the_epc_withdraws_a_run_with_a_reason_and_schools_no_longer_see_it(client, region, released):
    client.force_login(region.epc)
    before = client.get(f"/identify/runs/{released.pk}/").content.decode()
    assert 'data-testid="withdraw-form"' in before
    response = client.post(f"/identify/runs/{released.pk}/withdraw/", {"reason": "Wrong attendance file"})
    assert response.status_code == 302 and response["Location"] == f"/identify/runs/{released.pk}/"
    assert Run.objects.get(pk=released.pk).status == RunStatus.WITHDRAWN
    assert AuditEvent.objects.get(object_type="risk_run", object_id=str(released.pk), action="change").detail == {
        "withdrawn": "Wrong attendance file"}
    page = client.get(f"/identify/runs/{released.pk}/").content.decode()
    assert 'data-testid="withdrawn"' in page
    assert 'data-testid="withdraw-form"' not in page and 'data-testid="publish-form"' not in page
    client.force_login(region.school_staff)
    assert client.get(f"/identify/runs/{released.pk}/").status_code == 404


def test_a_withdrawal_without_a_reason_or_twice_shows_the_error_summary(client, region, released):
    client.force_login(region.epc)
    blank = client.post(f"/identify/runs/{released.pk}/withdraw/", {"reason": "  "})
    page = blank.content.decode()
    assert blank.status_code == 200 and "govuk-error-summary" in page and 'href="#reason"' in page
    assert "govuk-form-group--error" in page and Run.objects.get(pk=released.pk).status == RunStatus.PUBLISHED
    services.withdraw_run(released, reason="Wrong file", actor=region.epc, context=TEST)
    again = client.post(f"/identify/runs/{released.pk}/withdraw/", {"reason": "Again"})
    assert again.status_code == 200 and "already been withdrawn" in again.content.decode()


def test_only_the_runs_epc_may_withdraw_it(client, region, released):
    url = f"/identify/runs/{released.pk}/withdraw/"
    client.force_login(region.school_staff)
    assert 'data-testid="withdraw-form"' not in client.get(f"/identify/runs/{released.pk}/").content.decode()
    assert client.post(url, {"reason": "r"}).status_code == 403
    client.force_login(region.other_epc)
    assert client.post(url, {"reason": "r"}).status_code == 404
    client.force_login(region.epc)
    assert client.get(url).status_code == 403  # a withdrawal is a POST
    assert Run.objects.get(pk=released.pk).status == RunStatus.PUBLISHED


def test_the_api_withdraws_a_run_with_a_reason(client, region, bearer, released):
    response = client.post(f"/api/v1/identify/runs/{released.pk}/withdraw", {"reason": "Wrong attendance file"},
                           content_type=JSON, **bearer(region.epc))
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert client.get(f"/api/v1/identify/runs/{released.pk}", **bearer(region.school_staff)).status_code == 404


def test_the_api_refuses_a_blank_reason_or_a_second_withdrawal_with_400(client, region, bearer, released):
    headers, url = bearer(region.epc), f"/api/v1/identify/runs/{released.pk}/withdraw"
    blank = client.post(url, {"reason": " "}, content_type=JSON, **headers)
    assert blank.status_code == 400 and set(blank.json()["errors"]) == {"reason"}
    assert client.post(url, {}, content_type=JSON, **headers).status_code == 400
    assert Run.objects.get(pk=released.pk).status == RunStatus.PUBLISHED
    assert client.post(url, {"reason": "Wrong file"}, content_type=JSON, **headers).status_code == 200
    again = client.post(url, {"reason": "Again"}, content_type=JSON, **headers)
    assert again.status_code == 400 and "already been withdrawn" in str(again.json()["errors"])


def test_the_api_refuses_withdrawal_to_schools_and_hides_other_las_runs(client, region, bearer, released):
    url = f"/api/v1/identify/runs/{released.pk}/withdraw"
    assert client.post(url, {"reason": "r"}, content_type=JSON, **bearer(region.school_staff)).status_code == 403
    hidden = client.post(url, {"reason": "r"}, content_type=JSON, **bearer(region.other_epc))
    missing = client.post(f"/api/v1/identify/runs/{released.pk + 999}/withdraw", {"reason": "r"},
                          content_type=JSON, **bearer(region.other_epc))
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert Run.objects.get(pk=released.pk).status == RunStatus.PUBLISHED


def test_the_model_editor_previews_bands_on_todays_data_and_keeps_what_was_typed(client, region, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: DAY)
    pupils(region, [0.98, 0.85, 0.70])  # scores 0, 3 and 6 with the settings below
    client.force_login(region.epc)
    base = services.ensure_default_model(region.la, actor=region.epc, context=TEST)
    form = {"name": "Tighter", "note": "fewer identified", "threshold_low": "3", "threshold_medium": "6",
            "threshold_high": "9", "year_groups": ["10"], "run_terms": ["autumn"], "action": "preview",
            "use:attendance_current": "on", "weight:attendance_current": "3", "thresholds:attendance_current": "90, 80",
            "use:exclusions_current": "on", "weight:exclusions_current": "3", "thresholds:exclusions_current": "1",
            "use:ks2_under": "on", "weight:ks2_under": "1", "thresholds:ks2_under": "1"}
    page = client.post(f"/identify/models/{base.pk}/new-version/", form).content.decode()
    assert 'data-testid="preview"' in page and "67%" in page  # 2 of 3 pupils identified with these settings
    assert "More than half of the cohort is identified" in page
    assert 'value="Tighter"' in page and ">fewer identified</textarea>" in page  # nothing typed is lost
    assert RiskModel.objects.filter(la=region.la).count() == 1  # a preview saves nothing

    form |= {"threshold_medium": "2"}  # bands that do not rise: refused, with the form as typed
    page = client.post(f"/identify/models/{base.pk}/new-version/", form).content.decode()
    assert 'data-testid="preview"' not in page and "must rise" in page and 'value="2"' in page

    form |= {"threshold_medium": "6", "action": "save"}
    assert client.post(f"/identify/models/{base.pk}/new-version/", form).status_code == 302
    assert RiskModel.objects.filter(la=region.la).count() == 2


def test_a_released_result_offers_a_referral_to_brokerage_with_the_route_chosen(client, region, released):
    result = released.results.order_by("-score").first()
    client.force_login(region.school_staff)
    page = client.get(f"/identify/results/{result.pk}/").content.decode()
    link = f"/people/{result.person_id}/refer/?source=early_identification"
    assert link in page.replace("&amp;", "&")
    form = client.get(link)
    assert form.status_code == 200 and form.context["form"]["source"] == "early_identification"
