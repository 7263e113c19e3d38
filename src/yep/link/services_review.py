"""The only writer of clerical decisions and cluster changes: a person decides an uncertain link, unlinks a
record, merges two young people found to be one, or undoes a merge (a split).

A merge points every row that belonged to the merged person (activities, enrolments, source records...) at the
person kept, and lists each row it moved, so the split can point exactly those rows back. It crosses the apps'
tables on purpose: two records of one young person are one cluster, whoever wrote the rows. The audit log keeps
its own person ids (it is never rewritten), so who saw which record stays true.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.people.models import Person
from yep.people.services.persons import set_merged_into
from yep.track.services import withdraw_activities

from .mapping import CLOSURE_ACTIVITY
from .models import (
    Candidate,
    CandidateStatus,
    ClericalDecision,
    ClusterChange,
    ClusterChangeKind,
    LinkMethod,
    RecordStatus,
    SourceRecord,
)
from .services_hub import link_record

# Rows that stay with their person in a merge: the name search keys (rebuilt from the person's own names) and the
# cluster changes themselves.
_STAY = {("people", "personname"), ("link", "clusterchange")}


def _check(actor: Any, permission: str, people: list[int], context: audit.AuditContext, wanted: str) -> None:
    allowed = getattr(actor, "pk", None) and actor.has_perm(permission)
    for person_id in people:
        decision = decide(actor, person_id) if allowed else None
        if decision is None or not decision.can_change:
            audit.record(actor, "denied", context, person_id=person_id, object_type="link", detail={"wanted": wanted})
            raise PermissionDenied(_("You cannot change this young person's links."))


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": [_("Say why, so that others can follow the decision.")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("Keep the reason to 500 characters.")]})
    return reason


def decide_candidate(candidate: Candidate, *, same_person: bool, reason: str = "", actor: Any,
                     context: audit.AuditContext) -> Candidate:
    """Accept (the same young person: the record links to them) or reject a candidate link. The decision is
    kept for the source's record and the person, and reused on every later run."""
    _check(actor, "link.review_links", [candidate.person_id], context, "decide a link")
    if candidate.status != CandidateStatus.PENDING:
        raise ValidationError({"candidate": [_("This link has been decided already.")]})
    reason = " ".join((reason or "").split())[:500]
    record = candidate.record
    with transaction.atomic():
        ClericalDecision.objects.update_or_create(
            source=record.source, record_key=record.record_key, person=candidate.person,
            defaults={"same_person": same_person, "reason": reason, "decided_by": audit.label(actor)})
        candidate.status = CandidateStatus.ACCEPTED if same_person else CandidateStatus.REJECTED
        candidate.decided_by, candidate.decided_at = audit.label(actor), timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
        if same_person:
            record.match_probability = candidate.match_probability
            record.save(update_fields=["match_probability"])
            link_record(record, candidate.person, method=LinkMethod.CLERICAL, actor=actor, context=context)
            record.candidates.filter(status=CandidateStatus.PENDING).update(
                status=CandidateStatus.REJECTED, decided_by=audit.label(actor), decided_at=timezone.now())
        elif not record.candidates.filter(status=CandidateStatus.PENDING).exists():
            record.status = RecordStatus.NO_MATCH
            record.save(update_fields=["status"])
        audit.record(actor, "change", context, person_id=candidate.person_id, object_type="link",
                     object_id=record.pk, detail={"decision": "same person" if same_person else "not the same",
                                                  "source": record.source.code, "record": record.record_key,
                                                  "probability": round(candidate.match_probability, 4)})
    return candidate


def unlink_record(record: SourceRecord, *, reason: str, actor: Any, context: audit.AuditContext) -> SourceRecord:
    """Take a wrong link apart: the record no longer belongs to the person, and later runs will not link them
    again (a decision that they are not the same young person)."""
    if record.person_id is None:
        raise ValidationError({"record": [_("This record is not linked to anyone.")]})
    _check(actor, "link.review_links", [record.person_id], context, "unlink a record")
    reason = _reason(reason)
    person_id = record.person_id
    with transaction.atomic():
        ClericalDecision.objects.update_or_create(
            source=record.source, record_key=record.record_key, person_id=person_id,
            defaults={"same_person": False, "reason": reason, "decided_by": audit.label(actor)})
        _withdraw_activity(record, actor=actor, context=context)
        record.person, record.status, record.method, record.match_probability = None, RecordStatus.NO_MATCH, "", None
        record.save(update_fields=["person", "status", "method", "match_probability"])
        audit.record(actor, "change", context, person_id=person_id, object_type="link", object_id=record.pk,
                     detail={"unlinked": record.record_key, "source": record.source.code, "reason": reason})
    return record


def _withdraw_activity(record: SourceRecord, *, actor: Any, context: audit.AuditContext) -> None:
    """The activity a wrong link put on the young person's timeline goes with it."""
    payload = record.payload
    code = payload.get("activity_code") or CLOSURE_ACTIVITY.get(payload.get("closure_reason") or "")
    if code and payload.get("activity_start") and record.person is not None:
        withdraw_activities(record.person, source=record.source.code[:40], code=int(code),
                            start=datetime.date.fromisoformat(payload["activity_start"]), actor=actor,
                            context=context)


def _person_rows() -> list[tuple[Any, Any]]:
    """Every model with a foreign key to a person that a merge moves (one-to-one links cannot be merged)."""
    found = []
    for model in apps.get_models():
        if (model._meta.app_label, model._meta.model_name) in _STAY:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey) and not isinstance(field, models.OneToOneField) \
                    and field.related_model is Person:
                found.append((model, field))
    return found


def _merged_away(person: Person) -> bool:
    return ClusterChange.objects.filter(kind=ClusterChangeKind.MERGE, merged=person, undone_by__isnull=True).exists()


def merge_people(kept: Person, merged: Person, *, reason: str, actor: Any,
                 context: audit.AuditContext) -> ClusterChange:
    """Two records of one young person: everything that belonged to ``merged`` now belongs to ``kept``. The
    merged record stays (empty) so the merge can be undone."""
    _check(actor, "link.merge_people", [kept.pk, merged.pk], context, "merge two people")
    errors: dict[str, list[str]] = {}
    if kept.pk == merged.pk:
        errors["merged"] = [_("Choose two different young people.")]
    elif _merged_away(kept) or _merged_away(merged):
        errors["merged"] = [_("One of them has been merged into someone else already; undo that first.")]
    try:
        reason = _reason(reason)
    except ValidationError as problem:
        errors |= problem.message_dict
    if errors:
        raise ValidationError(errors)
    moved: list[list[Any]] = []
    try:
        with transaction.atomic():
            for model, field in _person_rows():
                pks = list(model._default_manager.filter(**{field.name: merged}).values_list("pk", flat=True))
                if pks:
                    model._default_manager.filter(pk__in=pks).update(**{field.name: kept})
                    moved += [[model._meta.label_lower, pk, field.name] for pk in pks]
            change = ClusterChange.objects.create(kind=ClusterChangeKind.MERGE, kept=kept, merged=merged, moved=moved,
                                                  reason=reason, made_by=audit.label(actor))
            set_merged_into(merged, kept, actor=actor, context=context)
            for person in (kept, merged):
                audit.record(actor, "change", context, person_id=person.pk, object_type="cluster_change",
                             object_id=change.pk, detail={"merge": {"kept": kept.pk, "merged": merged.pk},
                                                          "rows": len(moved), "reason": reason})
    except IntegrityError as problem:
        raise ValidationError({"merged": [_("These two records cannot be merged: both hold something only one "
                                            "person can have (for example, the same kind of record on the same "
                                            "day). Correct one of them first.")]}) from problem
    return change


def split_merge(change: ClusterChange, *, reason: str, actor: Any, context: audit.AuditContext) -> ClusterChange:
    """Undo a merge: every row it moved goes back to the person it came from. Rows added to the kept person since
    the merge stay with them."""
    _check(actor, "link.merge_people", [change.kept_id, change.merged_id], context, "undo a merge")
    if change.kind != ClusterChangeKind.MERGE:
        raise ValidationError({"change": [_("Only a merge can be undone.")]})
    if ClusterChange.objects.filter(undoes=change).exists():
        raise ValidationError({"change": [_("This merge has been undone already.")]})
    reason = _reason(reason)
    with transaction.atomic():
        by_model: dict[tuple[str, str], list[Any]] = {}
        for label, pk, field in change.moved:
            by_model.setdefault((label, field), []).append(pk)
        for (label, field), pks in by_model.items():
            model = apps.get_model(label)
            model._default_manager.filter(pk__in=pks, **{field: change.kept_id}).update(**{field: change.merged_id})
        set_merged_into(change.merged, None, actor=actor, context=context)
        split = ClusterChange.objects.create(kind=ClusterChangeKind.SPLIT, kept=change.kept, merged=change.merged,
                                             moved=change.moved, reason=reason, made_by=audit.label(actor),
                                             undoes=change)
        for person_id in (change.kept_id, change.merged_id):
            audit.record(actor, "change", context, person_id=person_id, object_type="cluster_change",
                         object_id=split.pk, detail={"split": change.pk, "rows": len(change.moved), "reason": reason})
    return split
