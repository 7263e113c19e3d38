"""Loading a synthetic population's activities into the timeline, as `yep demo` does."""

import csv
import datetime

import pytest

from tests import factories
from yep.access.models import AuditEvent
from yep.people.services.population import load_population
from yep.synth import SynthConfig, generate
from yep.track.models import Activity
from yep.track.services import load_activities

AS_OF = datetime.date(2026, 11, 23)


@pytest.fixture
def folder(tmp_path):
    """`yep synth --people 400 --seed 3`, seen from a fixed date."""
    out = tmp_path / "synth"
    generate(SynthConfig(people=400, seed=3, out=out, as_of=AS_OF))
    return out


@pytest.fixture
def activities(folder):
    with (folder / "activities.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def loaded(folder, db):
    register = load_population(folder, actor="test", context=factories.TEST)
    created = load_activities(folder, register.person_ids, register.org_ids, actor="test", context=factories.TEST)
    return register, created


def test_every_activity_is_loaded_with_its_nccis_code(activities, loaded):
    register, created = loaded
    assert created == Activity.objects.count() == len(activities)
    expected = sorted((register.person_ids[r["person_id"]], int(r["activity_code"]), r["start"], r["end"] or None)
                      for r in activities)
    found = sorted((a.person_id, a.code.code, a.start.isoformat(), a.end.isoformat() if a.end else None)
                   for a in Activity.objects.select_related("code"))
    assert found == expected
    assert {code for _, code, _, _ in found} >= {110, 210, 230, 619}


def test_organisations_hours_and_sources_are_kept(activities, loaded):
    register, _ = loaded
    by_key = {(register.person_ids[r["person_id"]], r["start"]): r for r in activities}
    for activity in Activity.objects.select_related("organisation"):
        row = by_key[(activity.person_id, activity.start.isoformat())]
        assert (activity.organisation.ref if activity.organisation else "") == row["org_id"]
        assert activity.hours_per_week == (int(row["hours_per_week"]) if row["hours_per_week"] else None)
        assert activity.source == row["source"]


def test_the_file_loaded_writes_one_audit_event(loaded):
    _, created = loaded
    event = AuditEvent.objects.get(action="import", object_type="activity")
    assert event.detail["rows"] == created and event.detail["file"] == "activities.csv"
