"""``yep synth``: write a synthetic population to a folder (never touches the database)."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console

from yep.synth import SynthConfig, generate
from yep.synth.config import FORMATS
from yep.synth.reference import local_authorities


class Command(BaseCommand):
    help = (
        "Generate a synthetic population of young people, organisations, records and noisy "
        "agency extracts with ground truth. The same options give byte-identical files."
    )
    requires_system_checks: list[str] = []  # writes files only; needs no database or checks
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--people", type=int, default=5000, metavar="N", help="how many young people (default 5000)"
        )
        parser.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
        parser.add_argument("--out", default="var/synth", metavar="DIR", help="output folder (default var/synth)")
        parser.add_argument(
            "--as-of",
            dest="as_of",
            default=None,
            metavar="YYYY-MM-DD",
            help="date the population is seen from, YYYY-MM-DD (default today)",
        )
        parser.add_argument(
            "--la",
            dest="la_codes",
            nargs="+",
            default=[],
            metavar="CODE",
            help="local authority codes, e.g. 681 (default: all 22 Welsh LAs)",
        )
        parser.add_argument(
            "--format", dest="fmt", default="csv", metavar="csv|parquet", help="csv or parquet (default csv)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = self._config(options)
        # Rich needs the raw stream: Django's OutputWrapper would add a newline to every write.
        stream = getattr(self.stderr, "_out", sys.stderr)
        console = Console(file=stream) if options.get("verbosity", 1) > 0 else None
        manifest = generate(config, progress=console is not None, console=console)
        self.stdout.write(
            _("Wrote %(people)s people to %(out)s (seed %(seed)s, as of %(as_of)s):")
            % {"people": manifest.people, "out": config.out, "seed": manifest.seed, "as_of": manifest.as_of}
        )
        for entry in manifest.files:
            self.stdout.write(f"  {entry.name:<32} {entry.rows:>10,}")

    def _config(self, options: dict[str, Any]) -> SynthConfig:
        people = options["people"]
        if people < 1:
            raise CommandError(_("--people must be at least 1, got %(people)s.") % {"people": people})
        if options["seed"] < 0:
            raise CommandError(_("--seed must be 0 or more, got %(seed)s.") % {"seed": options["seed"]})
        known = local_authorities()
        unknown = [code for code in options["la_codes"] if code not in known]
        if unknown:
            raise CommandError(
                _("Unknown local authority code(s): %(codes)s. Known codes: %(known)s.")
                % {"codes": ", ".join(unknown), "known": ", ".join(known)}
            )
        if options["fmt"] not in FORMATS:
            raise CommandError(_("--format must be csv or parquet, got %(fmt)s.") % {"fmt": options["fmt"]})
        return SynthConfig(
            people=people,
            seed=options["seed"],
            out=Path(options["out"]),
            as_of=self._as_of(options["as_of"]),
            la_codes=options["la_codes"],
            fmt=options["fmt"],
        )

    @staticmethod
    def _as_of(value: str | None) -> date:
        if value is None:
            return timezone.localdate() if settings.USE_TZ else timezone.now().date()
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(
                _("--as-of must be a date written YYYY-MM-DD, got %(value)s.") % {"value": value}
            ) from None
