"""Practitioner review: school staff or the EPC agree each pupil's band, always with a reason, and record the
young person's own view and their first support needs, which is where brokerage starts."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yep.access import audit, categories
from yep.access.policy import decide
from yep.people.models import Enrolment, OrganisationKind, Role
from yep.people.models.persons import academic_age

from ..models import BAND_RANK, Band, Result, Review, ReviewAction, Run, RunStatus, SupportNeed
from .runs import add_result

MAX_TEXT = 2000


def may_review(user: Any, result: Result) -> bool:
    """The EPC of the run's LA, or staff of the pupil's school once the run is released, never on a withdrawn run;
    and the policy must let them change the pupil's risk data."""
    memberships = list(user.active_memberships()) if getattr(user, "is_authenticated", False) else []
    epc = any(m.role == Role.EPC and m.organisation_id == result.run.la_id for m in memberships)
    school = any(m.role == Role.SCHOOL_STAFF and m.organisation_id == result.school_id for m in memberships)
    status = result.run.status
    if status == RunStatus.WITHDRAWN or not (epc or (school and status == RunStatus.PUBLISHED)):
        return False
    decision = decide(user, result.person_id)
    return bool(decision and decision.can_see(categories.RISK) and decision.can_change)


def _action(computed: str, agreed: str) -> str:
    if BAND_RANK[Band(agreed)] > BAND_RANK[Band(computed)]:
        return ReviewAction.RAISE
    if BAND_RANK[Band(agreed)] < BAND_RANK[Band(computed)]:
        return ReviewAction.LOWER
    return ReviewAction.CONFIRM


def _clean(agreed_band: str, reason: str, young_person_view: str, support_needs: list[str],
           support_notes: str) -> None:
    errors: dict[str, list[str]] = {}
    if agreed_band not in Band.values:
        errors["agreed_band"] = [_("Choose the band you agree.")]
    if not reason.strip():
        errors["reason"] = [_("Give the reason for the band you agree: schools and the EPC must be able to see "
                              "why.")]
    for name, text in (("reason", reason), ("young_person_view", young_person_view),
                       ("support_notes", support_notes)):
        if len(text) > MAX_TEXT:
            errors.setdefault(name, []).append(_("Keep this under %(max)s characters.") % {"max": MAX_TEXT})
    unknown = [n for n in support_needs if n not in SupportNeed.values]
    if unknown:
        errors["support_needs"] = [_("Choose support needs from the list.")]
    if errors:
        raise ValidationError(errors)


def review_result(result: Result, *, agreed_band: str, reason: str, young_person_view: str = "",
                  support_needs: list[str] | None = None, support_notes: str = "", actor: Any,
                  context: audit.AuditContext, action: str | None = None) -> Review:
    """Confirm, raise or lower a pupil's band, with a reason. The computed band never changes; the agreed band is
    the latest review's. A refusal is audited (outside the transaction, so the record of it stays)."""
    if not may_review(actor, result):
        audit.record(actor, "denied", context, person_id=result.person_id, object_type="risk_result",
                     object_id=result.pk, detail={"wanted": "review"})
        raise PermissionDenied(_("You cannot review this pupil's result."))
    needs = list(dict.fromkeys(support_needs or []))
    _clean(agreed_band, reason, young_person_view, needs, support_notes)
    with transaction.atomic():
        return _save_review(result, action or _action(result.band, agreed_band), agreed_band, reason,
                            young_person_view, needs, support_notes, actor, context)


def _save_review(result: Result, action: str, agreed_band: str, reason: str, young_person_view: str,
                 needs: list[str], support_notes: str, actor: Any, context: audit.AuditContext) -> Review:
    review = Review.objects.create(
        result=result, action=action, computed_band=result.band,
        agreed_band=agreed_band, reason=reason.strip(), young_person_view=young_person_view.strip(),
        support_needs=needs, support_notes=support_notes.strip(), reviewed_by=actor)
    Result.objects.filter(pk=result.pk).update(agreed_band=agreed_band)
    result.agreed_band = agreed_band
    audit.record(actor, "change", context, person_id=result.person_id, object_type="risk_result",
                 object_id=result.pk, fields=["agreed_band", "support_needs"],
                 detail={"run": result.run_id, "computed": result.band, "agreed": agreed_band,
                         "action": review.action})
    return review


def add_pupil(run: Run, person_id: int, *, agreed_band: str, reason: str, young_person_view: str = "",
              support_needs: list[str] | None = None, support_notes: str = "", actor: Any,
              context: audit.AuditContext) -> Review:
    """Add a pupil the data missed (not in the run's year groups, or newly arrived) at the band agreed."""
    if run.results.filter(person_id=person_id).exists():
        raise ValidationError({"person": [_("This pupil is already in the run: review their result instead.")]})
    enrolment = Enrolment.objects.current(run.as_of).filter(
        person_id=person_id, organisation__la_id=run.la_id, organisation__kind=OrganisationKind.SCHOOL,
    ).select_related("person").first()
    if enrolment is None:
        raise ValidationError({"person": [_("This pupil was not on roll at one of the LA's schools on %(day)s.")
                                          % {"day": run.as_of.strftime("%d/%m/%Y")}]})
    _clean(agreed_band, reason, young_person_view, support_needs or [], support_notes)
    probe = Result(run=run, person_id=person_id, school_id=enrolment.organisation_id)
    if not may_review(actor, probe):
        audit.record(actor, "denied", context, person_id=person_id, object_type="risk_run", object_id=run.pk,
                     detail={"wanted": "add pupil"})
        raise PermissionDenied(_("You cannot add this pupil to the run."))
    with transaction.atomic():
        result = add_result(run, person_id, school_id=enrolment.organisation_id,
                            year_group=academic_age(enrolment.person.dob, run.as_of) - 4)
        return review_result(result, agreed_band=agreed_band, reason=reason, young_person_view=young_person_view,
                             support_needs=support_needs, support_notes=support_notes, actor=actor,
                             context=context, action=ReviewAction.ADD)
