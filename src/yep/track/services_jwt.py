"""The only writers of the careers service's follow-up of jobs without training (YEPF §6 G, R77): contacts with
a young person in a JWT, offers of training arranged for them, the young person's decision, and the start of the
training, which records employment with training on the timeline and so clears the JWT flag.

Every function takes the acting user and an audit context, checks the actor's right first (``track.follow_up_jwt``
and a record they may change; refusals are audited), validates all its input before writing anything, runs in one
transaction, and writes an audit row naming the young person."""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.people.models import ActivityCode, Organisation, OrganisationKind, Person
from yep.people.models.organisations import EDUCATION_KINDS

from . import jwt as reads
from .models import (
    Activity,
    CareersContact,
    ContactMethod,
    ContactOutcome,
    ContactPurpose,
    OfferKind,
    OfferStatus,
    TrainingOffer,
)
from .services import record_activities

MAX_TEXT = 2000
LEVELS = range(1, 9)  # regulated qualification levels 1-8 (the Credit and Qualifications Framework for Wales)
STARTS_AFTER_DAYS = -365  # an offer may be recorded for a start up to a year ago (recorded late) ...
STARTS_BEFORE_DAYS = 2 * 365  # ... and up to two years ahead (an apprenticeship in the next academic year)
DECISIONS = (OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN)
# Which decisions may follow which status: a young person may change their mind before the training starts.
MAY_FOLLOW = {
    OfferStatus.ARRANGED: {OfferStatus.ACCEPTED, OfferStatus.DECLINED, OfferStatus.WITHDRAWN},
    OfferStatus.ACCEPTED: {OfferStatus.DECLINED, OfferStatus.WITHDRAWN},
}
# An offer started from "arranged" is accepted by starting it, so both may be started.
MAY_START = (OfferStatus.ARRANGED, OfferStatus.ACCEPTED)
EMPLOYER_KINDS = {OrganisationKind.EMPLOYER}
SOURCE = "jwt_follow_up"

Errors = dict[str, list[str]]


def _refuse(actor: Any, context: audit.AuditContext, wanted: str, person_id: int, object_id: Any = "") -> None:
    audit.record(actor, "denied", context, person_id=person_id, object_type="jwt_follow_up",
                 object_id=object_id, detail={"wanted": wanted})
    raise PermissionDenied(_("You cannot follow up this young person's job without training."))


def _check(actor: Any, person_id: int, context: audit.AuditContext, wanted: str, object_id: Any = "") -> None:
    """Careers advisers and EPCs (``track.follow_up_jwt``) who may change the young person's record."""
    if not (getattr(actor, "pk", None) and actor.has_perm("track.follow_up_jwt")):
        _refuse(actor, context, wanted, person_id, object_id)
    decision = decide(actor, person_id)
    if decision is None or not decision.can_change:
        _refuse(actor, context, wanted, person_id, object_id)


def _text(value: str, name: str, errors: Errors) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        errors[name] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    return text


# Contacts -----------------------------------------------------------------------------------------------------


def log_jwt_contact(person: Person, *, method: str, outcome: str, notes: str = "", actor: Any,
                    context: audit.AuditContext, at: datetime.datetime | None = None) -> CareersContact:
    """Record one attempt to reach a young person about their job without training (R77), and what came of it.
    They must be in a JWT now or have had training offered through this follow-up. ``at`` (default now) cannot
    be in the future."""
    _check(actor, person.pk, context, "log_contact")
    errors: Errors = {}
    if method not in ContactMethod.values:
        errors["method"] = [_("Choose how you contacted the young person.")]
    if outcome not in ContactOutcome.values:
        errors["outcome"] = [_("Choose what came of the contact.")]
    text = _text(notes, "notes", errors)
    when = at or timezone.now()
    if when > timezone.now():
        errors["at"] = [_("The date of the contact cannot be in the future.")]
    if reads.current_jwt(person) is None and not TrainingOffer.objects.filter(person=person).exists():
        errors["person"] = [_("This young person is not in a job without training.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = CareersContact.objects.create(
            person=person, purpose=ContactPurpose.JWT, method=method, outcome=outcome, notes=text, at=when,
            by=actor, by_label=audit.label(actor))
        audit.record(actor, "create", context, person_id=person.pk, object_type="careers_contact",
                     object_id=contact.pk, detail={"purpose": ContactPurpose.JWT, "method": method,
                                                   "outcome": outcome})
    return contact


# Offers -------------------------------------------------------------------------------------------------------


def _clean_level(level: Any, errors: Errors) -> int | None:
    try:
        number = int(level)
    except (TypeError, ValueError):
        number = 0
    if number not in LEVELS:
        errors["level"] = [_("Give the level of the qualification, from 1 to 8.")]
        return None
    return number


def _clean_start(starts_on: Any, errors: Errors) -> datetime.date | None:
    try:
        day = starts_on if isinstance(starts_on, datetime.date) else datetime.date.fromisoformat(str(starts_on))
    except ValueError:
        errors["starts_on"] = [_("Enter the start date as a real date, e.g. 2026-09-07.")]
        return None
    today = timezone.localdate()
    if day < today + datetime.timedelta(days=STARTS_AFTER_DAYS):
        errors["starts_on"] = [_("The start date is more than a year ago.")]
    elif day > today + datetime.timedelta(days=STARTS_BEFORE_DAYS):
        errors["starts_on"] = [_("The start date is more than two years ahead.")]
    return day


def _clean_provider(kind: str, provider: Organisation | None, errors: Errors) -> None:
    """A place with a provider needs a college, sixth form or work-based learning provider; training with the
    employer may name the employer (or a provider it uses) or nobody."""
    allowed = EDUCATION_KINDS | (EMPLOYER_KINDS if kind == OfferKind.EMPLOYER_TRAINING else set())
    if provider is None:
        if kind != OfferKind.EMPLOYER_TRAINING:
            errors["provider"] = [_("Choose the college or training provider.")]
    elif provider.kind not in allowed or not provider.active:
        errors["provider"] = [_("Choose a college, sixth form or training provider that is open.")]


def arrange_offer(person: Person, *, kind: str, provider: Organisation | None, level: Any, starts_on: Any,
                  notes: str = "", actor: Any, context: audit.AuditContext) -> TrainingOffer:
    """Arrange an offer of training for a young person in a job without training (R77): a college day release,
    an apprenticeship, a traineeship, training with the employer or a course, at a level from 1 to 8, starting
    no more than a year ago and no more than two years ahead."""
    _check(actor, person.pk, context, "arrange_offer")
    errors: Errors = {}
    if kind not in OfferKind.values:
        errors["kind"] = [_("Choose the kind of training offered.")]
    else:
        _clean_provider(kind, provider, errors)
    number = _clean_level(level, errors)
    day = _clean_start(starts_on, errors) if starts_on not in (None, "") else None
    if starts_on in (None, ""):
        errors["starts_on"] = [_("Give the date the training starts.")]
    text = _text(notes, "notes", errors)
    if reads.current_jwt(person) is None:
        errors["person"] = [_("This young person is not in a job without training.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offer = TrainingOffer.objects.create(
            person=person, kind=kind, provider=provider, level=number, starts_on=day, notes=text,
            status=OfferStatus.ARRANGED, arranged_at=timezone.now(), arranged_by=actor)
        audit.record(actor, "create", context, person_id=person.pk, object_type="training_offer",
                     object_id=offer.pk, detail={"kind": kind, "level": number, "starts_on": str(day),
                                                 "provider": provider.pk if provider else None})
    return offer


def decide_offer(offer: TrainingOffer, *, status: str, actor: Any, context: audit.AuditContext) -> TrainingOffer:
    """Record the young person's answer to an offer (accepted or declined) or its withdrawal. An accepted offer
    may still be declined or withdrawn before it starts; a declined, withdrawn or started one is settled."""
    _check(actor, offer.person_id, context, "decide_offer", offer.pk)
    errors: Errors = {}
    if status not in DECISIONS:
        errors["status"] = [_("Choose accepted, declined or withdrawn.")]
    elif status not in MAY_FOLLOW.get(OfferStatus(offer.status), set()):
        errors["status"] = [_("This offer is already %(status)s.") % {"status": offer.get_status_display().lower()}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = offer.status
        offer.status, offer.decided_at = status, timezone.now()
        offer.save(update_fields=["status", "decided_at"])
        audit.record(actor, "change", context, person_id=offer.person_id, object_type="training_offer",
                     object_id=offer.pk, fields=["status"], detail={"from": before, "to": status})
    return offer


# Starting -----------------------------------------------------------------------------------------------------


def activity_code_for(offer: TrainingOffer, hours: int | None) -> int:
    """The activity (NCCIS code) a started offer puts on the timeline.

    Training alongside the job (a college day release, training with the employer) is employment with training:
    320, "full-time employment with study (regulated qualification)", when the job is 16 hours or more (or its
    hours are not recorded), since every offer names a regulated level; 340, "employment with training (other)",
    for a part-time job. An apprenticeship is 310 and a traineeship 450. A course is full-time education in place
    of the job: 210 at a school or sixth form, 230 at a college, 270 elsewhere."""
    if offer.kind == OfferKind.APPRENTICESHIP:
        return 310
    if offer.kind == OfferKind.TRAINEESHIP:
        return 450
    if offer.kind == OfferKind.COURSE:
        provider_kind = offer.provider.kind if offer.provider else ""
        if provider_kind in (OrganisationKind.SCHOOL, OrganisationKind.SIXTH_FORM):
            return 210
        return 230 if provider_kind == OrganisationKind.FE_COLLEGE else 270
    return 340 if hours is not None and hours < 16 else 320


def _started_row(offer: TrainingOffer, job: Activity, on: datetime.date) -> dict[str, Any]:
    """The timeline row for the started training: with the employer and the job's hours while the young person
    keeps the job; with the provider for a traineeship or course, which takes its place."""
    in_work = offer.kind in (OfferKind.DAY_RELEASE, OfferKind.EMPLOYER_TRAINING, OfferKind.APPRENTICESHIP)
    hours = job.hours_per_week if in_work else None
    organisation = job.organisation_id if in_work else (offer.provider_id or None)
    code = ActivityCode.objects.get(code=activity_code_for(offer, hours))
    return {"person_id": offer.person_id, "code_id": code.pk, "start": on, "end": None, "hours_per_week": hours,
            "organisation_id": organisation, "source": f"{SOURCE}:{offer.pk}"[:40],
            "training_level": offer.level}


def commence_offer(offer: TrainingOffer, *, on: Any, actor: Any, context: audit.AuditContext) -> TrainingOffer:
    """Record that the training offered has started on ``on``: the timeline gets the activity
    ``activity_code_for`` chooses, carrying the employer and hours (while the job goes on) and the offer's level
    as ``training_level``. Nothing else is ended: the new activity starts on or after the job without training,
    so it is the current one, the JWT flag clears, and the tier stays what the hours make it."""
    _check(actor, offer.person_id, context, "commence_offer", offer.pk)
    errors: Errors = {}
    if offer.status not in MAY_START:
        errors["status"] = [_("This offer is %(status)s: only an arranged or accepted offer can start.")
                            % {"status": offer.get_status_display().lower()}]
    try:
        day = on if isinstance(on, datetime.date) else datetime.date.fromisoformat(str(on))
    except ValueError:
        errors["on"] = [_("Enter the date it started as a real date, e.g. 2026-09-07.")]
        day = None
    job = reads.current_jwt(offer.person)
    if job is None:
        errors["person"] = [_("This young person is no longer in a job without training.")]
    if day is not None and day > timezone.localdate():
        errors["on"] = [_("The start date cannot be in the future: record it once the training has started.")]
    elif day is not None and job is not None and day < job.start:
        errors["on"] = [_("The training cannot start before the job without training (%(day)s).")
                        % {"day": job.start.isoformat()}]
    if errors:
        raise ValidationError(errors)
    assert job is not None and day is not None  # noqa: S101 - both checked above
    with transaction.atomic():
        row = _started_row(offer, job, day)
        record_activities([row], actor=actor, context=context, source=row["source"])
        activity = Activity.objects.select_related("code").filter(person_id=offer.person_id,
                                                                      source=row["source"]).latest("pk")
        before = offer.status
        offer.status, offer.activity = OfferStatus.COMMENCED, activity
        offer.decided_at = offer.decided_at or timezone.now()
        offer.save(update_fields=["status", "activity", "decided_at"])
        audit.record(actor, "change", context, person_id=offer.person_id, object_type="training_offer",
                     object_id=offer.pk, fields=["status", "activity"],
                     detail={"from": before, "to": OfferStatus.COMMENCED, "activity": activity.pk,
                             "code": activity.code.code, "training_level": offer.level, "start": day.isoformat()})
    return offer
