"""Acceptance: early identification end to end through the pages (spec/framework-wales.md AT-1, AT-2), and the
default model's back-test on a synthetic population whose outcomes are known."""

import datetime

import pytest
from django.utils import timezone

from tests import factories
from yep.access.models import AuditEvent
from yep.identify.models import Attendance, Band, Result, RiskModel, Run
from yep.identify.services.loading import load_indicators
from yep.people.models import Organisation, OrganisationKind, Role
from yep.people.services.population import load_population
from yep.synth import SynthConfig, generate
from yep.track.services import load_activities

AS_OF = datetime.date(2026, 11, 23)
AT1_WEIGHTS = {"attendance_current": (3, "90, 80"), "attendance_trend": (2, "-3"), "exclusions_current": (3, "1"),
               "exclusions_past": (1, "1"), "ks2_under": (1, "1"), "ks3_under": (2, "1"),
               "characteristic:young_carer": (2, "1")}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    generate(SynthConfig(people=2500, seed=11, out=out, as_of=AS_OF, la_codes=("681",)))
    return out


@pytest.fixture
def cardiff(folder, db):
    """A synthetic Cardiff on the register with its school records and activity timeline; an EPC, and staff at the
    two largest schools."""
    register = load_population(folder, actor="test", context=factories.TEST)
    load_indicators(folder, register.person_ids, register.org_ids, actor="test", context=factories.TEST)
    load_activities(folder, register.person_ids, register.org_ids, actor="test", context=factories.TEST)
    la = Organisation.objects.get(kind=OrganisationKind.LA, code="681")
    schools = sorted(Organisation.objects.filter(kind=OrganisationKind.SCHOOL, la=la),
                     key=lambda s: -s.enrolments.filter(end__isnull=True).count())[:2]
    return {"la": la, "epc": factories.make_user(Role.EPC, la, "bg.epc"),
            "a": schools[0], "b": schools[1],
            "staff_a": factories.make_user(Role.SCHOOL_STAFF, schools[0], "staff.a"),
            "staff_b": factories.make_user(Role.SCHOOL_STAFF, schools[1], "staff.b")}


def _make_at1_model(client, la):
    client.get("/identify/runs/new/")  # the default model, version 1, appears on first use
    base = RiskModel.objects.get(la=la, version=1)
    form = {"name": "Blaenau Gwent style", "note": "AT-1", "threshold_low": "6", "threshold_medium": "9",
            "threshold_high": "12", "year_groups": [str(y) for y in range(2, 12)], "run_terms": ["autumn", "summer"]}
    for key, (weight, thresholds) in AT1_WEIGHTS.items():
        form |= {f"use:{key}": "on", f"weight:{key}": str(weight), f"thresholds:{key}": thresholds}
    response = client.post(f"/identify/models/{base.pk}/new-version/", form)
    assert response.status_code == 302
    return RiskModel.objects.get(la=la, version=2)


def _run(client, year, term):
    response = client.post("/identify/runs/new/", {"academic_year": str(year), "term": term,
                                                   "year_groups": [str(y) for y in range(2, 12)]})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Run.objects.latest("pk")


def test_at1_model_run_safeguards_school_isolation_comparison_and_reproduction(client, cardiff, monkeypatch):
    client.force_login(cardiff["epc"])
    model = _make_at1_model(client, cardiff["la"])
    assert [i.weight for i in model.indicators.all()] == [3, 2, 3, 1, 1, 2, 2]
    november = _run(client, 2026, "autumn")
    assert november.model == model and november.counts["cohort"] > 500
    page = client.get(f"/identify/runs/{november.pk}/").content.decode()
    assert f"{round(100 * november.identified_share)}% identified" in page
    flagged = Result.objects.filter(run=november).exclude(band=Band.NONE)
    assert flagged.exists() and all(r.score >= 6 for r in flagged)

    # A school sees nothing of a draft, then only its own pupils once released.
    client.force_login(cardiff["staff_a"])
    assert client.get(f"/identify/runs/{november.pk}/").status_code == 404
    client.force_login(cardiff["epc"])
    if november.warnings:  # over half flagged, or high not smallest: publishing needs an explicit confirmation
        client.post(f"/identify/runs/{november.pk}/publish/")
        assert Run.objects.get(pk=november.pk).status == "draft"
    client.post(f"/identify/runs/{november.pk}/publish/", {"confirm_warnings": "yes"})
    assert Run.objects.get(pk=november.pk).status == "published"
    client.force_login(cardiff["staff_a"])
    listing = client.get(f"/identify/runs/{november.pk}/results/?band=").content.decode()
    mine = Result.objects.filter(run=november, school=cardiff["a"])
    theirs = Result.objects.filter(run=november, school=cardiff["b"])
    assert mine.exists() and theirs.exists()
    assert all(f"/identify/results/{r.pk}/" in listing for r in mine.order_by("-score", "person")[:100])
    assert not any(f"/identify/results/{r.pk}/\"" in listing for r in theirs)
    assert client.get(f"/identify/results/{theirs.first().pk}/").status_code == 404

    # May: changed data, a second run, and a per-pupil comparison.
    Attendance.objects.filter(person__risk_results__run=november, academic_year=2026).update(sessions_attended=0)
    client.force_login(cardiff["epc"])
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2027, 5, 20))  # the summer term
    may = _run(client, 2026, "summer")
    client.post(f"/identify/runs/{may.pk}/publish/", {"confirm_warnings": "yes"})
    up = client.get(f"/identify/runs/{may.pk}/results/?change=up").content.decode()
    assert "Risk up" in up
    run_page = client.get(f"/identify/runs/{may.pk}/").content.decode()
    assert 'data-testid="changes"' in run_page

    # Re-running version 2 on the November snapshot gives identical results.
    response = client.post(f"/identify/runs/{november.pk}/reproduce/", follow=True)
    assert "every result is identical" in response.content.decode()
    copy = Run.objects.latest("pk")
    assert copy.reproduces == Run.objects.get(pk=november.pk)
    assert list(copy.results.order_by("person").values_list("person", "score", "band")) == list(
        Run.objects.get(pk=november.pk).results.order_by("person").values_list("person", "score", "band"))


def test_at2_practitioner_override_needs_a_reason_and_keeps_both_bands(client, cardiff):
    client.force_login(cardiff["epc"])
    run = _run(client, 2026, "autumn")
    client.post(f"/identify/runs/{run.pk}/publish/", {"confirm_warnings": "yes"})
    green = Result.objects.filter(run=run, school=cardiff["a"], band=Band.NONE).first()
    red = Result.objects.filter(run=run, school=cardiff["a"], band=Band.HIGH).first() or \
        Result.objects.filter(run=run, school=cardiff["a"]).exclude(band=Band.NONE).first()
    client.force_login(cardiff["staff_a"])
    saved = client.post(f"/identify/results/{green.pk}/", {"agreed_band": "high", "reason": "known transition "
                                                           "issues", "support_needs": ["careers"]}, follow=True)
    page = saved.content.decode()
    assert "Both the computed and the agreed band are kept" in page
    green.refresh_from_db()
    assert (green.band, green.agreed_band) == (Band.NONE, Band.HIGH)
    assert AuditEvent.objects.filter(action="change", object_type="risk_result", object_id=str(green.pk)).exists()
    refused = client.post(f"/identify/results/{red.pk}/", {"agreed_band": "none", "reason": ""})
    assert refused.status_code == 200 and "govuk-error-summary" in refused.content.decode()
    red.refresh_from_db()
    assert red.agreed_band == "" and not red.reviews.exists()


def test_the_default_model_ranks_an_earlier_cohort_better_than_chance(client, cardiff):
    client.force_login(cardiff["epc"])
    client.get("/identify/runs/new/")
    model = RiskModel.objects.get(la=cardiff["la"], version=1)
    response = client.post(f"/identify/models/{model.pk}/evidence/", {"cohort_year": "2024", "caseload": "40",
                                                                      "months": "12", "challenger": "on"})
    assert response.status_code == 302
    report = model.backtests.get()
    overall = report.metrics["overall"]
    assert overall["auc"] > 0.6
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="subgroups"' in page and str(overall["auc"]) in page
