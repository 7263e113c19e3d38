"""Risk models, runs and reviews: what an EPC and a school rely on."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from yep.access.models import AuditEvent
from yep.identify import queries, services, simulate
from yep.identify.models import Attendance, Band, Exclusion, Result, RunStatus
from yep.identify.services import IndicatorSetting
from yep.identify.services.runs import HIGH_NOT_SMALLEST, OVER_HALF

from .. import factories
from ..factories import TEST

YEAR, TERM = 2026, "autumn"
DAY = datetime.date(2026, 11, 20)


def attend(person, rate, year=YEAR, term=TERM, possible=100):
    Attendance.objects.create(person=person, academic_year=year, term=term, sessions_possible=possible,
                              sessions_attended=round(possible * rate))


def pupils(region, rates, school=None, year_group=10):
    """Pupils in ``year_group`` this year (by date of birth), with this autumn's attendance at each rate
    (None: no return yet) and a good summer last year."""
    people = []
    for n, rate in enumerate(rates):
        person = factories.make_person("681", legal_forenames=f"Pupil{n}", legal_surname="Jones",
                                       dob=f"{YEAR - year_group - 4}-01-15", upn=factories.valid_upn("681"))
        factories.enrol(person, school or region.school, year_group=year_group)
        if rate is not None:
            attend(person, rate)
        attend(person, 0.97, year=YEAR - 1, term="summer")
        people.append(person)
    return people


def simple_model(region, thresholds=(3, 6, 9), **extra):
    return services.create_model_version(
        region.la, name="Test", thresholds=thresholds, indicators=[
            IndicatorSetting("attendance_current", 3, [90, 80]),
            IndicatorSetting("exclusions_current", 3, [1]),
            IndicatorSetting("ks2_under", 1, [1])], actor=region.epc, context=TEST, **extra)


def test_a_run_scores_every_pupil_and_keeps_its_inputs(region):
    good, poor, absent, unknown = pupils(region, [0.98, 0.85, 0.70, None])
    Exclusion.objects.create(person=absent, date=datetime.date(2026, 10, 1), kind="fixed_term", days=2)
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    results = {r.person_id: r for r in run.results.all()}
    assert results[good.pk].band == Band.NONE and results[good.pk].score == 0
    assert results[poor.pk].score == 3 and results[poor.pk].band == Band.LOW
    assert results[absent.pk].score == 9 and results[absent.pk].band == Band.HIGH
    assert results[absent.pk].inputs[:2] == [70.0, 1.0]
    assert results[unknown.pk].inputs[0] is None  # no attendance returned: no points, and it says so
    factors = queries.explain(results[absent.pk])
    assert [f.points for f in factors] == [6, 3, 0]
    assert region.pupil.pk not in results  # Year 13 by date of birth: not in Years 7-11
    assert run.counts["cohort"] == 4 and run.status == RunStatus.DRAFT


def test_a_model_without_the_core_indicators_or_with_muddled_bands_is_refused(region):
    with pytest.raises(ValidationError) as refused:
        services.create_model_version(region.la, name="x", thresholds=(5, 4, 9), indicators=[
            IndicatorSetting("attendance_current", 3, [80, 90])], actor=region.epc, context=TEST)
    messages = refused.value.message_dict
    assert "thresholds" in messages
    assert any("compulsory" in m for m in messages["indicators"])
    assert any("more serious" in m for m in messages["indicators"])


def test_changing_a_model_makes_a_new_version_and_old_runs_keep_theirs(region):
    pupils(region, [0.85])
    first = simple_model(region)
    run = services.create_run(first, academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc, context=TEST)
    second = simple_model(region, thresholds=(6, 9, 12))
    assert (first.version, second.version) == (1, 2)
    run.refresh_from_db()
    assert run.model == first and first.indicators.count() == 3


def test_publishing_over_half_flagged_needs_explicit_confirmation(region):
    pupils(region, [0.5, 0.5, 0.6, 0.99])
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    assert OVER_HALF in run.warnings and HIGH_NOT_SMALLEST not in run.warnings
    with pytest.raises(ValidationError):
        services.publish_run(run, actor=region.epc, context=TEST)
    assert run.__class__.objects.get(pk=run.pk).status == RunStatus.DRAFT
    published = services.publish_run(run, confirm_warnings=True, actor=region.epc, context=TEST)
    assert published.status == RunStatus.PUBLISHED and published.warnings_confirmed


def test_reproducing_a_run_from_its_snapshot_gives_identical_results(region):
    people = pupils(region, [0.5, 0.86, 0.99])
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    attend(people[1], 0.1, term="spring")  # later data changes nothing in the snapshot
    again = services.reproduce_run(run, actor=region.epc, context=TEST)
    mine = list(run.results.order_by("person_id").values_list("person_id", "score", "band", "points"))
    theirs = list(again.results.order_by("person_id").values_list("person_id", "score", "band", "points"))
    assert mine == theirs and again.input_digest == run.input_digest and again.counts == run.counts


def test_a_school_sees_only_its_own_pupils_and_only_once_released(region):
    pupils(region, [0.5])
    other_school = factories.make_organisation("school", "681", "Cardiff High")
    pupils(region, [0.6], school=other_school)
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    assert queries.results_visible_to(region.school_staff, run).count() == 0
    assert queries.results_visible_to(region.epc, run).count() == 2
    services.publish_run(run, confirm_warnings=True, actor=region.epc, context=TEST)
    seen = queries.results_visible_to(region.school_staff, run)
    assert {r.school_id for r in seen} == {region.school.pk} and seen.count() == 1
    assert queries.results_visible_to(region.provider_staff, run).count() == 0
    assert queries.results_visible_to(region.other_epc, run).count() == 0


def test_a_review_keeps_both_bands_and_needs_a_reason(region):
    green = pupils(region, [0.99])[0]
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    services.publish_run(run, actor=region.epc, context=TEST)
    result = run.results.get(person=green)
    with pytest.raises(ValidationError) as refused:
        services.review_result(result, agreed_band=Band.HIGH, reason=" ", actor=region.school_staff, context=TEST)
    assert "reason" in refused.value.message_dict
    review = services.review_result(result, agreed_band=Band.HIGH, reason="known transition issues",
                                    young_person_view="Worried about moving", support_needs=["careers"],
                                    actor=region.school_staff, context=TEST)
    result.refresh_from_db()
    assert (result.band, result.agreed_band, review.action) == (Band.NONE, Band.HIGH, "raise")
    assert AuditEvent.objects.filter(object_type="risk_result", object_id=str(result.pk), action="change").exists()


def test_other_schools_and_providers_cannot_review(region):
    pupils(region, [0.5])
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    result = run.results.first()
    with pytest.raises(PermissionDenied):  # not released yet
        services.review_result(result, agreed_band=Band.LOW, reason="r", actor=region.school_staff, context=TEST)
    services.publish_run(run, confirm_warnings=True, actor=region.epc, context=TEST)
    for outsider in (region.provider_staff, region.other_epc, region.analyst):
        with pytest.raises(PermissionDenied):
            services.review_result(result, agreed_band=Band.LOW, reason="r", actor=outsider, context=TEST)
    assert Result.objects.get(pk=result.pk).agreed_band == ""
    assert AuditEvent.objects.filter(action="denied", object_type="risk_result").count() == 4


def test_a_pupil_the_data_missed_can_be_added(region):
    pupils(region, [0.99])
    younger = pupils(region, [0.99], year_group=6)[0]
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST, year_groups=[10, 11])
    review = services.add_pupil(run, younger.pk, agreed_band=Band.MEDIUM, reason="Young carer at home",
                                actor=region.epc, context=TEST)
    assert review.action == "add" and review.result.added_by_review and review.result.year_group == 6
    with pytest.raises(ValidationError):
        services.add_pupil(run, younger.pk, agreed_band=Band.HIGH, reason="again", actor=region.epc, context=TEST)


def test_run_to_run_comparison_says_up_down_or_same(region):
    better, worse, same = pupils(region, [0.7, 0.99, 0.85])
    model = simple_model(region)
    first = services.create_run(model, academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc, context=TEST)
    services.publish_run(first, confirm_warnings=True, actor=region.epc, context=TEST)
    attend(better, 0.99, term="spring")
    attend(worse, 0.5, term="spring")
    attend(same, 0.85, term="spring")
    second = services.create_run(model, academic_year=YEAR, term="spring", as_of=datetime.date(2027, 3, 20),
                                 actor=region.epc, context=TEST)
    assert queries.previous_run(second) == first
    changes = {c.person_id: c.direction for c in queries.compare(second.results.all(), first)}
    assert changes[better.pk] == "down" and changes[worse.pk] == "up" and changes[same.pk] == "same"


def test_a_run_for_a_term_not_yet_started_or_odd_year_groups_is_refused(region, monkeypatch):
    pupils(region, [0.85])
    model = simple_model(region)
    monkeypatch.setattr(timezone, "localdate", lambda *args: DAY)
    with pytest.raises(ValidationError) as refused:
        services.create_run(model, academic_year=YEAR, term="spring", actor=region.epc, context=TEST)
    assert "term" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.create_run(model, academic_year=YEAR, term="winter", year_groups=[10, 99], actor=region.epc,
                            context=TEST)
    assert set(refused.value.message_dict) == {"term", "year_groups"}
    run = services.create_run(model, academic_year=YEAR, term=TERM, actor=region.epc, context=TEST)
    assert run.as_of == DAY  # the term is not over: the data as it stands today
    assert model.runs.count() == 1


def test_a_withdrawn_run_cannot_be_withdrawn_again_or_reviewed(region):
    pupils(region, [0.5])
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, actor=region.epc,
                              context=TEST)
    services.publish_run(run, confirm_warnings=True, actor=region.epc, context=TEST)
    with pytest.raises(ValidationError):
        services.withdraw_run(run, reason="  ", actor=region.epc, context=TEST)
    services.withdraw_run(run, reason="wrong attendance file", actor=region.epc, context=TEST)
    with pytest.raises(ValidationError):
        services.withdraw_run(run, reason="again", actor=region.epc, context=TEST)
    result = run.results.first()
    for reviewer in (region.epc, region.school_staff):
        with pytest.raises(PermissionDenied):
            services.review_result(result, agreed_band=Band.LOW, reason="r", actor=reviewer, context=TEST)
    assert AuditEvent.objects.filter(object_type="risk_run", object_id=str(run.pk), action="change").count() == 1


def test_a_what_if_preview_counts_bands_as_a_run_would_and_saves_nothing(region):
    pupils(region, [0.98, 0.85, 0.85, 0.70])
    settings = [IndicatorSetting("attendance_current", 3, [90, 80]), IndicatorSetting("exclusions_current", 3, [1]),
                IndicatorSetting("ks2_under", 1, [1])]
    loose = simulate.preview(region.la, thresholds=(3, 6, 9), indicators=settings, year_groups=[10], day=DAY,
                             actor=region.epc, context=TEST)
    assert (loose.counts["low"], loose.counts["medium"], loose.identified) == (2, 1, 3)
    assert OVER_HALF in loose.warnings
    strict = simulate.preview(region.la, thresholds=(6, 7, 9), indicators=settings, year_groups=[10], day=DAY,
                              actor=region.epc, context=TEST)
    assert (strict.counts["low"], strict.identified, strict.warnings) == (1, 1, [])
    run = services.create_run(simple_model(region), academic_year=YEAR, term=TERM, as_of=DAY, year_groups=[10],
                              actor=region.epc, context=TEST)
    assert run.counts == loose.counts
    with pytest.raises(ValidationError):
        simulate.preview(region.la, thresholds=(6, 3, 9), indicators=settings[:1], year_groups=[10], day=DAY,
                         actor=region.epc, context=TEST)
    assert AuditEvent.objects.filter(object_type="risk_preview").count() == 2
