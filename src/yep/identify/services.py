"""The only writers of early identification data: imported indicators so far."""

from typing import Any

from django.db import transaction

from yep.access import audit
from yep.imports import ImportReport

from .models import Attendance

BATCH = 5000


@transaction.atomic
def record_attendance(rows: list[dict[str, Any]], *, actor: Any, context: audit.AuditContext,
                      report: ImportReport) -> None:
    """Create or correct termly attendance, matched on (person, academic year, term); identical rows change
    nothing, so the same file imported twice leaves the data as it was. One audit event for the file."""
    keys = {(r["person_id"], r["academic_year"], r["term"]) for r in rows}
    people = {k[0] for k in keys}
    existing = {(a.person_id, a.academic_year, a.term): a
                for a in Attendance.objects.filter(person_id__in=people).iterator(chunk_size=BATCH)}
    new, changed = [], []
    for r in rows:
        current = existing.get((r["person_id"], r["academic_year"], r["term"]))
        if current is None:
            new.append(Attendance(person_id=r["person_id"], academic_year=r["academic_year"], term=r["term"],
                                  sessions_possible=r["sessions_possible"], sessions_attended=r["sessions_attended"],
                                  imported_from=report.file_sha256))
        elif (current.sessions_possible, current.sessions_attended) != (r["sessions_possible"], r["sessions_attended"]):
            current.sessions_possible, current.sessions_attended = r["sessions_possible"], r["sessions_attended"]
            current.imported_from = report.file_sha256
            changed.append(current)
    Attendance.objects.bulk_create(new, batch_size=BATCH)
    Attendance.objects.bulk_update(changed, ["sessions_possible", "sessions_attended", "imported_from"],
                                   batch_size=BATCH)
    report.created, report.updated = len(new), len(changed)
    report.unchanged = len(rows) - len(new) - len(changed)
    audit.record(actor, "import", context, object_type="attendance", object_id=report.file_sha256[:16],
                 detail={"rows": len(rows), "created": report.created, "updated": report.updated,
                         "unchanged": report.unchanged, "people": len(people)})
