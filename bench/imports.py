"""Imports: `yep import attendance` of about 250,000 rows (budget: under 30 s, atomic).

Builds a synthetic population whose pupils have that many termly attendance rows, loads it into the register,
writes the school attendance return as a CSV keyed by UPN, and times the full import (read, validate every row,
resolve UPNs, write in one transaction). Reference: reading the same CSV with the csv module and bulk-inserting
the same rows directly, with no validation. Run it on an empty scratch database, e.g.
`YEP_DATA_DIR=/tmp/bench .venv/bin/yep migrate && YEP_DATA_DIR=/tmp/bench .venv/bin/yep bench imports`.
"""

import csv
import datetime
import tempfile
import time
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

from yep.access.audit import CLI
from yep.identify.imports import ATTENDANCE
from yep.identify.models import Attendance
from yep.imports import run_import
from yep.people.models import Person
from yep.people.services.population import load_population
from yep.synth import SynthConfig, generate

ROWS_PER_PERSON = 2.5  # synth gives about this many termly attendance rows per young person (with a UPN)


def _attendance_csv(synth: Path, out: Path, limit: int) -> int:
    upns = dict(Person.objects.exclude(upn=None).values_list("pk", "upn"))
    by_synth = {}
    with (synth / "people.csv").open() as handle:
        for number, row in enumerate(csv.DictReader(handle), start=1):
            by_synth[row["person_id"]] = upns.get(number)
    rows = 0
    with (synth / "attendance.csv").open() as source, out.open("w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(["upn", "academic_year", "term", "sessions_possible", "sessions_attended"])
        for row in csv.DictReader(source):
            upn = by_synth.get(row["person_id"])
            if upn and rows < limit:
                writer.writerow([upn, row["academic_year"], row["term"], row["sessions_possible"],
                                 row["sessions_attended"]])
                rows += 1
    return rows


def _reference(path: Path) -> float:
    ids = dict(Person.objects.exclude(upn=None).values_list("upn", "pk"))
    started = time.perf_counter()
    with path.open() as handle:
        rows = [Attendance(person_id=ids[r["upn"]], academic_year=int(r["academic_year"]), term=r["term"],
                           sessions_possible=int(r["sessions_possible"]), sessions_attended=int(r["sessions_attended"]))
                for r in csv.DictReader(handle)]
    with transaction.atomic():
        Attendance.objects.bulk_create(rows, batch_size=5000)
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def run(size: int | None = None) -> dict:
    target = size or 250_000
    if Person.objects.exists():
        raise CommandError("Run this benchmark on an empty scratch database (see bench/imports.py).")
    with tempfile.TemporaryDirectory() as tmp:
        synth = Path(tmp) / "synth"
        generate(SynthConfig(people=int(target / ROWS_PER_PERSON * 1.1), seed=7, out=synth,
                             as_of=datetime.date(2026, 11, 23)), progress=False)
        load_population(synth, actor="bench", context=CLI)
        path = Path(tmp) / "attendance.csv"
        rows = _attendance_csv(synth, path, target)
        reference = _reference(path)
        started = time.perf_counter()
        report = run_import(ATTENDANCE, path, actor="bench", context=CLI)
        measured = time.perf_counter() - started
    return {"what": f"yep import attendance, {rows:,} rows", "measured": measured, "reference": reference,
            "reference_what": "csv read + unvalidated bulk insert of the same rows",
            "extra": {"budget": "30 s for 250,000 rows", "created": report.created}}
