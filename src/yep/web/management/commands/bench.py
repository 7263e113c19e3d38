"""`yep bench NAME`: run a benchmark from the project's `bench/` folder, printing its ratio to a reference
measured in the same run (never an absolute time alone: machines differ)."""

import importlib.util
import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

BENCH_DIR = Path(settings.PROJECT_DIR) / "bench"


def available() -> list[str]:
    return sorted(p.stem for p in BENCH_DIR.glob("*.py") if not p.stem.startswith("_"))


class Command(BaseCommand):
    help = "Run a benchmark (see bench/): prints the measured time, a reference time and their ratio."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", nargs="?", help=f"one of: {', '.join(available())}")
        parser.add_argument("--size", "--pupils", "--people", "--records", type=int, dest="size",
                            help="Problem size (people, pupils, records...); each benchmark has a default.")
        parser.add_argument("--json", action="store_true",
                            help="End with one line of JSON: the size, seconds, reference_seconds and ratio.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"]
        if name not in available():
            raise CommandError(_("Unknown benchmark %(name)s; choose one of: %(names)s")
                               % {"name": name, "names": ", ".join(available())})
        spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
        assert spec and spec.loader  # noqa: S101 (the file exists: it was listed above)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        result = module.run(size=options["size"])
        self.stdout.write(
            f"{name}: {result['what']}\n"
            f"  measured   {result['measured']:.2f} s\n"
            f"  reference  {result['reference']:.2f} s  ({result['reference_what']})\n"
            f"  ratio      {result['measured'] / result['reference']:.2f}\n"
            + "".join(f"  {k:<10} {v}\n" for k, v in result.get("extra", {}).items())
        )
        if options["json"]:
            self.stdout.write(json.dumps({**result.get("json", {}), "seconds": round(result["measured"], 3),
                                          "reference_seconds": round(result["reference"], 3),
                                          "ratio": round(result["measured"] / result["reference"], 3)}))
