"""What a synthetic population run is asked to produce, and the checks on that request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from yep.synth.reference import LocalAuthority, local_authorities

FORMATS = ("csv", "parquet")


class SynthConfigError(ValueError):
    """A run was asked for something the generator cannot produce."""


@dataclass(frozen=True)
class SynthConfig:
    """Options of one run; the same options always give byte-identical output.

    Args:
        people: how many young people to generate (at least 1).
        seed: seed of the random generator.
        out: directory the files are written to (created if missing).
        as_of: the date the population is seen from; ages, current enrolments and current
            activities are as at this date.
        la_codes: 3-digit codes of the local authorities to populate; empty means all 22.
        fmt: ``csv`` or ``parquet``.
    """

    people: int
    seed: int
    out: Path
    as_of: date = field(default_factory=date.today)
    la_codes: Sequence[str] = ()
    fmt: str = "csv"

    def local_authorities(self) -> list[LocalAuthority]:
        """The LAs of this run in code order (so the order given does not change the output)."""
        known = local_authorities()
        codes = sorted(set(self.la_codes)) if self.la_codes else list(known)
        return [known[code] for code in codes]

    def check(self) -> None:
        """Raise SynthConfigError naming the first problem, if any."""
        if isinstance(self.people, bool) or not isinstance(self.people, int) or self.people < 1:
            raise SynthConfigError(f"people must be a whole number of at least 1, got {self.people!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise SynthConfigError(f"seed must be a whole number of 0 or more, got {self.seed!r}")
        unknown = sorted(set(self.la_codes) - set(local_authorities()))
        if unknown:
            raise SynthConfigError(f"unknown local authority code(s): {', '.join(unknown)}")
        if self.fmt not in FORMATS:
            raise SynthConfigError(f"format must be one of {', '.join(FORMATS)}, got {self.fmt!r}")
        if not isinstance(self.as_of, date):
            raise SynthConfigError(f"as_of must be a date, got {self.as_of!r}")
