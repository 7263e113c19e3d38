"""Loading a synthetic population's school records into early identification's indicators, as `yep demo` does."""

import csv
import datetime
from collections import Counter

import pytest
from django.db.models import Sum

from tests import factories
from yep.access.models import AuditEvent
from yep.identify.models import Attainment, Attendance, BehaviourIncident, Exclusion
from yep.identify.services.loading import load_indicators
from yep.people.services.population import load_population
from yep.synth import SynthConfig, generate

AS_OF = datetime.date(2026, 11, 23)
FILES = ("attendance", "exclusions", "behaviour", "attainment")


def rows(folder, name):
    with (folder / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def folder(tmp_path):
    """`yep synth --people 400 --seed 3`, seen from a fixed date."""
    out = tmp_path / "synth"
    generate(SynthConfig(people=400, seed=3, out=out, as_of=AS_OF))
    return out


@pytest.fixture
def loaded(folder, db):
    register = load_population(folder, actor="test", context=factories.TEST)
    counts = load_indicators(folder, register.person_ids, register.org_ids, actor="test", context=factories.TEST)
    return register, counts


def test_the_register_load_gives_the_database_ids_of_the_folders_people_and_organisations(folder, loaded):
    register, _ = loaded
    assert register.counts["people"] == len(register.person_ids) == 400
    assert set(register.person_ids) == {row["person_id"] for row in rows(folder, "people")}
    assert {row["org_id"] for row in rows(folder, "organisations")} <= set(register.org_ids)


def test_every_attendance_exclusion_and_attainment_row_is_loaded(folder, loaded):
    _, counts = loaded
    expected = {name: len(rows(folder, name)) for name in FILES}
    assert all(expected.values())
    assert counts["attendance"] == Attendance.objects.count() == expected["attendance"]
    assert counts["exclusions"] == Exclusion.objects.count() == expected["exclusions"]
    assert counts["attainment"] == Attainment.objects.count() == expected["attainment"]
    assert counts["behaviour"] == BehaviourIncident.objects.count() <= expected["behaviour"]


def test_rows_belong_to_the_right_person_and_school(folder, loaded):
    register, _ = loaded
    first = rows(folder, "attendance")[0]
    attendance = Attendance.objects.get(person_id=register.person_ids[first["person_id"]],
                                        academic_year=int(first["academic_year"]), term=first["term"])
    assert (attendance.sessions_possible, attendance.sessions_attended) == (
        int(first["sessions_possible"]), int(first["sessions_attended"]))
    for row in rows(folder, "exclusions"):
        exclusion = Exclusion.objects.get(person_id=register.person_ids[row["person_id"]], date=row["date"],
                                          kind=row["kind"])
        assert exclusion.organisation.ref == row["org_id"]
        assert exclusion.days == (int(row["days"]) if row["days"] else None)


def test_behaviour_keeps_every_incident_one_row_per_pupil_day_and_severity(folder, loaded):
    register, _ = loaded
    expected = Counter((register.person_ids[r["person_id"]], r["date"], int(r["severity"]))
                       for r in rows(folder, "behaviour"))
    found = {(b.person_id, b.date.isoformat(), b.severity): b.count for b in BehaviourIncident.objects.all()}
    assert found == dict(expected)
    assert BehaviourIncident.objects.aggregate(total=Sum("count"))["total"] == len(rows(folder, "behaviour"))


def test_incidents_of_one_severity_on_one_day_become_one_row_with_their_count(tmp_path, region):
    lines = ["person_id,org_id,date,severity", "1,,2025-10-01,2", "1,,2025-10-01,2", "1,,2025-10-01,1",
             "1,,2025-10-02,2"]
    (tmp_path / "behaviour.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts = load_indicators(tmp_path, {"1": region.pupil.pk}, {}, actor="test", context=factories.TEST)
    assert counts == {"behaviour": 3}
    found = sorted(BehaviourIncident.objects.values_list("date", "severity", "count"))
    day = datetime.date(2025, 10, 1)
    assert found == [(day, 1, 1), (day, 2, 2), (datetime.date(2025, 10, 2), 2, 1)]


def test_each_file_loaded_writes_one_audit_event(folder, loaded):
    _, counts = loaded
    events = AuditEvent.objects.filter(action="import", object_type__in=FILES)
    assert sorted(e.object_type for e in events) == sorted(FILES)
    for event in events:
        assert event.detail["rows"] == counts[event.object_type] and event.detail["people"] > 0
