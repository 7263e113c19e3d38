"""The generator's entry point: build a synthetic population stage by stage and write it out.

Stages run in a fixed order from one seeded random generator (``numpy`` PCG64), and each writes
its tables as soon as they are complete, so large runs do not hold every table in memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from rich.console import Console

from yep.synth.addresses import DistrictTable
from yep.synth.config import SynthConfig
from yep.synth.output import GENERATOR_VERSION, Manifest, write_manifest
from yep.synth.progress import Stages
from yep.synth.school_calendar import SchoolCalendar
from yep.synth.stages import STAGES, Run


def generate(config: SynthConfig, progress: bool = False, console: Console | None = None) -> Manifest:
    """Generate a synthetic population and write it to ``config.out``.

    Args:
        config: what to generate; checked first (raises ``SynthConfigError``).
        progress: show a rich progress bar with one task per stage.
        console: where the progress bar goes (default: standard error).

    Returns:
        The manifest of the files written, also saved as ``manifest.json``.

    Examples:
        >>> generate(SynthConfig(people=5000, seed=1, out=Path("var/synth")))  # doctest: +SKIP
    """
    config.check()
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    las = config.local_authorities()
    rng = np.random.Generator(np.random.PCG64(config.seed))
    run = Run(config, rng, SchoolCalendar(config.as_of), las, DistrictTable.of(las))
    stages = Stages([name for name, _ in STAGES], (console or Console(stderr=True)) if progress else None)
    with stages.running():
        for name, stage in STAGES:
            with stages.stage(name):
                stage(run)
    manifest = Manifest(
        generator="yep.synth",
        version=GENERATOR_VERSION,
        seed=config.seed,
        as_of=config.as_of.isoformat(),
        people=config.people,
        la_codes=[a.code for a in las],
        format=config.fmt,
        files=run.files,
    )
    write_manifest(out, manifest)
    return manifest
