"""The only writer of the activity timeline."""

import csv
import datetime
import hashlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from django.db import transaction

from yep.access import audit
from yep.people.models import ActivityCode
from yep.people.services.population import Progress

from .models import Activity

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
