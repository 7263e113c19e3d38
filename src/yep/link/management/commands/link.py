"""`yep link ...`: the analyst's record linkage from the command line: ``run`` links two person-layout CSV files and
writes the links (``--backend spark`` scores the pairs on Spark, for national datasets); ``evaluate`` scores links
against the true links (precision, recall, F1)."""

from pathlib import Path
from typing import Any

import pandas as pd
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console

from yep.link.engine import DEFAULT_THRESHOLD, PAIR_COLUMNS, LinkSpec, link_tables
from yep.link.evaluate import score
from yep.link.layout import RECORD_ID, LayoutError, check_layout
from yep.link.spark import SparkUnavailable, link_tables_spark

BACKENDS = ("duckdb", "spark")


def _read_csv(path: str) -> pd.DataFrame:
    if not Path(path).is_file():
        raise CommandError(_("There is no file %(path)s.") % {"path": path})
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
        raise CommandError(_("%(path)s is not a readable CSV file.") % {"path": path}) from None


def _person_table(path: str) -> pd.DataFrame:
    frame = _read_csv(path)
    if RECORD_ID not in frame.columns:
        raise CommandError(_("%(path)s has no %(column)s column.") % {"path": path, "column": RECORD_ID})
    try:
        check_layout(frame, path)
    except LayoutError:
        raise CommandError(_("%(path)s has blank or repeated values in %(column)s.")
                           % {"path": path, "column": RECORD_ID}) from None
    return frame


def _pair_table(path: str) -> pd.DataFrame:
    frame = _read_csv(path)
    missing = [c for c in ("left_id", "right_id") if c not in frame.columns]
    if missing:
        raise CommandError(_("%(path)s needs the columns left_id and right_id.") % {"path": path})
    return frame


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1:
        raise CommandError(_("The threshold must be a number between 0 and 1, for example 0.9."))
    return value


class Command(BaseCommand):
    help = "Record linkage: run (link two person-layout CSV files), evaluate (precision, recall and F1)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Link LEFT.csv to RIGHT.csv; write left_id, right_id, match_probability.")
        run.add_argument("left", help="CSV in the person layout (record_id, first_name, last_name, ...)")
        run.add_argument("right", help="CSV in the person layout")
        run.add_argument("--out", required=True, help="Where to write the links (CSV)")
        run.add_argument("--threshold", default=str(DEFAULT_THRESHOLD),
                         help=f"Keep links at least this probable (default {DEFAULT_THRESHOLD})")
        run.add_argument("--backend", choices=BACKENDS, default="duckdb",
                         help="duckdb (one machine, the default) or spark (national datasets; needs Java, and "
                              "YEP_SPARK_MASTER for a cluster: see docs/operations.md)")
        evaluate = sub.add_parser("evaluate", help="Score links against the true links.")
        evaluate.add_argument("pairs", help="CSV with left_id and right_id (from `yep link run`)")
        evaluate.add_argument("truth", help="CSV with left_id and right_id: the true links")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            self._run(options)
        else:
            self._evaluate(options)

    def _run(self, options: dict[str, Any]) -> None:
        spec = LinkSpec(threshold=_threshold(options["threshold"]))
        left, right = _person_table(options["left"]), _person_table(options["right"])
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise CommandError(_("There is no folder %(path)s.") % {"path": str(out.parent)})
        console = Console(stderr=True)
        link = link_tables_spark if options["backend"] == "spark" else link_tables
        with console.status(_("Linking")) as progress:
            try:
                pairs = link(left, right, spec, progress=lambda stage: progress.update(stage))
            except SparkUnavailable as error:
                raise CommandError(_("Spark cannot start here: %(reason)s.") % {"reason": str(error)}) from None
        pairs.to_csv(out, index=False, columns=list(PAIR_COLUMNS), float_format="%.6f")
        self.stdout.write(_("%(links)d links written to %(path)s.") % {"links": len(pairs), "path": str(out)})

    def _evaluate(self, options: dict[str, Any]) -> None:
        result = score(_pair_table(options["pairs"]), _pair_table(options["truth"]))
        self.stdout.write(
            f"{_('precision')} {result.precision:.4f}\n{_('recall')} {result.recall:.4f}\nF1 {result.f1:.4f}\n"
            + _("%(correct)d of %(found)d links are true; %(true)d true links.")
            % {"correct": result.correct, "found": result.found, "true": result.true})
