"""Termly attendance, as imported from schools."""

from typing import Any

from django.db import transaction

from yep.access import audit
from yep.imports import ImportReport
from yep.imports.bulk import insert_rows

from ..models import Attendance

BATCH = 5000
COLUMNS = ("person_id", "academic_year", "term", "sessions_possible", "sessions_attended", "imported_from")


@transaction.atomic
def record_attendance(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                      report: ImportReport) -> None:
    """Create or correct termly attendance, matched on (person, academic year, term); identical rows change
    nothing, so the same file imported twice leaves the data as it was. One audit event for the file."""
    keys = {(r["person_id"], r["academic_year"], r["term"]) for r in rows}
    people = {k[0] for k in keys}
    # Plain tuples, not model instances: a termly re-import compares hundreds of thousands of rows.
    existing = {
        (person, year, term): (pk, possible, attended)
        for pk, person, year, term, possible, attended in Attendance.objects.filter(person_id__in=people)
        .values_list("pk", "person_id", "academic_year", "term", "sessions_possible", "sessions_attended")
        .iterator(chunk_size=BATCH)
    }
    new, changed = [], []
    for r in rows:
        current = existing.get((r["person_id"], r["academic_year"], r["term"]))
        figures = (r["sessions_possible"], r["sessions_attended"])
        if current is None:
            new.append((r["person_id"], r["academic_year"], r["term"], *figures, report.file_sha256))
        elif current[1:] != figures:
            changed.append(Attendance(pk=current[0], sessions_possible=figures[0], sessions_attended=figures[1],
                                      imported_from=report.file_sha256))
    insert_rows(Attendance, COLUMNS, new)
    Attendance.objects.bulk_update(changed, ["sessions_possible", "sessions_attended", "imported_from"],
                                   batch_size=BATCH)
    report.created, report.updated = len(new), len(changed)
    report.unchanged = len(rows) - len(new) - len(changed)
    audit.record(actor, "import", context, object_type="attendance", object_id=report.file_sha256[:16],
                 detail={"rows": len(rows), "created": report.created, "updated": report.updated,
                         "unchanged": report.unchanged, "people": len(people)})
