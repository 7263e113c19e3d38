"""Multi-agency reviews of a young person's support (YEPF §6 C, R36; SC-2): who was invited and came, the lead
worker's feedback, the risk as now agreed, and what changed in the package."""

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.identify.models import Band
from yep.people.models import User

from ..models import ReviewParticipant, SupportPackage, SupportReview
from .referrals import MAX_TEXT
from .support import Errors, check_supporter

MAX_NAME = 150


def _participant_problems(participants: Sequence[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    names = [str(p.get("name") or "").strip() for p in participants]
    for n, (row, name) in enumerate(zip(participants, names, strict=True), start=1):
        if not name:
            problems.append(_("participant %(n)s: give their name") % {"n": n})
        elif len(name) > MAX_NAME or len(str(row.get("role") or "")) > MAX_NAME:
            problems.append(_("participant %(n)s: keep the name and role under %(max)s characters")
                            % {"n": n, "max": MAX_NAME})
        user = row.get("user")
        if user is not None and not isinstance(user, User) and not User.objects.filter(pk=user).exists():
            problems.append(_("participant %(n)s: no such member of staff") % {"n": n})
    if len({name.casefold() for name in names if name}) < len([name for name in names if name]):
        problems.append(_("Each participant is listed once."))
    return problems


def _check_held_on(held_on: datetime.date | None, start: datetime.date, errors: Errors) -> None:
    if held_on is None:
        errors["held_on"] = [_("Enter the date the review was held.")]
    elif held_on > timezone.localdate():
        errors["held_on"] = [_("Record a review once it has been held: the date cannot be in the future.")]
    elif held_on < start:
        errors["held_on"] = [_("The review cannot be before the lead worker was allocated.")]


def _check(package: SupportPackage, held_on: datetime.date | None, risk_band: str,
           participants: Sequence[Mapping[str, Any]], texts: dict[str, str],
           next_review: datetime.date | None) -> None:
    errors: Errors = {}
    allocation = package.allocation
    if allocation.end is not None:
        errors["allocation"] = [_("This allocation has ended: its support can no longer be reviewed.")]
    _check_held_on(held_on, allocation.start, errors)
    if risk_band not in Band.values:
        errors["risk_band"] = [_("Choose the risk as agreed at the review: none, low, medium or high.")]
    if not participants:
        errors["participants"] = [_("List who was invited, and whether they came.")]
    elif problems := _participant_problems(participants):
        errors["participants"] = problems
    for field, value in texts.items():
        if len(value) > MAX_TEXT:
            errors[field] = [_("Keep this under %(max)s characters.") % {"max": MAX_TEXT}]
    if next_review is not None and held_on is not None and next_review <= held_on:
        errors["next_review"] = [_("The next review must be after this one.")]
    if errors:
        raise ValidationError(errors)


def _user(value: Any) -> Any:
    if value is None or isinstance(value, User):
        return value
    return User.objects.get(pk=value)


def record_review(package: SupportPackage, *, held_on: datetime.date | None, risk_band: str,
                  participants: Sequence[Mapping[str, Any]], lead_worker_feedback: str = "",
                  package_changes: str = "", next_review: datetime.date | None = None, actor: Any,
                  context: audit.AuditContext) -> SupportReview:
    """Record a review that has been held (R36). ``participants`` are dicts with ``name``, ``role``,
    ``attended`` and optionally ``user`` (a member of staff or their id); at least one is needed. The risk band
    is the one agreed at the review, kept for the risk trend. ``next_review``, when given, becomes the package's
    next review date. The lead worker and the EPC may record one."""
    allocation = package.allocation
    check_supporter(actor, context, allocation, "record review")
    texts = {"lead_worker_feedback": lead_worker_feedback, "package_changes": package_changes}
    _check(package, held_on, risk_band, participants, texts, next_review)
    with transaction.atomic():
        day = cast(datetime.date, held_on)  # checked above
        review = SupportReview.objects.create(
            package=package, person_id=package.person_id, held_on=day, risk_band=risk_band,
            lead_worker_feedback=lead_worker_feedback.strip(), package_changes=package_changes.strip(),
            next_review=next_review, recorded_by=actor, recorded_at=timezone.now())
        ReviewParticipant.objects.bulk_create(
            ReviewParticipant(review=review, name=str(p["name"]).strip(), role=str(p.get("role") or "").strip(),
                              user=_user(p.get("user")), attended=bool(p.get("attended"))) for p in participants)
        package.updated_at = timezone.now()
        fields = ["updated_at"]
        if next_review is not None:
            package.next_review = next_review
            fields.append("next_review")
        package.save(update_fields=fields)
        audit.record(actor, "create", context, person_id=package.person_id, object_type="support_review",
                     object_id=review.pk, fields=["risk_band", "participants"],
                     detail={"allocation": allocation.pk, "risk_band": risk_band, "held_on": day.isoformat(),
                             "participants": len(participants),
                             "attended": sum(1 for p in participants if p.get("attended"))})
        return review
