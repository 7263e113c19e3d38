"""`yep link ...`: the analyst's record linkage from the command line: ``run`` links two person-layout CSV files and
writes the links (``--backend spark`` scores the pairs on Spark, for national datasets); ``evaluate`` scores links
against the true links (precision, recall, F1). The data hub's operator: ``receive`` stores a source's file (all
rows or none), ``dataset`` links a received dataset into the register with a progress bar."""

from pathlib import Path
from typing import Any

import pandas as pd
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress

from yep.access.audit import AuditContext
from yep.imports.framework import ImportRefused
from yep.link import services_hub
from yep.link.engine import DEFAULT_THRESHOLD, PAIR_COLUMNS, LinkSpec, link_tables
from yep.link.evaluate import score
from yep.link.layout import RECORD_ID, LayoutError, check_layout
from yep.link.models import Dataset, Source
from yep.link.spark import SparkUnavailable, link_tables_spark
from yep.people.models import User

BACKENDS = ("duckdb", "spark")
CONTEXT = AuditContext(purpose="data hub", channel="cli")


def _user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(_("There is no active user called %(name)s.") % {"name": username})
    return user


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
        receive = sub.add_parser("receive", help="Store a source's file as a dataset: all rows or none.")
        receive.add_argument("source", help="The source's code, e.g. dwp-uc")
        receive.add_argument("file", type=Path, help="CSV or XLSX with the columns of the source's mapping")
        receive.add_argument("--as", dest="username", required=True, help="The careers adviser or EPC receiving it")
        dataset = sub.add_parser("dataset", help="Link a received dataset into the register.")
        dataset.add_argument("id", type=int, help="The dataset's number (printed by receive)")
        dataset.add_argument("--as", dest="username", required=True, help="The careers adviser or EPC linking it")
        dataset.add_argument("--retrain", action="store_true", help="Train the source's model again first")
        evaluate = sub.add_parser("evaluate", help="Score links against the true links.")
        evaluate.add_argument("pairs", help="CSV with left_id and right_id (from `yep link run`)")
        evaluate.add_argument("truth", help="CSV with left_id and right_id: the true links")

    def handle(self, *args: Any, **options: Any) -> None:
        action = {"run": self._run, "evaluate": self._evaluate, "receive": self._receive,
                  "dataset": self._dataset}[options["action"]]
        try:
            action(options)
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from None
        except ValidationError as problem:
            raise CommandError(" ".join(problem.messages)) from None

    def _receive(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        source = Source.objects.filter(code=options["source"]).first()
        if source is None:
            raise CommandError(_("There is no source %(code)s.") % {"code": options["source"]})
        if not options["file"].is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": str(options["file"])})
        try:
            dataset = services_hub.receive_dataset(source, options["file"], actor=user, context=CONTEXT)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(str(refused)) from None
        self.stdout.write(_("Dataset %(id)s: %(rows)s rows received from %(source)s. Link it with `yep link dataset "
                            "%(id)s`.") % {"id": dataset.pk, "rows": dataset.rows, "source": source.name})

    def _dataset(self, options: dict[str, Any]) -> None:
        user = _user(options["username"])
        dataset = Dataset.objects.filter(pk=options["id"]).first()
        if dataset is None:
            raise CommandError(_("There is no dataset %(id)s.") % {"id": options["id"]})
        with Progress(console=Console(stderr=True)) as progress_bar:
            task = progress_bar.add_task(_("Linking"), total=100)
            dataset = services_hub.link_dataset(
                dataset, actor=user, context=CONTEXT, retrain=options["retrain"],
                progress=lambda percent, note: progress_bar.update(task, completed=percent, description=str(note)))
        for outcome, count in dataset.summary.items():
            self.stdout.write(f"{outcome}: {count}")

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
