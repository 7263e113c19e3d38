"""The state one run carries from stage to stage."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from yep.synth.activities import Episodes
from yep.synth.addresses import DistrictTable
from yep.synth.characteristics import Characteristics
from yep.synth.config import SynthConfig
from yep.synth.enrolments import Enrolments
from yep.synth.names import Names
from yep.synth.organisations import Organisations
from yep.synth.output import FileEntry, write_table
from yep.synth.population import People
from yep.synth.reference import LocalAuthority
from yep.synth.school_calendar import SchoolCalendar
from yep.synth.schools import Placement


@dataclass
class Run:
    """Inputs of a run, and what earlier stages produced for later ones.

    The fields after ``files`` are set by the stage that produces them, in ``STAGES`` order.
    """

    config: SynthConfig
    rng: np.random.Generator
    cal: SchoolCalendar
    las: list[LocalAuthority]
    districts: DistrictTable
    files: list[FileEntry] = field(default_factory=list)
    people: People = field(init=False)  # set by the people stage
    names: Names = field(init=False)  # set by the people stage
    orgs: Organisations = field(init=False)  # set by the organisations stage
    chars: Characteristics = field(init=False)  # set by the characteristics stage
    placement: Placement = field(init=False)  # set by the activities stage
    post16: Episodes = field(init=False)  # set by the activities stage
    current: np.ndarray = field(init=False)  # current NCCIS code per person (0: none)
    previous: np.ndarray = field(init=False)  # latest ended code per person (0: none)
    enrol: Enrolments = field(init=False)  # set by the enrolments stage
    spare: dict[str, np.ndarray] = field(default_factory=dict)  # identifiers nobody holds

    def write(self, name: str, columns: dict[str, pa.Array]) -> None:
        self.files.append(write_table(self.config.out, name, columns, self.config.fmt))

    @property
    def org_ids(self) -> np.ndarray:
        return self.orgs.ids()
