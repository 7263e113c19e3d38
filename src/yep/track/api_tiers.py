"""Tracking API: a young person's activity timeline with their derived tier, and the tier counts of the areas the
caller tracks. A person the caller may not see gets the same 404 as one that does not exist; reads are audited."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for, require_category
from yep.people.schemas import Error, RecordId

from . import queries, tiers

router = Router()


class Invalid(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


class ActivityOut(Schema):
    id: int
    code: int
    label: str
    organisation: str | None
    hours_per_week: int | None
    start: datetime.date
    end: datetime.date | None
    source: str


class StatusOut(Schema):
    """A derived status: ``tier`` is null outside academic ages 16-18."""

    on: datetime.date
    academic_age: int
    tier: int | None
    risk: str | None
    jwt: bool
    reason: str
    explanation: str
    activity_id: int | None
    rules: str


class TimelineOut(Schema):
    activities: list[ActivityOut]
    status: StatusOut
    history: list[StatusOut]


class TierRow(Schema):
    tier: int
    ages: dict[str, int]
    total: int


class TierCountsOut(Schema):
    on: datetime.date
    since: datetime.date
    tiers: list[TierRow]
    total: int
    jwt: int
    movement: list[list[int]]


def _status(s: tiers.Status) -> dict[str, Any]:
    return {"on": s.on, "academic_age": s.academic_age, "tier": s.tier, "risk": s.risk, "jwt": s.jwt,
            "reason": s.reason, "explanation": s.explanation, "rules": s.rules,
            "activity_id": s.activity.ref if s.activity else None}


@router.get("/people/{person_id}/timeline", response={200: TimelineOut, 403: Error, 404: Error},
            summary="Read a young person's activity timeline and tier")
@requires("track.view_timeline")
def person_timeline(request: HttpRequest, person_id: RecordId) -> dict[str, Any]:
    """Activities newest first, the tier today with its reason, and the tier at the last 12 month-ends."""
    context = audit.AuditContext.from_request(request, CASEWORK, "api")
    person, decision = get_person_for(request.user, person_id, CASEWORK, context,
                                      (categories.IDENTITY, categories.ENROLMENTS))
    require_category(request.user, decision, categories.ENROLMENTS, context)
    timeline = queries.person_timeline(person, until=decision.as_of, rules=queries.rules_for())
    return {"activities": [{"id": a.pk, "code": a.code.code, "label": a.code.label, "hours_per_week": a.hours_per_week,
                            "organisation": a.organisation.display_name if a.organisation else None,
                            "start": a.start, "end": a.end, "source": a.source} for a in timeline.activities],
            "status": _status(timeline.now), "history": [_status(s) for s in timeline.history]}


@router.get("/tiers", response={200: TierCountsOut, 400: Invalid, 403: Error},
            summary="Count the 16-18 cohort by tier and age")
@requires("track.view_tiers")
def tier_counts(request: HttpRequest, on: str = "") -> dict[str, Any]:
    """The cohort of the areas you track (the EPC's LA, the LAs a careers service covers) by tier and academic age
    as at ``on`` (YYYY-MM-DD, default today), and the movement since the previous month-end as a 6 x 6 matrix
    (row: tier then, column: tier now; 0: not in the 16-18 cohort)."""
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(on) if on else today
    except ValueError:
        raise ValidationError({"on": [_("Enter the date as year-month-day, for example 2026-10-31.")]}) from None
    if day > today:
        raise ValidationError({"on": [_("The date cannot be in the future.")]})
    cohort = queries.cohort_tiers(request.user, day, rules=queries.rules_for())
    return {"on": cohort.on, "since": cohort.since, "total": cohort.total, "jwt": cohort.jwt,
            "tiers": [{"tier": r["tier"], "ages": dict(zip(map(str, tiers.AGES), r["ages"], strict=True)),
                       "total": r["total"]} for r in cohort.rows()],
            "movement": [[int(n) for n in row] for row in cohort.movement]}
