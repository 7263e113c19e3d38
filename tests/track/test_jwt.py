"""Jobs without training, the reads and the services: the priority list (who is on it, in what order, whose it
is), the Youth Guarantee status, logging contacts, arranging, deciding and starting an offer of training, and
who may do each."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests import factories
from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.people.models import OrganisationKind
from yep.track import jwt
from yep.track.models import Activity, CareersContact, TrainingOffer
from yep.track.queries import person_timeline
from yep.track.services_jwt import arrange_offer, commence_offer, decide_offer, log_jwt_contact

from . import test_jwt_setup
from .test_jwt_setup import add_activity, days_ago, dob_for

careers, employer, jwt_worker = test_jwt_setup.careers, test_jwt_setup.employer, test_jwt_setup.jwt_worker


def _offer(region, person, actor, **overrides):
    values = {"kind": "day_release", "provider": region.college, "level": 2, "starts_on": days_ago(-14),
              "notes": ""} | overrides
    return arrange_offer(person, **values, actor=actor, context=TEST)


# The list ---------------------------------------------------------------------------------------------------------


def test_the_list_puts_16_year_olds_first_then_the_longest_in_a_job_without_training(region, careers, jwt_worker):
    older = jwt_worker("Owain", age=17, since=300)
    newer16 = jwt_worker("Nia", age=16, since=20)
    longer16 = jwt_worker("Ffion", age=16, since=90)
    jwt_worker("Gareth", age=18, since=10)
    rows = jwt.jwt_list_for(careers.adviser)
    assert [r.person.legal_forenames for r in rows] == ["Ffion", "Nia", "Owain", "Gareth"]
    first = rows[0]
    assert (first.academic_age, first.hours, first.employer.name, first.since, first.days_in_jwt, first.tier) == (
        16, 30, "Caffi'r Bae", days_ago(90), 90, 5)
    assert {r.person for r in jwt.jwt_list_for(careers.adviser, ages=[16])} == {newer16, longer16}
    assert older in {r.person for r in jwt.jwt_list_for(region.epc)}


def test_the_list_leaves_out_other_activities_other_ages_and_other_areas(region, careers, jwt_worker, employer):
    at_college = factories.make_person("681", dob=dob_for(16).isoformat())
    add_activity(at_college, 230, start=days_ago(30), hours=21, organisation=region.college)
    moved_on = jwt_worker("Cerys", since=100)
    add_activity(moved_on, 310, start=days_ago(5), hours=30, organisation=employer)
    jwt_worker("Iwan", age=19)
    swansea = jwt_worker("Rhys", la_code="670")
    assert jwt.jwt_list_for(careers.adviser) == []
    assert [r.person for r in jwt.jwt_list_for(careers.other_adviser)] == [swansea]
    assert [r.person for r in jwt.jwt_list_for(region.other_epc)] == [swansea]


def test_nobody_outside_the_careers_service_and_the_epc_gets_a_list(region, careers, jwt_worker):
    jwt_worker()
    for user in (region.school_staff, region.provider_staff, region.analyst):
        assert jwt.jwt_list_for(user) == []


def test_a_job_re_confirmed_counts_from_the_first_time_and_shows_the_latest_contact_and_offer(
        region, careers, jwt_worker, employer):
    ffion = jwt_worker(since=200)
    add_activity(ffion, 330, start=days_ago(40), hours=35, organisation=employer)
    log_jwt_contact(ffion, method="phone", outcome="no_answer", actor=careers.adviser, context=TEST,
                    at=timezone.now() - datetime.timedelta(days=3))
    spoke = log_jwt_contact(ffion, method="phone", outcome="contacted", actor=careers.adviser, context=TEST)
    offer = _offer(region, ffion, careers.adviser)
    row = jwt.jwt_list_for(careers.adviser)[0]
    assert (row.since, row.hours, row.last_contact, row.open_offer) == (days_ago(200), 35, spoke, offer)


def test_the_list_costs_the_same_queries_for_one_or_many(region, careers, jwt_worker,
                                                       django_assert_max_num_queries):
    for n in range(6):
        person = jwt_worker(f"Person{n}", age=16 + n % 3)
        log_jwt_contact(person, method="phone", outcome="contacted", actor=careers.adviser, context=TEST)
    with django_assert_max_num_queries(12):
        assert len(jwt.jwt_list_for(careers.adviser)) == 6


# The Youth Guarantee status ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "level", "expected", "counts"), [
    (330, None, "jwt", False),
    (330, 3, "jwt", False),
    (320, 2, "employment_with_training", True),
    (340, 3, "employment_with_training", True),
    (340, 1, "training_below_level_2", False),
    (381, None, "training_level_not_recorded", False),
    (360, 2, "employment_with_training", True),
    (380, None, "employment_without_training", False),
    (310, None, "apprenticeship", True),
    (450, None, "traineeship", True),
    (230, None, "course", True),
    (250, None, "other", False),
    (619, None, "neet", False),
    (810, None, "not_known", False),
])
def test_the_guarantee_counts_places_and_employment_with_training_at_level_2_not_jobs_without_training(
        region, code, level, expected, counts):
    person = factories.make_person("681", dob=dob_for(17).isoformat())
    add_activity(person, code, start=days_ago(10), hours=30, training_level=level)
    status = jwt.guarantee_status(person)
    assert (status.code, status.counts) == (expected, counts)
    assert str(status.label)


def test_the_guarantee_does_not_apply_outside_16_to_18_or_without_an_activity(region):
    older = factories.make_person("681", dob=dob_for(19).isoformat())
    add_activity(older, 230, start=days_ago(10))
    assert jwt.guarantee_status(older).code == "outside_ages"
    assert jwt.guarantee_status(factories.make_person("681", dob=dob_for(16).isoformat())).code == "not_known"


# Contacts -------------------------------------------------------------------------------------------------------


def test_a_careers_adviser_logs_a_jwt_contact_and_it_is_audited(region, careers, jwt_worker):
    ffion = jwt_worker()
    contact = log_jwt_contact(ffion, method="phone", outcome="contacted", notes="  Keen on catering.  ",
                              actor=careers.adviser, context=TEST)
    assert (contact.purpose, contact.notes, contact.by, contact.by_label) == (
        "jwt", "Keen on catering.", careers.adviser, "cw.adviser")
    event = AuditEvent.objects.filter(object_type="careers_contact").get()
    assert (event.person_id, event.action, event.detail["outcome"]) == (ffion.pk, "create", "contacted")


def test_only_the_careers_service_and_epc_of_the_area_may_log_a_contact(region, careers, jwt_worker):
    ffion = jwt_worker()
    for user in (careers.other_adviser, region.other_epc, region.school_staff, region.provider_staff):
        with pytest.raises(PermissionDenied):
            log_jwt_contact(ffion, method="phone", outcome="contacted", actor=user, context=TEST)
    assert not CareersContact.objects.exists()
    assert AuditEvent.objects.filter(action="denied", person_id=ffion.pk).count() == 4


def test_a_bad_contact_lists_every_problem_and_writes_nothing(region, careers, jwt_worker):
    ffion = jwt_worker()
    with pytest.raises(ValidationError) as problem:
        log_jwt_contact(ffion, method="pigeon", outcome="maybe", notes="x" * 2001, actor=careers.adviser,
                        context=TEST, at=timezone.now() + datetime.timedelta(days=1))
    assert set(problem.value.message_dict) == {"method", "outcome", "notes", "at"}
    at_college = factories.make_person("681", dob=dob_for(16).isoformat())
    add_activity(at_college, 230, start=days_ago(30), hours=21)
    with pytest.raises(ValidationError) as problem:
        log_jwt_contact(at_college, method="phone", outcome="contacted", actor=careers.adviser, context=TEST)
    assert set(problem.value.message_dict) == {"person"}
    assert not CareersContact.objects.exists()


# Offers ---------------------------------------------------------------------------------------------------------


def test_an_offer_is_arranged_accepted_and_started_and_the_jwt_flag_clears(region, careers, jwt_worker):
    ffion = jwt_worker(hours=30)
    offer = _offer(region, ffion, careers.adviser, level=3)
    assert (offer.status, offer.level, offer.provider, offer.arranged_by) == ("arranged", 3, region.college,
                                                                                careers.adviser)
    decide_offer(offer, status="accepted", actor=careers.adviser, context=TEST)
    commence_offer(offer, on=timezone.localdate(), actor=careers.adviser, context=TEST)
    offer.refresh_from_db()
    started = Activity.objects.get(pk=offer.activity_id)
    assert (offer.status, started.code.code, started.hours_per_week, started.training_level) == (
        "commenced", 320, 30, 3)
    assert started.organisation.name == "Caffi'r Bae"
    assert Activity.objects.filter(person=ffion, code__code=330, end__isnull=True).exists()  # nothing ended
    now = person_timeline(ffion).now
    assert (now.jwt, now.tier) == (False, 5)
    assert jwt.jwt_list_for(careers.adviser) == []
    assert jwt.guarantee_status(ffion).code == "employment_with_training"
    audited = AuditEvent.objects.filter(object_type="training_offer", person_id=ffion.pk)
    assert list(audited.values_list("action", flat=True).order_by("pk")) == ["create", "change", "change"]


@pytest.mark.parametrize(("kind", "hours", "code", "where"), [
    ("employer_training", 12, 340, "employer"),
    ("apprenticeship", 37, 310, "employer"),
    ("traineeship", 30, 450, "provider"),
    ("course", 30, 230, "provider"),
])
def test_each_kind_of_offer_starts_the_activity_it_should(region, careers, jwt_worker, employer, kind, hours,
                                                          code, where):
    person = jwt_worker(hours=hours)
    provider = factories.make_organisation(OrganisationKind.WBL_PROVIDER, "681", "ACT Training") \
        if kind in ("traineeship", "apprenticeship") else region.college
    offer = _offer(region, person, careers.adviser, kind=kind, provider=provider)
    commence_offer(offer, on=timezone.localdate(), actor=careers.adviser, context=TEST)
    offer.refresh_from_db()
    started = offer.activity
    assert started.code.code == code
    assert started.organisation == (employer if where == "employer" else provider)
    assert person_timeline(person).now.jwt is False


def test_an_offer_needs_a_job_without_training_a_level_and_a_sensible_start(region, careers, jwt_worker):
    ffion = jwt_worker()
    for level, starts_on, problems in [
        (0, days_ago(400), {"level", "starts_on"}),
        (9, days_ago(-800), {"level", "starts_on"}),
        ("two", "next week", {"level", "starts_on"}),
        (2, None, {"starts_on"}),
    ]:
        with pytest.raises(ValidationError) as problem:
            _offer(region, ffion, careers.adviser, level=level, starts_on=starts_on)
        assert set(problem.value.message_dict) == problems
    with pytest.raises(ValidationError) as problem:
        _offer(region, ffion, careers.adviser, kind="day_release", provider=None)
    assert set(problem.value.message_dict) == {"provider"}
    with pytest.raises(ValidationError) as problem:
        _offer(region, ffion, careers.adviser, kind="day_release", provider=region.la)
    assert set(problem.value.message_dict) == {"provider"}
    at_college = factories.make_person("681", dob=dob_for(16).isoformat())
    add_activity(at_college, 230, start=days_ago(30), hours=21)
    with pytest.raises(ValidationError) as problem:
        _offer(region, at_college, careers.adviser)
    assert set(problem.value.message_dict) == {"person"}
    assert not TrainingOffer.objects.exists()


def test_training_with_the_employer_may_name_the_employer_or_nobody(region, careers, jwt_worker, employer):
    ffion = jwt_worker()
    assert _offer(region, ffion, careers.adviser, kind="employer_training", provider=employer).provider == employer
    assert _offer(region, ffion, careers.adviser, kind="employer_training", provider=None).provider is None


def test_another_area_cannot_arrange_decide_or_start_an_offer(region, careers, jwt_worker):
    ffion = jwt_worker()
    offer = _offer(region, ffion, careers.adviser)
    with pytest.raises(PermissionDenied):
        _offer(region, ffion, careers.other_adviser)
    with pytest.raises(PermissionDenied):
        decide_offer(offer, status="accepted", actor=region.other_epc, context=TEST)
    with pytest.raises(PermissionDenied):
        commence_offer(offer, on=timezone.localdate(), actor=careers.other_adviser, context=TEST)
    offer.refresh_from_db()
    assert (TrainingOffer.objects.count(), offer.status) == (1, "arranged")


def test_a_settled_offer_cannot_be_decided_again_or_started(region, careers, jwt_worker):
    ffion = jwt_worker()
    offer = _offer(region, ffion, careers.adviser)
    with pytest.raises(ValidationError) as problem:
        decide_offer(offer, status="commenced", actor=careers.adviser, context=TEST)
    assert set(problem.value.message_dict) == {"status"}
    decide_offer(offer, status="declined", actor=careers.adviser, context=TEST)
    with pytest.raises(ValidationError):
        decide_offer(offer, status="accepted", actor=careers.adviser, context=TEST)
    with pytest.raises(ValidationError) as problem:
        commence_offer(offer, on=timezone.localdate(), actor=careers.adviser, context=TEST)
    assert set(problem.value.message_dict) == {"status"}
    offer.refresh_from_db()
    assert offer.status == "declined" and not Activity.objects.filter(source__startswith="jwt_follow_up").exists()


def test_a_start_cannot_be_in_the_future_or_before_the_job(region, careers, jwt_worker):
    ffion = jwt_worker(since=60)
    offer = _offer(region, ffion, careers.adviser)
    for on in (days_ago(-1), days_ago(61), "soon"):
        with pytest.raises(ValidationError) as problem:
            commence_offer(offer, on=on, actor=careers.adviser, context=TEST)
        assert set(problem.value.message_dict) == {"on"}
    offer.refresh_from_db()
    assert offer.status == "arranged" and offer.activity is None
    assert Activity.objects.filter(person=ffion).count() == 1


def test_the_epc_may_follow_up_too(region, careers, jwt_worker):
    ffion = jwt_worker()
    assert region.epc.has_perm("track.follow_up_jwt")
    offer = _offer(region, ffion, region.epc)
    assert decide_offer(offer, status="withdrawn", actor=region.epc, context=TEST).status == "withdrawn"
