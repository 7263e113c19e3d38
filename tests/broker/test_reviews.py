"""Multi-agency reviews (R36): recording who came, the lead worker's feedback, the risk as agreed and the next
review date; and the risk trend they build with early identification results."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import TEST
from yep.access.models import AuditEvent
from yep.broker.caseloads import REVIEW, risk_trend
from yep.broker.models import ReviewParticipant, SupportReview
from yep.broker.services.reviews import record_review

from . import test_support as shared
from .test_support import STARTED, TODAY

# The shared fixtures: an allocation 60 days old, and its lead worker.
allocation, worker = shared.allocation, shared.worker

PEOPLE = [{"name": "Ffion Lewis", "role": "Youth Service", "attended": True},
          {"name": "Mr Price", "role": "Head of year", "attended": False}]


def _review(package, actor, **changes):
    fields = {"held_on": TODAY - datetime.timedelta(days=5), "risk_band": "medium", "participants": PEOPLE,
              "lead_worker_feedback": "Attending more", "package_changes": "Drop the mentoring", **changes}
    return record_review(package, actor=actor, context=TEST, **fields)


def test_the_lead_worker_records_a_review_with_attendance_and_the_next_date(allocation, worker):
    next_review = TODAY + datetime.timedelta(weeks=13)
    review = _review(allocation.package, worker, next_review=next_review)
    assert [(p.name, p.attended) for p in review.participants.all()] == [("Ffion Lewis", True), ("Mr Price", False)]
    assert (review.risk_band, review.person_id, review.recorded_by) == ("medium", allocation.person_id, worker)
    allocation.package.refresh_from_db()
    assert allocation.package.next_review == next_review
    event = AuditEvent.objects.get(object_type="support_review", object_id=str(review.pk))
    assert event.person_id == allocation.person_id and event.detail["attended"] == 1


def test_someone_not_involved_cannot_record_a_review(region, allocation):
    with pytest.raises(PermissionDenied):
        _review(allocation.package, region.school_staff)
    assert AuditEvent.objects.filter(actor=region.school_staff, action="denied").exists()
    assert not SupportReview.objects.exists()


def test_a_review_in_the_future_without_people_or_band_is_refused_whole(allocation, worker):
    with pytest.raises(ValidationError) as error:
        _review(allocation.package, worker, held_on=TODAY + datetime.timedelta(days=1), risk_band="amber",
                participants=[], next_review=TODAY)
    assert set(error.value.message_dict) == {"held_on", "risk_band", "participants", "next_review"}
    before = STARTED - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        _review(allocation.package, worker, held_on=before, next_review=before,
                participants=[{"name": "A"}, {"name": " a "}, {"name": ""}])
    problems = error.value.message_dict
    assert set(problems) == {"held_on", "participants", "next_review"} and len(problems["participants"]) == 2
    assert not SupportReview.objects.exists() and not ReviewParticipant.objects.exists()


def test_the_risk_trend_has_a_point_per_review_oldest_first(allocation, worker):
    for days, band in ((40, "high"), (20, "medium"), (2, "medium")):
        _review(allocation.package, worker, held_on=TODAY - datetime.timedelta(days=days), risk_band=band)
    trend = risk_trend(allocation.person)
    assert [(p.band, p.source) for p in trend] == [("high", REVIEW), ("medium", REVIEW), ("medium", REVIEW)]
    assert [p.on for p in trend] == sorted(p.on for p in trend)
