"""Making referrals into brokerage and recording the EPC's decision on them (R26, R29)."""

import datetime
from dataclasses import dataclass
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.identify.models import Band, Result, RunStatus
from yep.people.models import Characteristic, CharacteristicKind, Person

from ..models import Decision, Need, Referral, ReferralSource, ReferralStatus, Stage, Urgency
from ..queries import is_epc_of

MAX_TEXT = 2000
POST16_FROM_ACADEMIC_AGE = 16
# Referrals from outside the LA's own data need the young person's (or a parent's) agreement; early
# identification and tier status are the LA's and the careers service's own work under the framework.
NEEDS_CONSENT = frozenset({ReferralSource.SCHOOL_BUSINESS_CASE, ReferralSource.PROVIDER,
                           ReferralSource.LEAD_WORKER})


@dataclass
class _Facts:
    la_id: int | None
    stage: str
    risk_band: str
    result: Result | None
    families_first: bool
    needs: list[str]


def _is_user(actor: Any) -> bool:
    return bool(getattr(actor, "pk", None))


def latest_result(person: Person) -> Result | None:
    """The young person's result in the latest early identification run that was not withdrawn."""
    return (Result.objects.filter(person=person).exclude(run__status=RunStatus.WITHDRAWN)
            .select_related("run").order_by("-run__as_of", "-run__pk").first())


def _families_first(person: Person, day: datetime.date) -> bool:
    return Characteristic.objects.current(day).filter(person=person, kind=CharacteristicKind.FAMILIES_FIRST).exists()


def _facts(person: Person, source: str, la: Any, stage: str | None, risk_band: str | None,
           families_first: bool | None, needs: list[str], errors: dict[str, list[str]]) -> _Facts:
    day = timezone.localdate()
    if stage is None:
        stage = Stage.POST16 if person.academic_age(day) >= POST16_FROM_ACADEMIC_AGE else Stage.PRE16
    result = None
    if source == ReferralSource.EARLY_IDENTIFICATION:
        result = latest_result(person)
        if result is None:
            errors.setdefault("source", []).append(
                _("This young person has no early identification result: choose the route the referral came by."))
        else:
            # The agreed band once reviewed, else the computed one (YEPF R17 keeps both).
            risk_band = result.current_band
            if not needs:
                review = result.reviews.order_by("-reviewed_at", "-pk").first()
                needs = list(review.support_needs) if review else []
    if families_first is None:
        families_first = _families_first(person, day)
    la_id = la.pk if la is not None else person.la_of_residence_id
    return _Facts(la_id, stage, risk_band or Band.NONE, result, families_first, needs)


def _clean(source: str, facts: _Facts, urgency: str, consent_confirmed: bool, notes: str,
           errors: dict[str, list[str]]) -> None:
    if source not in ReferralSource.values:
        errors.setdefault("source", []).append(_("Choose how the referral came."))
    if facts.la_id is None:
        errors["la"] = [_("This young person has no local authority of residence: choose the LA that brokers.")]
    if facts.risk_band not in Band.values:
        errors["risk_band"] = [_("Choose a risk level: none, low, medium or high.")]
    if not facts.needs:
        errors["needs"] = [_("Choose at least one need.")]
    elif any(n not in Need.values for n in facts.needs):
        errors["needs"] = [_("Choose needs from the list.")]
    if urgency not in Urgency.values:
        errors["urgency"] = [_("Choose how urgent the referral is.")]
    if source in NEEDS_CONSENT and not consent_confirmed:
        errors["consent_confirmed"] = [_("Confirm that the young person (or their parent, for under-16s) agreed "
                                         "to this referral.")]
    if len(notes) > MAX_TEXT:
        errors["notes"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]


def _clean_stage(stage: str, tier: int | None, errors: dict[str, list[str]]) -> None:
    if stage not in Stage.values:
        errors["stage"] = [_("Choose pre-16 or post-16.")]
    if stage == Stage.POST16 and tier not in (1, 2, 3, 4, 5):
        errors["tier"] = [_("Give the young person's tier (1 to 5): post-16 allocation follows the five tier "
                            "model.")]
    if stage == Stage.PRE16 and tier is not None:
        errors["tier"] = [_("Tiers apply post-16 only: leave the tier blank for a pre-16 referral.")]


def _may_refer(actor: Any, person: Person) -> bool:
    if not _is_user(actor):
        return True  # a command or the portal acting for the young person, named in the audit log
    decision = decide(actor, person.pk)
    return bool(decision and decision.can_change)


def make_referral(person: Person, *, source: str, needs: list[str] | None = None, urgency: str = Urgency.ROUTINE,
                  consent_confirmed: bool = False, stage: str | None = None, risk_band: str | None = None,
                  families_first: bool | None = None, tier: int | None = None, notes: str = "", la: Any = None,
                  received_at: datetime.datetime | None = None, actor: Any,
                  context: audit.AuditContext) -> Referral:
    """Refer a young person to the LA's brokerage. The facts the allocation rules read are fixed now: the stage
    (from the academic age unless given), the risk band (from the latest early identification result when that
    is the source), Families First involvement (from the record unless given) and the tier (post-16 only).
    ``received_at`` records when a referral made on paper or by phone arrived (not in the future; default now).

    Every problem is reported at once in one ``ValidationError``; nothing is written unless all is well. A
    referrer who may not change the young person's record is refused, and the refusal is audited.
    """
    if not _may_refer(actor, person):
        audit.record(actor, "denied", context, person_id=person.pk, object_type="referral",
                     detail={"wanted": "refer"})
        raise PermissionDenied(_("You cannot refer this young person."))
    errors: dict[str, list[str]] = {}
    facts = _facts(person, source, la, stage, risk_band, families_first, list(dict.fromkeys(needs or [])), errors)
    if source == ReferralSource.SELF_OR_PARENT:
        consent_confirmed = True  # asking is agreeing
    _clean(source, facts, urgency, consent_confirmed, notes, errors)
    _clean_stage(facts.stage, tier, errors)
    if facts.la_id and Referral.objects.filter(person=person, la_id=facts.la_id, status=ReferralStatus.OPEN).exists():
        errors.setdefault("person", []).append(_("This young person already has an open referral: add to it "
                                                 "instead of making another."))
    if received_at is not None and received_at > timezone.now():
        errors["received_at"] = [_("The date received cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral = Referral.objects.create(
            person=person, la_id=cast(int, facts.la_id), source=source, referred_by=actor if _is_user(actor) else None,
            referred_by_label=audit.label(actor), needs=facts.needs, notes=notes.strip(), urgency=urgency,
            consent_confirmed=consent_confirmed, stage=facts.stage, risk_band=facts.risk_band,
            risk_result=facts.result, families_first=facts.families_first, tier=tier,
            received_at=received_at or timezone.now())
        audit.record(actor, "create", context, person_id=person.pk, object_type="referral", object_id=referral.pk,
                     fields=["needs", "stage", "risk_band", "families_first", "tier"],
                     detail={"source": source, "la": facts.la_id, "urgency": urgency})
    return referral


CLOSING_DECISIONS = (Decision.NO_LEAD_WORKER, Decision.DECLINED, Decision.DEFERRED)


def decide_referral(referral: Referral, *, decision: str, reason: str, actor: Any,
                    context: audit.AuditContext) -> Referral:
    """The EPC decides a referral without allocating: no lead worker needed, declined (both close it) or deferred
    (it stays open). A reason is always needed (R29). Allocating is ``allocate``."""
    if not is_epc_of(actor, referral.la_id):
        audit.record(actor, "denied", context, person_id=referral.person_id, object_type="referral",
                     object_id=referral.pk, detail={"wanted": "decide"})
        raise PermissionDenied(_("Only the EPC of the referral's local authority can decide it."))
    errors: dict[str, list[str]] = {}
    if referral.status != ReferralStatus.OPEN:
        errors["referral"] = [_("This referral has already been decided.")]
    if decision not in CLOSING_DECISIONS:
        errors["decision"] = [_("Choose no lead worker, declined or deferred; to allocate, choose a lead worker.")]
    if not reason.strip():
        errors["decision_reason"] = [_("Give the reason for the decision.")]
    elif len(reason) > MAX_TEXT:
        errors["decision_reason"] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        referral.decision, referral.decision_reason = decision, reason.strip()
        referral.decided_by, referral.decided_at = actor, timezone.now()
        if decision != Decision.DEFERRED:
            referral.status = ReferralStatus.CLOSED
        referral.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at", "status"])
        audit.record(actor, "change", context, person_id=referral.person_id, object_type="referral",
                     object_id=referral.pk, fields=["decision", "status"], detail={"decision": decision})
    return referral
