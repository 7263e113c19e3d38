"""The stages of a run, in the order they must run; each writes the tables it completes."""

from __future__ import annotations

from collections.abc import Callable

from yep.synth.stages.records import contacts, extracts, identifiers, school_records
from yep.synth.stages.register import activities, characteristics, enrolments, organisations, people
from yep.synth.stages.run import Run

STAGES: tuple[tuple[str, Callable[[Run], None]], ...] = (
    ("people", people),
    ("organisations", organisations),
    ("characteristics", characteristics),
    ("activities", activities),
    ("enrolments", enrolments),
    ("identifiers", identifiers),
    ("school records", school_records),
    ("contacts", contacts),
    ("extracts", extracts),
)

__all__ = ["STAGES", "Run"]
