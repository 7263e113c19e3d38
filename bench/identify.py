"""Early identification: a run of the 7-indicator default model over 250,000 pupils (budget: within 3x of a bulk
read and bulk write of the same rows), `yep bench identify --pupils 250000 [--json]`.

Builds, in an empty scratch database, one LA with 60 schools and the pupils of Years 7-11 with this autumn's and
last summer's attendance, exclusions for one in twenty, KS2 results for all and KS3 for Years 10-11, and young
carers. Measured: `create_run` end to end (read every indicator, score, store every result with its snapshot).
Reference, in the same run: reading the same indicator rows with `values_list` and bulk-writing the same number of
result rows with the same writer, with no scoring. Both are rolled back. Run it on a scratch database, e.g.
`YEP_DATA_DIR=/tmp/bench .venv/bin/yep migrate && YEP_DATA_DIR=/tmp/bench .venv/bin/yep bench identify`.
"""

import datetime
import time

import numpy as np
from django.core.management.base import CommandError
from django.db import transaction

from yep.access.audit import CLI
from yep.identify import services
from yep.identify.models import Attainment, Attendance, Exclusion, Result, Run
from yep.identify.services.runs import RESULT_COLUMNS
from yep.imports.bulk import insert_rows
from yep.people.models import Characteristic, Enrolment, Organisation, OrganisationKind, Person

YEAR, TERM, AS_OF = 2026, "autumn", datetime.date(2026, 12, 15)
SCHOOLS = 60


def _build(pupils: int) -> Organisation:
    if Person.objects.exists():
        raise CommandError("Run this benchmark on an empty scratch database (see bench/identify.py).")
    rng = np.random.default_rng(7)
    la = Organisation.objects.get(kind=OrganisationKind.LA, code="681")  # from the reference data
    schools = Organisation.objects.bulk_create([
        Organisation(ref=f"SCH-681{n:04d}", kind=OrganisationKind.SCHOOL, name=f"School {n}", code=f"681{n:04d}",
                     la=la) for n in range(SCHOOLS)])
    year_group = rng.integers(7, 12, pupils)
    Person.objects.bulk_create([
        Person(legal_forenames="Pupil", legal_surname=f"N{i}", dob=datetime.date(YEAR - int(g) - 4, 1 + i % 12, 1),
               la_of_residence=la) for i, g in enumerate(year_group)], batch_size=5000)
    ids = np.array(Person.objects.order_by("pk").values_list("pk", flat=True))
    school_ids = np.array([s.pk for s in schools])[rng.integers(0, SCHOOLS, pupils)]
    insert_rows(Enrolment, ("person_id", "organisation_id", "year_group", "start", "end_reason"),
                ((int(p), int(s), int(g), datetime.date(2020, 9, 1), "") for p, s, g in
                 zip(ids, school_ids, year_group, strict=True)))
    risk = rng.beta(1.2, 6, pupils)
    this_year = rng.binomial(140, np.clip(0.97 - 0.5 * risk, 0.3, 1))
    last_year = rng.binomial(120, np.clip(0.97 - 0.4 * risk, 0.3, 1))
    columns = ("person_id", "academic_year", "term", "sessions_possible", "sessions_attended", "imported_from")
    insert_rows(Attendance, columns, ((int(p), YEAR, "autumn", 140, int(a), "") for p, a in zip(ids, this_year,
                                                                                                  strict=True)))
    insert_rows(Attendance, columns, ((int(p), YEAR - 1, "summer", 120, int(a), "") for p, a in zip(ids, last_year,
                                                                                                      strict=True)))
    excluded = ids[rng.random(pupils) < 0.02 + 0.3 * risk]
    insert_rows(Exclusion, ("person_id", "date", "kind", "days", "imported_from"),
                ((int(p), datetime.date(2026, 10, 5), "fixed_term", 2, "") for p in excluded))
    attainment = ("person_id", "key_stage", "subject", "result", "expected", "imported_from")
    for subject in ("english", "maths", "science"):
        insert_rows(Attainment, attainment, ((int(p), "KS2", subject, 4 - int(r > 0.3), 4, "") for p, r in
                                             zip(ids, risk, strict=True)))
        insert_rows(Attainment, attainment, ((int(p), "KS3", subject, 5 - int(r > 0.3), 5, "") for p, r, g in
                                             zip(ids, risk, year_group, strict=True) if g >= 10))
    carers = ids[rng.random(pupils) < 0.03]
    insert_rows(Characteristic, ("person_id", "kind", "value", "start", "source"),
                ((int(p), "young_carer", "", datetime.date(2024, 9, 1), "bench") for p in carers))
    return la


def _reference(pupils: int) -> float:
    """Read the same indicator rows and write as many result rows, with no scoring."""
    started = time.perf_counter()
    with transaction.atomic():
        read = [list(Enrolment.objects.values_list("person_id", "start", "organisation_id", "person__dob")),
                list(Attendance.objects.values_list("person_id", "sessions_possible", "sessions_attended")),
                list(Exclusion.objects.values_list("person_id")),
                list(Attainment.objects.values_list("person_id", "result", "expected")),
                list(Characteristic.objects.values_list("person_id"))]
        model = services.ensure_default_model(Organisation.objects.get(code="681", kind="la"), actor="bench",
                                              context=CLI)
        holder = Run.objects.create(la=model.la, model=model, academic_year=YEAR, term=TERM, as_of=AS_OF,
                                    input_digest="")
        school = read[0][0][2]
        row = "[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]"
        insert_rows(Result, RESULT_COLUMNS, ((holder.pk, p[0], school, 10, row, row, 0, "none", "[]", "", False)
                                             for p in read[0][:pupils]))
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    return elapsed


def _measured() -> tuple[float, int]:
    la = Organisation.objects.get(code="681", kind="la")
    model = services.ensure_default_model(la, actor="bench", context=CLI)
    started = time.perf_counter()
    with transaction.atomic():
        run = services.create_run(model, academic_year=YEAR, term=TERM, as_of=AS_OF, actor="bench", context=CLI)
        elapsed = time.perf_counter() - started
        cohort = run.counts["cohort"]
        transaction.set_rollback(True)
    return elapsed, cohort


def run(size: int | None = None) -> dict[str, object]:
    pupils = size or 250_000
    if not Person.objects.exists():
        _build(pupils)
    reference = _reference(pupils)
    measured, cohort = _measured()
    return {"what": f"a run of the default 7-indicator model over {cohort:,} pupils (read, score, store)",
            "measured": measured, "reference": reference,
            "reference_what": "values_list of the same indicator rows and a bulk write of as many result rows",
            "json": {"pupils": cohort}}
