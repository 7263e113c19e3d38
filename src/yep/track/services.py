"""The only writer of the activity timeline."""

from typing import Any

from yep.access import audit

from .models import Activity

BATCH = 5000


def record_activities(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                      source: str = "") -> int:
    """Add activities (dicts with person_id, code_id, start, end, hours_per_week, organisation_id, source) to
    the timeline in bulk, as a loader or an import does; one audit event for the batch."""
    created = Activity.objects.bulk_create([Activity(**row) for row in rows], batch_size=BATCH)
    audit.record(actor, "import", context, object_type="activity", object_id=source[:32],
                 detail={"rows": len(created), "people": len({r["person_id"] for r in rows})})
    return len(created)
