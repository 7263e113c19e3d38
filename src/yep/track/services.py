"""The only writer of the activity timeline: in bulk for loaders and imports, and one activity at a time for
staff and partners (``record_activity``)."""

import csv
import datetime
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.policy import decide
from yep.people.models import ActivityCode, Person
from yep.people.services.population import Progress

from .activities import Errors, clean_activity
from .models import Activity, Confidence

BATCH = 5000


@transaction.atomic
def record_activities(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                      source: str = "") -> int:
    """Add activities (dicts with person_id, code_id, start, end, hours_per_week, organisation_id, source) to
    the timeline in bulk, as a loader or an import does; one audit event for the batch. All rows or none: the
    batches of a large list are one transaction."""
    created = Activity.objects.bulk_create([Activity(**row) for row in rows], batch_size=BATCH)
    audit.record(actor, "import", context, object_type="activity", object_id=source[:32],
                 detail={"rows": len(created), "people": len({r["person_id"] for r in rows})})
    return len(created)


# Who may say what a young person is doing, and as what source.
SOURCES = ("careers_service", "lead_worker", "young_person", "school", "provider", "dwp")


def record_activity(person: Person, *, code: Any, start: Any, end: Any = None, hours_per_week: Any = None,
                    organisation: Any = None, training_level: Any = None, source: str = "careers_service",
                    confidence: str = Confidence.HIGH, actor: Any, context: audit.AuditContext) -> Activity:
    """Put one activity on ``person``'s timeline, as said by ``source`` (the careers service, the lead worker, the
    young person themselves...). The careers service, the EPC and lead workers (``track.record_activity``) who may
    change the record may. Tiers follow from it: nothing else is changed."""
    if not (getattr(actor, "pk", None) and actor.has_perm("track.record_activity")) or not (
            (decision := decide(actor, person.pk)) is not None and decision.can_change):
        audit.record(actor, "denied", context, person_id=person.pk, object_type="activity",
                     detail={"wanted": "record activity"})
        raise PermissionDenied(_("You cannot record what this young person is doing."))
    errors: Errors = {}
    if source not in SOURCES:
        errors["source"] = [_("Choose who said so from the list.")]
    if confidence not in Confidence.values:
        errors["confidence"] = [_("Choose how sure the source is: high, medium or low.")]
    checked = clean_activity(person, code=code, start=start, end=end, hours_per_week=hours_per_week,
                             organisation=organisation, training_level=training_level, errors=errors)
    if errors or checked is None:
        raise ValidationError(errors)
    with transaction.atomic():
        activity = Activity.objects.create(person=person, confidence=confidence, **{
            k: v for k, v in checked.row(person, source).items() if k != "person_id"})
        audit.record(actor, "create", context, person_id=person.pk, object_type="activity", object_id=activity.pk,
                     fields=["enrolments"], detail={"code": checked.code.code, "start": checked.start.isoformat(),
                                                    "source": source, "confidence": confidence})
    return activity


@transaction.atomic
def withdraw_activities(person: Person, *, source: str, code: int, start: datetime.date, actor: Any,
                        context: audit.AuditContext) -> int:
    """Take off the timeline what ``source`` said ``person`` was doing (``code`` from ``start``): for a data hub
    link that proved wrong, whose activity was never about this young person. The caller has checked who may;
    the audit row says what went. Returns how many activities went (0 when someone already corrected it)."""
    wrong = Activity.objects.filter(person=person, source=source, code__code=code, start=start)
    removed = list(wrong.values_list("pk", flat=True))
    if removed:
        wrong.delete()
        audit.record(actor, "change", context, person_id=person.pk, object_type="activity",
                     object_id=removed[0], fields=["enrolments"],
                     detail={"withdrawn": removed, "source": source, "code": code, "start": start.isoformat()})
    return len(removed)


def _activities(path: Path, person_ids: Mapping[str, int], org_ids: Mapping[str, int]) -> Iterator[Activity]:
    # The files carry NCCIS codes; the timeline points at the reference rows that hold them.
    code_ids = dict(ActivityCode.objects.values_list("code", "pk"))
    with path.open(newline="", encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            yield Activity(person_id=person_ids[r["person_id"]], code_id=code_ids[int(r["activity_code"])],
                           start=datetime.date.fromisoformat(r["start"]),
                           end=datetime.date.fromisoformat(r["end"]) if r["end"] else None,
                           hours_per_week=int(r["hours_per_week"]) if r["hours_per_week"] else None,
                           organisation_id=org_ids.get(r["org_id"]), source=r["source"])


@transaction.atomic
def load_activities(directory: Path, person_ids: Mapping[str, int], org_ids: Mapping[str, int], *, actor: Any,
                    context: audit.AuditContext, progress: Progress = lambda stage, done, total: None) -> int:
    """Load the timeline from a ``yep synth`` folder's activities.csv, whose people and organisations are already
    on the register (``person_ids`` and ``org_ids`` map the folder's ids to the database's), as ``yep demo``
    does; one audit event for the file. A missing file loads nothing. Returns the rows created."""
    path = directory / "activities.csv"
    if not path.exists():
        return 0
    batch: list[Activity] = []
    people: set[int] = set()
    total = 0
    for activity in _activities(path, person_ids, org_ids):
        batch.append(activity)
        people.add(activity.person_id)
        if len(batch) >= BATCH:
            Activity.objects.bulk_create(batch)
            total += len(batch)
            progress("activities", total, 0)
            batch = []
    total += len(Activity.objects.bulk_create(batch))
    with path.open("rb") as handle:
        sha = hashlib.file_digest(handle, "sha256").hexdigest()
    audit.record(actor, "import", context, object_type="activity", object_id=sha[:16],
                 detail={"file": path.name, "rows": total, "people": len(people)})
    return total
