"""Early identification's pages as people read them: messages by kind, the term's name, support needs' names,
safeguard warnings for the EPC only, a neutral panel, units in the singular, no reproduction of a withdrawn run,
charts with a legend in the page's typeface, and the spacing of checkbox groups."""

import re
from pathlib import Path

import pytest
from django.contrib import messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory

from yep.identify import services
from yep.identify.models import Run
from yep.identify.queries import Factor
from yep.web.charts import stacked_bars

from ..factories import TEST
from .test_runs import DAY, TERM, YEAR, pupils, simple_model

SCSS = Path(__file__).resolve().parents[2] / "src" / "yep" / "web" / "scss" / "yep.scss"
OVER_HALF_TEXT = "check the thresholds before releasing this run"


@pytest.fixture
def draft(region):
    """A draft run in which two of three pupils are identified: more than half, so it carries a warning."""
    pupils(region, [0.85, 0.85, 0.99])
    return services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                               context=TEST)


def _release(run):
    return services.publish_run(run, confirm_warnings=True, actor=run.created_by, context=TEST)


def _page(client, user, url, language="en"):
    client.force_login(user)
    client.cookies["yep_language"] = language
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# 1. Messages by kind -----------------------------------------------------------------------------------------------


def test_a_refused_release_is_shown_as_a_problem_not_a_success(client, region, draft):
    client.force_login(region.epc)
    refused = client.post(f"/identify/runs/{draft.pk}/publish/", follow=True).content.decode()
    assert 'class="govuk-error-summary"' in refused and "There is a problem" in refused
    assert "Confirm that you have checked the warnings" in refused
    assert "govuk-notification-banner--success" not in refused and ">Success<" not in refused
    released = client.post(f"/identify/runs/{draft.pk}/publish/", {"confirm_warnings": "yes"},
                           follow=True).content.decode()
    assert re.search(r'govuk-notification-banner--success" role="alert"', released)
    assert ">Success<" in released and "The run is released" in released
    assert 'data-testid="message-errors"' not in released


def test_information_is_shown_in_an_important_banner_that_is_a_region(region):
    request = RequestFactory().get("/")
    request.user, request.session = region.epc, SessionStore()
    request._messages = FallbackStorage(request)
    messages.info(request, "Imports run overnight.")
    page = render_to_string("web/base.html", request=request)
    banner = re.search(r'<div class="govuk-notification-banner" role="region" aria-labelledby="(.+?)".*?</div>\s*'
                       r'</div>', page, re.S)
    assert banner and "Imports run overnight." in banner.group(0)
    assert f'id="{banner.group(1)}">Important<' in banner.group(0)
    assert "govuk-error-summary" not in page and ">Success<" not in page


# 2. The term's name, not its code ----------------------------------------------------------------------------------


def test_a_runs_term_is_shown_by_its_name_in_english_and_welsh(client, region, draft):
    english = _page(client, region.epc, f"/identify/runs/{draft.pk}/")
    assert "Early identification, Autumn 2026" in english and "autumn" not in english.lower().replace(
        "early identification, autumn", "")
    assert re.search(r"<title>Early identification, Autumn 2026 ", english)
    welsh = _page(client, region.epc, f"/identify/runs/{draft.pk}/", "cy")
    assert "Adnabod yn gynnar, Yr hydref 2026" in welsh and ", autumn" not in welsh
    assert re.search(r"<title>Adnabod yn gynnar, Yr hydref 2026 ", welsh)
    listed = _page(client, region.epc, "/identify/", "cy")
    assert "Yr hydref 2026/27" in listed and "autumn" not in listed


def test_the_model_page_names_the_terms_runs_are_made_in(client, region):
    model = simple_model(region, run_terms=["autumn", "summer"])
    assert model.run_term_labels == ["Autumn", "Summer"]
    page = _page(client, region.epc, f"/identify/models/{model.pk}/")
    assert "Autumn, Summer" in page and "autumn, summer" not in page


# 3. Support needs by name ------------------------------------------------------------------------------------------


def test_the_reviews_table_names_the_support_needs_in_english_and_welsh(client, region, draft):
    result = _release(draft).results.first()
    services.review_result(result, agreed_band=result.band, reason="Known to the school",
                           support_needs=["caring", "housing"], actor=region.school_staff, context=TEST)
    english = _page(client, region.school_staff, f"/identify/results/{result.pk}/")
    reviews = english[english.index('data-testid="reviews"'):]
    assert "Caring responsibilities, Housing" in reviews and "caring, housing" not in reviews
    welsh = _page(client, region.school_staff, f"/identify/results/{result.pk}/", "cy")
    assert "Cyfrifoldebau gofalu, Tai" in welsh[welsh.index('data-testid="reviews"'):]


# 4. Safeguard warnings: the EPC's, before release ------------------------------------------------------------------


def test_the_epc_sees_the_warnings_on_a_draft(client, region, draft):
    page = _page(client, region.epc, f"/identify/runs/{draft.pk}/")
    assert 'data-testid="warnings"' in page and OVER_HALF_TEXT in page
    assert 'data-testid="warnings-confirmed"' not in page


def test_school_staff_never_see_the_warnings_of_a_released_run(client, region, draft):
    page = _page(client, region.school_staff, f"/identify/runs/{_release(draft).pk}/")
    assert 'data-testid="warnings"' not in page and OVER_HALF_TEXT not in page
    assert 'data-testid="warnings-confirmed"' not in page


def test_once_released_the_epc_reads_that_the_warnings_were_confirmed(client, region, draft):
    page = _page(client, region.epc, f"/identify/runs/{_release(draft).pk}/")
    assert 'data-testid="warnings"' not in page and OVER_HALF_TEXT not in page
    assert 'data-testid="warnings-confirmed"' in page


# 5. The share identified is a neutral figure -----------------------------------------------------------------------


def test_the_share_identified_is_in_a_neutral_panel_that_has_a_style(client, region, draft):
    page = _page(client, region.epc, f"/identify/runs/{draft.pk}/")
    panel = re.search(r'<div class="([^"]*)" data-testid="identified-share">', page)
    assert panel and panel.group(1).split() == ["govuk-panel", "yep-panel-neutral"]
    style = re.search(r"\.yep-panel-neutral \{(.*?)\}", SCSS.read_text(), re.S)
    assert style and "background:" in style.group(1) and "color:" in style.group(1)


# 6. Units in the singular and plural -------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "amount", "reads"), [
    ("attendance_trend", 1.0, "1 percentage point"),
    ("attendance_trend", -1.0, "-1 percentage point"),
    ("attendance_trend", -2.0, "-2 percentage points"),
    ("attendance_trend", -2.5, "-2.5 percentage points"),
    ("attendance_trend", 0.0, "0 percentage points"),
    ("behaviour_current", 1.0, "1 incident, weighted by severity"),
    ("school_moves", 1.0, "1 move"),
    ("school_moves", 3.0, "3 moves"),
    ("attendance_current", 85.0, "85 per cent"),
])
def test_every_unit_takes_its_singular_or_plural(key, amount, reads):
    assert Factor(key, "label", amount, "rule", 1, 0).value == reads


# 7. A withdrawn run is not reproduced ------------------------------------------------------------------------------


def test_a_withdrawn_run_offers_no_reproduction_and_the_service_refuses_one(client, region, draft):
    page = _page(client, region.epc, f"/identify/runs/{draft.pk}/")
    assert 'data-testid="reproduce"' in page
    services.withdraw_run(draft, reason="Wrong attendance file", actor=region.epc, context=TEST)
    page = _page(client, region.epc, f"/identify/runs/{draft.pk}/")
    assert 'data-testid="reproduce"' not in page
    with pytest.raises(ValidationError, match="A withdrawn run cannot be reproduced"):
        services.reproduce_run(draft, actor=region.epc, context=TEST)
    refused = client.post(f"/identify/runs/{draft.pk}/reproduce/", follow=True)
    assert refused.redirect_chain == [(f"/identify/runs/{draft.pk}/", 302)]
    text = refused.content.decode()
    assert 'class="govuk-error-summary"' in text and "A withdrawn run cannot be reproduced." in text
    assert Run.objects.count() == 1


# 8. Charts: the page's typeface, a legend, a title and a description -----------------------------------------------


def test_the_run_chart_has_a_legend_of_the_bands_in_a_sans_serif_font(client, region, draft):
    page = _page(client, region.epc, f"/identify/runs/{draft.pk}/")
    svg = re.search(r"<svg .*?</svg>", page, re.S)
    assert svg is not None
    chart = svg.group(0)
    assert 'font-family="arial, sans-serif"' in chart and 'role="img"' in chart
    assert "<title>Pupils in each band, by school</title>" in chart and "<desc>" in chart
    for label in ("High", "Medium", "Low", "Not identified"):
        assert f">{label}</text>" in chart


def test_a_legend_wraps_to_fit_and_escapes_its_labels():
    one_row = stacked_bars("Bands", [("School", [("high", 1), ("low", 2)])],
                           legend=[("high", "<Red>"), ("low", "Green")])
    assert "&lt;Red&gt;" in one_row and "<Red>" not in one_row
    assert one_row.count('stroke="#0b0c0c"') == 2  # a swatch for each entry
    assert len(set(re.findall(r'<rect x="\d+" y="(\d+)" width="12"', one_row))) == 1
    two_rows = stacked_bars("Bands", [("School", [("high", 1), ("low", 2)])],
                            legend=[("high", "<Red>"), ("low", "A label too long to share a row " * 3)])
    assert len(set(re.findall(r'<rect x="\d+" y="(\d+)" width="12"', two_rows))) == 2
    height = re.compile(r'height="(\d+)" viewBox')
    assert int(height.search(two_rows).group(1)) > int(height.search(one_row).group(1))
    assert "<title>Bands</title>" in stacked_bars("Bands", [])


# 9. A checkbox group is spaced from the next field -----------------------------------------------------------------


def test_checkbox_fieldsets_sit_inside_a_form_group(client, region, draft):
    result = _release(draft).results.first()
    review = _page(client, region.school_staff, f"/identify/results/{result.pk}/")
    assert re.search(r'<div class="govuk-form-group">\s*<fieldset class="govuk-fieldset" id="support_needs">', review)
    make = _page(client, region.epc, "/identify/runs/new/")
    assert re.search(r'<div class="govuk-form-group">\s*<fieldset class="govuk-fieldset" id="year_groups">', make)
    assert "govuk-fieldset govuk-form-group" not in review + make
