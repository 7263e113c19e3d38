"""Tracking API: a young person's activity timeline with their derived tier, and the tier counts of the areas the
caller tracks. A person the caller may not see gets the same 404 as one that does not exist; reads are audited."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from yep.access import audit, categories
from yep.access.guards import requires
from yep.access.policy import CASEWORK, get_person_for, las_served, require_category
from yep.people.models import Organisation, Role
from yep.people.schemas import Error, RecordId

from . import queries, services, services_rules, tiers
from .models import PostSixteenRiskRule

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
    confidence: str


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
    confirming: int
    handed_over: int


class GuaranteeRow(Schema):
    ages: str
    eet: int
    neet: int
    not_known: int


class GuaranteeOut(Schema):
    on: datetime.date
    eet: int
    neet: int
    not_known: int
    by_age: list[GuaranteeRow]


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
                            "start": a.start, "end": a.end, "source": a.source, "confidence": a.confidence}
                           for a in timeline.activities],
            "status": _status(timeline.now), "history": [_status(s) for s in timeline.history]}


class ActivityIn(Schema):
    """``code``: an NCCIS activity code; ``organisation_id``: the provider or employer on the register, if any;
    ``training_level``: the level of a regulated qualification studied with a job or training (1-8); ``source``:
    careers_service, lead_worker, young_person, school, provider or dwp."""

    code: int
    start: datetime.date
    end: datetime.date | None = None
    hours_per_week: int | None = None
    organisation_id: int | None = None
    training_level: int | None = None
    source: str = "careers_service"
    confidence: str = "high"


@router.post("/people/{person_id}/activities", response={201: ActivityOut, 400: Invalid, 403: Error, 404: Error},
             summary="Record what a young person is doing")
@requires("track.record_activity")
def record_activity(request: HttpRequest, person_id: RecordId, payload: ActivityIn) -> Status[dict[str, Any]]:
    """Put one activity on the young person's timeline; their tier follows from it. A record you may not see is
    a 404; one you may see but not change is a 403."""
    context = audit.AuditContext.from_request(request, CASEWORK, "api")
    person, _decision = get_person_for(request.user, person_id, CASEWORK, context,
                                       (categories.IDENTITY, categories.ENROLMENTS))
    a = services.record_activity(person, code=payload.code, start=payload.start, end=payload.end,
                                 hours_per_week=payload.hours_per_week, organisation=payload.organisation_id,
                                 training_level=payload.training_level, source=payload.source,
                                 confidence=payload.confidence, actor=request.user, context=context)
    return Status(201, {"id": a.pk, "code": a.code.code, "label": a.code.label, "hours_per_week": a.hours_per_week,
                        "organisation": a.organisation.display_name if a.organisation else None, "start": a.start,
                        "end": a.end, "source": a.source, "confidence": a.confidence})


@router.get("/tiers", response={200: TierCountsOut, 400: Invalid, 403: Error},
            summary="Count the 16-18 cohort by tier and age")
@requires("track.view_tiers")
def tier_counts(request: HttpRequest, on: str = "") -> dict[str, Any]:
    """The cohort of the areas you track (the EPC's LA, the LAs a careers service covers) by tier and academic age
    as at ``on`` (YYYY-MM-DD, default today), and the movement since the previous month-end as a 6 x 6 matrix
    (row: tier then, column: tier now; 0: not in the 16-18 cohort)."""
    cohort = queries.cohort_tiers(request.user, _day(on), rules=queries.rules_for())
    return {"on": cohort.on, "since": cohort.since, "total": cohort.total, "jwt": cohort.jwt,
            "tiers": [{"tier": r["tier"], "ages": dict(zip(map(str, tiers.AGES), r["ages"], strict=True)),
                       "total": r["total"]} for r in cohort.rows()],
            "movement": [[int(n) for n in row] for row in cohort.movement], "confirming": cohort.confirming,
            "handed_over": cohort.handed_over}


def _day(on: str) -> datetime.date:
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(on) if on else today
    except ValueError:
        raise ValidationError({"on": [_("Enter the date as year-month-day, for example 2026-10-31.")]}) from None
    if day > today:
        raise ValidationError({"on": [_("The date cannot be in the future.")]})
    return day


@router.get("/guarantee", response={200: GuaranteeOut, 400: Invalid, 403: Error},
            summary="Count the 16-24 year olds in, and not in, education, employment or training")
@requires("track.view_tiers")
def guarantee(request: HttpRequest, on: str = "") -> dict[str, Any]:
    """The Young Person's Guarantee's reach in the areas you track as at ``on`` (default today): 16-24 year olds
    (academic age) in education, employment or training, NEET, or not known, in total and for 16-18 and 19-24.
    Young people handed over to adult services at 18 are counted here after they leave the tier counts."""
    found = queries.guarantee_cohort(request.user, _day(on), rules=queries.rules_for())
    return {"on": found.on, "eet": found.eet, "neet": found.neet, "not_known": found.not_known,
            "by_age": found.by_age}


class Post16RiskRuleIn(Schema):
    enabled: bool
    min_band: str = "high"
    months: int = 12


class Post16RiskRuleOut(Post16RiskRuleIn):
    la: str


def _epc_la(request: HttpRequest) -> Organisation:
    la = Organisation.objects.filter(pk__in=las_served(request.user, (Role.EPC,))).order_by("pk").first()
    if la is None:
        raise PermissionDenied(_("Only a local authority's EPC has tracking rules."))
    return la


@router.get("/rules/post16-risk", response={200: Post16RiskRuleOut, 403: Error},
            summary="Read the LA's rule carrying pre-16 risk into post-16")
@requires("track.manage_rules")
def read_post16_risk_rule(request: HttpRequest) -> dict[str, Any]:
    """Your LA's rule (R25); off with the defaults when it was never set."""
    la = _epc_la(request)
    rule = PostSixteenRiskRule.objects.filter(la=la).first()
    return {"la": la.ref, "enabled": bool(rule and rule.enabled), "min_band": rule.min_band if rule else "high",
            "months": rule.months if rule else 12}


@router.put("/rules/post16-risk", response={200: Post16RiskRuleOut, 400: Invalid, 403: Error},
            summary="Set the LA's rule carrying pre-16 risk into post-16")
@requires("track.manage_rules")
def set_post16_risk_rule(request: HttpRequest, payload: Post16RiskRuleIn) -> dict[str, Any]:
    """Turn the rule on or off: a young person whose agreed pre-16 band was at least ``min_band`` (medium or
    high) is tier 4 at that level for ``months`` (1-24) after starting post-16 education or training."""
    la = _epc_la(request)
    rule = services_rules.set_post16_risk_rule(
        la, enabled=payload.enabled, min_band=payload.min_band, months=payload.months, actor=request.user,
        context=audit.AuditContext.from_request(request, CASEWORK, "api"))
    return {"la": la.ref, "enabled": rule.enabled, "min_band": rule.min_band, "months": rule.months}
