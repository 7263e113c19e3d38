"""Data subjects' rights and retention: rectification requests (made, accepted, rejected) and retention runs.

A rectification is applied through ``people.services.update_person``, which validates it; the request and the
change are saved, with their audit rows, in one transaction. A retention run applies each ``RetentionRule`` in
its own transaction and writes one audit event per rule with what it did.
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yep.people import services as people_services
from yep.people.models import Person
from yep.people.services.retention import ANONYMISED

from .. import audit
from ..models import ApiToken, BreakGlassAccess, Consent, LoginAttempt, RectificationRequest, RetentionRule

# The identity fields a young person may ask to have corrected here. The NI number is left out on purpose:
# a request would store it in clear text; it is corrected on the record itself, where it is encrypted.
RECTIFIABLE_FIELDS = (
    "legal_forenames", "legal_surname", "preferred_forename", "preferred_surname", "dob", "sex", "gender",
    "address_line1", "address_line2", "town", "postcode", "phone", "email", "preferred_language", "upn", "uln",
)


def field_label(field: str) -> str:
    """A person field's name in the active language ('date of birth' for ``dob``); the name itself if unknown."""
    try:
        return str(getattr(Person._meta.get_field(field), "verbose_name", field))
    except FieldDoesNotExist:
        return field


def _current_value(person: Person, field: str) -> str:
    value = getattr(person, field)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


@transaction.atomic
def request_rectification(person: Person, *, field: str, requested_value: str, reason: str, requested_by: str,
                          actor: Any, context: audit.AuditContext) -> RectificationRequest:
    """Queue a young person's request to correct one field of their record for review.

    Raises ValidationError (every problem at once) for a field that cannot be corrected here, a missing requester
    or a value that is already on the record. The value itself is checked when the request is accepted.
    """
    errors: dict[str, list[str]] = {}
    if field not in RECTIFIABLE_FIELDS:
        errors["field"] = [_("Choose a field that can be corrected.")]
    if not requested_by.strip():
        errors["requested_by"] = [_("Say who asked for the correction.")]
    current = _current_value(person, field) if field in RECTIFIABLE_FIELDS else ""
    if field in RECTIFIABLE_FIELDS and requested_value.strip() == current:
        errors["requested_value"] = [_("That is already the value on the record.")]
    if errors:
        raise ValidationError(errors)
    request = RectificationRequest.objects.create(
        person=person, field=field, current_value=current, requested_value=requested_value.strip(),
        reason=reason.strip(), requested_at=timezone.now(), requested_by=requested_by.strip())
    audit.record(actor, "create", context, person_id=person.pk, object_type="rectification_request",
                 object_id=request.pk, fields=[field])
    return request


def _lock_open(request: RectificationRequest) -> RectificationRequest:
    """The request, locked for this transaction; refuses one that someone else has already decided."""
    locked = RectificationRequest.objects.select_for_update().select_related("person").get(pk=request.pk)
    if locked.status != RectificationRequest.Status.OPEN:
        raise ValidationError(_("This request has already been reviewed."))
    return locked


def _close(request: RectificationRequest, status: str, note: str, actor: Any) -> None:
    request.status = status
    request.reviewed_by = actor if getattr(actor, "pk", None) else None
    request.reviewed_at = timezone.now()
    request.review_note = note
    request.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])


@transaction.atomic
def accept_rectification(request: RectificationRequest, *, note: str = "", actor: Any,
                         context: audit.AuditContext) -> list[str]:
    """Correct the record as asked and close the request; returns the fields that changed.

    The value is validated by ``people.services.update_person``; when it is refused the ValidationError is
    raised, nothing is saved and the request stays open.
    """
    locked = _lock_open(request)
    changed = people_services.update_person(locked.person, {locked.field: locked.requested_value}, actor=actor,
                                            context=context)
    _close(locked, RectificationRequest.Status.ACCEPTED, note.strip(), actor)
    audit.record(actor, "change", context, person_id=locked.person_id, object_type="rectification_request",
                 object_id=locked.pk, fields=["status"], detail={"decision": "accepted", "changed": changed})
    request.refresh_from_db()
    return changed


@transaction.atomic
def reject_rectification(request: RectificationRequest, *, reason: str, actor: Any,
                         context: audit.AuditContext) -> None:
    """Refuse the correction, with the reason the young person will be given (UK GDPR Article 12(4))."""
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for rejecting the request.")]})
    locked = _lock_open(request)
    _close(locked, RectificationRequest.Status.REJECTED, reason.strip(), actor)
    audit.record(actor, "change", context, person_id=locked.person_id, object_type="rectification_request",
                 object_id=locked.pk, fields=["status"], detail={"decision": "rejected"})
    request.refresh_from_db()


# Retention ----------------------------------------------------------------------------------------------------

AUDIT_LOG_NOTE = gettext_lazy("kept: pruning the chain needs an anchor — not yet supported")


@dataclass(frozen=True)
class RecordType:
    """A kind of record a retention rule can name: what it is, what its period counts from, and how to find the
    records that are due. ``apply`` carries out the rule's action on them and returns how many it changed."""

    key: str
    label: str | Promise
    counts_from: str | Promise
    actions: frozenset[str]
    due: Callable[[RetentionRule, datetime.date], "models.QuerySet[Any]"]
    apply: Callable[[RetentionRule, "models.QuerySet[Any]", Any, audit.AuditContext], int]


def _before(rule: RetentionRule, today: datetime.date) -> datetime.datetime:
    """The start of the day ``keep_days`` before ``today``: anything older is due."""
    day = today - datetime.timedelta(days=rule.keep_days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


PERSON_KEPT_TO_AGE = 25  # the framework serves young people to 24; the retention period starts at 25


def _due_people(rule: RetentionRule, today: datetime.date) -> "models.QuerySet[Any]":
    """Young people whose 25th birthday was at least ``keep_days`` ago."""
    born_by = _years_before(today - datetime.timedelta(days=rule.keep_days), PERSON_KEPT_TO_AGE)
    people = Person.objects.filter(dob__lte=born_by).order_by("pk")
    if rule.action == RetentionRule.Action.ANONYMISE:
        people = people.exclude(legal_forenames=ANONYMISED, legal_surname=ANONYMISED)
    return people


def _forget_access_records(person: Person) -> None:
    """The access app's records that would name an anonymised young person: rectification requests hold old and
    new values of identity fields, and a consent holds the name of the parent or carer who gave it."""
    RectificationRequest.objects.filter(person=person).delete()
    Consent.objects.filter(person=person).exclude(given_by_name="").update(given_by_name="")


def _apply_to_people(rule: RetentionRule, due: "models.QuerySet[Any]", actor: Any,
                     context: audit.AuditContext) -> int:
    count = 0
    # Ids first: rows are changed or deleted as we go, which a cursor still reading them need not survive.
    ids = list(due.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        for person in Person.objects.filter(pk__in=ids[start:start + 500]).order_by("pk"):
            if rule.action == RetentionRule.Action.DELETE:
                people_services.delete_person(person, actor=actor, context=context)
            else:
                people_services.anonymise_person(person, actor=actor, context=context)
                _forget_access_records(person)
            count += 1
    return count


def _delete_all(rule: RetentionRule, due: "models.QuerySet[Any]", actor: Any, context: audit.AuditContext) -> int:
    """Delete the due rows; counts only rows of the rule's own model, not anything removed with them."""
    _total, by_model = due.delete()
    return by_model.get(due.model._meta.label, 0)


DELETE_ONLY = frozenset({RetentionRule.Action.DELETE})

RECORD_TYPES: dict[str, RecordType] = {
    record_type.key: record_type
    for record_type in (
        RecordType("login_attempt", gettext_lazy("Sign-in attempts"), gettext_lazy("the attempt"), DELETE_ONLY,
                   lambda rule, today: LoginAttempt.objects.filter(at__lt=_before(rule, today)), _delete_all),
        RecordType("person", gettext_lazy("Young people's records"), gettext_lazy("the 25th birthday"),
                   frozenset(RetentionRule.Action.values), _due_people, _apply_to_people),
        RecordType("break_glass", gettext_lazy("Emergency (break-the-glass) accesses"),
                   gettext_lazy("the later of its expiry and its review; unreviewed ones are kept"), DELETE_ONLY,
                   lambda rule, today: BreakGlassAccess.objects.filter(
                       expires_at__lt=_before(rule, today), reviewed_at__lt=_before(rule, today)), _delete_all),
        RecordType("rectification_request", gettext_lazy("Rectification requests"),
                   gettext_lazy("the decision; open requests are kept"), DELETE_ONLY,
                   lambda rule, today: RectificationRequest.objects.exclude(
                       status=RectificationRequest.Status.OPEN).filter(reviewed_at__lt=_before(rule, today)),
                   _delete_all),
        RecordType("api_token", gettext_lazy("Revoked API tokens"), gettext_lazy("revocation"), DELETE_ONLY,
                   lambda rule, today: ApiToken.objects.filter(revoked_at__lt=_before(rule, today)), _delete_all),
    )
}

# (record type, days, action, basis). The basis is stored as data, in English, like the rest of a rule.
DEFAULT_RULES = (
    ("login_attempt", 90, RetentionRule.Action.DELETE,
     "Kept only to slow down password guessing and to look into misuse of an account; 90 days covers an "
     "investigation. UK GDPR Article 5(1)(e) (storage limitation)."),
    ("person", 2192, RetentionRule.Action.ANONYMISE,
     "Kept until six years (2,192 days) after the young person's 25th birthday: the framework supports young "
     "people up to 24, and six years covers the limitation period for claims (Limitation Act 1980 s2, s5). Then "
     "anonymised: names, contact details, identifiers, parents and carers and search keys are removed; year of "
     "birth, sex, local authority, characteristics and enrolments are kept for statistics (UK GDPR Article 89)."),
    ("break_glass", 730, RetentionRule.Action.DELETE,
     "Kept two years after it expired and was reviewed, to answer a complaint about it; the audit log keeps "
     "the fact of the access. Unreviewed accesses are never deleted."),
    ("rectification_request", 730, RetentionRule.Action.DELETE,
     "Kept two years after the decision, to answer a complaint to the ICO about it; the change itself stays in "
     "the audit log. Open requests are never deleted."),
    ("api_token", 365, RetentionRule.Action.DELETE,
     "A revoked token is kept a year to trace a partner system's past access; only its digest is held."),
)


@transaction.atomic
def create_default_retention_rules(*, actor: Any, context: audit.AuditContext) -> list[RetentionRule]:
    """Add each default rule whose record type has none yet; existing rules are never changed. Returns the new
    rules (none on a second call)."""
    existing = set(RetentionRule.objects.values_list("record_type", flat=True))
    created = []
    for record_type, keep_days, action, basis in DEFAULT_RULES:
        if record_type in existing:
            continue
        rule = RetentionRule.objects.create(record_type=record_type, keep_days=keep_days, action=action,
                                            basis=basis)
        audit.record(actor, "create", context, object_type="retention_rule", object_id=rule.pk,
                     detail={"record_type": record_type, "keep_days": keep_days, "action": action})
        created.append(rule)
    return created


@dataclass(frozen=True)
class RetentionOutcome:
    """What one rule did in a run (or, in a dry run, would do)."""

    record_type: str
    action: str
    keep_days: int | None
    count: int
    applied: bool
    note: str = ""


def _skip_reason(rule: RetentionRule) -> str:
    record_type = RECORD_TYPES.get(rule.record_type)
    if record_type is None:
        return _("no such record type: skipped")
    if rule.action not in record_type.actions:
        return _("cannot %(action)s this kind of record: skipped") % {"action": rule.get_action_display().lower()}
    return ""


def _run_rule(rule: RetentionRule, today: datetime.date, *, dry_run: bool, run: str, actor: Any,
              context: audit.AuditContext) -> RetentionOutcome:
    skipped = _skip_reason(rule)
    if skipped:
        return RetentionOutcome(rule.record_type, rule.action, rule.keep_days, 0, False, skipped)
    record_type = RECORD_TYPES[rule.record_type]
    due = record_type.due(rule, today)
    if dry_run:
        return RetentionOutcome(rule.record_type, rule.action, rule.keep_days, due.count(), False)
    with transaction.atomic():
        count = record_type.apply(rule, due, actor, context)
        audit.record(actor, "change", context, object_type="retention_rule", object_id=rule.pk,
                     detail={"run": run, "record_type": rule.record_type, "action": rule.action,
                             "keep_days": rule.keep_days, "count": count, "as_of": today.isoformat()})
    return RetentionOutcome(rule.record_type, rule.action, rule.keep_days, count, True)


def run_retention(*, dry_run: bool = False, today: datetime.date | None = None, actor: Any,
                  context: audit.AuditContext) -> list[RetentionOutcome]:
    """Apply every retention rule as of ``today``; returns what each did, with the audit log last (never pruned).

    Each rule runs in its own transaction with its audit event (one per rule, with the count, even when zero).
    A dry run counts what is due and changes nothing, the audit log included. Running twice changes nothing the
    second time: deleted rows are gone and anonymised records are no longer due.
    """
    day = today or timezone.localdate()
    run = uuid.uuid4().hex[:12]
    outcomes = [_run_rule(rule, day, dry_run=dry_run, run=run, actor=actor, context=context)
                for rule in RetentionRule.objects.order_by("record_type")]
    outcomes.append(RetentionOutcome("audit_event", "", None, 0, False, str(AUDIT_LOG_NOTE)))
    return outcomes

