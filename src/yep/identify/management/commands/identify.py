"""`yep identify ...`: early identification from the command line: models, runs (on demand or on schedule),
publishing, reproducing, back-testing and exporting, for an operator or a cron job."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress

from yep.access import audit
from yep.access.cli import operator
from yep.identify import exports, services
from yep.identify.models import Run, Term
from yep.identify.services.backtest import backtest
from yep.identify.services.runs import due_runs, term_of, warning_messages
from yep.people.models import Organisation, OrganisationKind, User


def _year_groups(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        if "-" in text:
            first, last = (int(x) for x in text.split("-", 1))
            return list(range(first, last + 1))
        return [int(x) for x in text.split(",")]
    except ValueError:
        raise CommandError(_("Give year groups as a range (7-11) or a list (10,11).")) from None


class Command(BaseCommand):
    help = "Early identification: model, run, scheduled, publish, reproduce, backtest, export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", help="Act as this member of staff (recorded in the audit log).")
        sub = parser.add_subparsers(dest="action", required=True)
        model = sub.add_parser("model", help="Show the LA's latest model, creating the default one if it has none.")
        model.add_argument("--la", required=True, help="LA code, e.g. 681")
        run = sub.add_parser("run", help="Run the LA's latest model now (a draft until published).")
        run.add_argument("--la", required=True)
        run.add_argument("--year", type=int, help="Academic year it starts, e.g. 2026 (default: this one).")
        run.add_argument("--term", choices=Term.values, help="Default: this term.")
        run.add_argument("--years", help="Year groups, e.g. 7-11 or 10,11 (default: the model's).")
        sub.add_parser("scheduled", help="Make the runs that are due this term under each LA's schedule (cron).")
        publish = sub.add_parser("publish", help="Release a run to schools.")
        publish.add_argument("run", type=int)
        publish.add_argument("--confirm-warnings", action="store_true")
        reproduce = sub.add_parser("reproduce", help="Re-score a run's stored snapshot and check it agrees.")
        reproduce.add_argument("run", type=int)
        test = sub.add_parser("backtest", help="Measure the LA's latest model on an earlier Year 11 cohort.")
        test.add_argument("--la", required=True)
        test.add_argument("--cohort-year", type=int, required=True, help="Academic year the cohort was in Year 11.")
        test.add_argument("--caseload", type=int, default=100, help="How many the LA can support.")
        test.add_argument("--months", type=int, default=12)
        test.add_argument("--no-challenger", action="store_true")
        test.add_argument("--json", action="store_true")
        export = sub.add_parser("export", help="Write a run's results (CSV or XLSX); --roni for the RONI list.")
        export.add_argument("run", type=int)
        export.add_argument("--out", type=Path, required=True)
        export.add_argument("--roni", action="store_true", help="Only identified pupils, highest risk first.")

    def _actor(self, username: str | None) -> Any:
        if not username:
            return operator()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user called %(name)s.") % {"name": username})
        return user

    def _la(self, code: str) -> Organisation:
        la = Organisation.objects.filter(kind=OrganisationKind.LA, code=code).first()
        if la is None:
            raise CommandError(_("There is no local authority with code %(code)s.") % {"code": code})
        return la

    def _run(self, pk: int) -> Run:
        run = Run.objects.filter(pk=pk).first()
        if run is None:
            raise CommandError(_("There is no run %(run)s.") % {"run": pk})
        return run

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["username"])
        try:
            actions = {"model": self._model, "run": self._run_action, "scheduled": self._scheduled,
                       "publish": self._publish, "reproduce": self._reproduce, "backtest": self._backtest,
                       "export": self._export}
            actions[options["action"]](actor, options)
        except ValidationError as problem:
            raise CommandError(" ".join(problem.messages)) from None

    def _model(self, actor: Any, options: dict[str, Any]) -> None:
        model = services.ensure_default_model(self._la(options["la"]), actor=actor, context=audit.CLI)
        self.stdout.write(f"{model} (la {model.la.code}): low ≥ {model.threshold_low}, medium ≥ "
                          f"{model.threshold_medium}, high ≥ {model.threshold_high}; years {model.year_groups}")
        for i in model.indicators.all():
            self.stdout.write(f"  {i.key}: × {i.weight}, thresholds {i.thresholds}")

    def _make_run(self, model: Any, actor: Any, year: int, term: str, groups: list[int] | None,
                  scheduled: bool = False) -> Run:
        console = Console(stderr=True)
        with Progress(console=console, transient=True) as progress_bar:
            task = progress_bar.add_task(_("Scoring"), total=None)
            run = services.create_run(model, academic_year=year, term=term, year_groups=groups, scheduled=scheduled,
                                      actor=actor, context=audit.CLI,
                                      progress=lambda stage, done, total: progress_bar.update(
                                          task, description=stage, completed=done, total=total))
        counts = run.counts
        self.stdout.write(_("Run %(run)s: %(cohort)s pupils; high %(high)s, medium %(medium)s, low %(low)s, not "
                            "identified %(none)s (%(share).0f%% identified).")
                          % {"run": run.pk, **counts, "share": 100 * run.identified_share})
        for message in warning_messages(run.warnings):
            self.stderr.write(message)
        return run

    def _run_action(self, actor: Any, options: dict[str, Any]) -> None:
        la = self._la(options["la"])
        year, term = term_of(timezone.localdate())
        model = services.ensure_default_model(la, actor=actor, context=audit.CLI)
        self._make_run(model, actor, options["year"] or year, options["term"] or term,
                       _year_groups(options["years"]))

    def _scheduled(self, actor: Any, options: dict[str, Any]) -> None:
        year, term = term_of(timezone.localdate())
        due = due_runs(timezone.localdate())
        for model in due:
            self._make_run(model, actor, year, term, None, scheduled=True)
        if not due:
            self.stdout.write(_("No run is due this term."))

    def _publish(self, actor: Any, options: dict[str, Any]) -> None:
        run = services.publish_run(self._run(options["run"]), confirm_warnings=options["confirm_warnings"],
                                   actor=actor, context=audit.CLI)
        self.stdout.write(_("Run %(run)s released to schools.") % {"run": run.pk})

    def _reproduce(self, actor: Any, options: dict[str, Any]) -> None:
        run = self._run(options["run"])
        copy = services.reproduce_run(run, actor=actor, context=audit.CLI)
        same = list(run.results.order_by("person_id").values_list("person_id", "score", "band")) == list(
            copy.results.order_by("person_id").values_list("person_id", "score", "band"))
        if not same:
            raise CommandError(_("Run %(copy)s does not agree with run %(run)s.") % {"copy": copy.pk, "run": run.pk})
        self.stdout.write(_("Run %(copy)s re-scored run %(run)s's snapshot: identical results.")
                          % {"copy": copy.pk, "run": run.pk})

    def _backtest(self, actor: Any, options: dict[str, Any]) -> None:
        model = services.ensure_default_model(self._la(options["la"]), actor=actor, context=audit.CLI)
        report = backtest(model, cohort_year=options["cohort_year"], caseload=options["caseload"],
                          months=options["months"], challenger=not options["no_challenger"], actor=actor,
                          context=audit.CLI)
        if options["json"]:
            self.stdout.write(json.dumps(report.metrics))
            return
        overall, challenger = report.metrics["overall"], report.metrics["challenger"]
        self.stdout.write(_("%(model)s on Year 11 of %(year)s: %(pupils)s pupils, %(neet)s NEET within %(months)s "
                            "months. AUC %(auc)s; at a caseload of %(k)s, precision %(p)s and recall %(r)s.")
                          % {"model": model, "year": report.cohort_year, "months": options["months"],
                             "k": report.caseload, "auc": overall["auc"], "p": overall["precision_at_caseload"],
                             "r": overall["recall_at_caseload"], "pupils": overall["pupils"],
                             "neet": overall["neet"]})
        if challenger.get("available"):
            self.stdout.write(_("Challenger (logistic regression trained on %(year)s): AUC %(auc)s, precision "
                                "%(p)s.") % {"year": challenger["trained_on"], "auc": challenger["auc"],
                                             "p": challenger["precision_at_caseload"]})

    def _export(self, actor: Any, options: dict[str, Any]) -> None:
        run = self._run(options["run"])
        rows = exports.rows(run.results.select_related("person", "school").order_by("-score", "person_id"),
                            roni=options["roni"])
        out: Path = options["out"]
        out.write_bytes(exports.render(rows, out.suffix.lower().lstrip(".") or "csv"))
        audit.record(actor, "export", audit.CLI, object_type="risk_run", object_id=run.pk,
                     detail={"rows": len(rows) - 1, "file": str(out), "roni": options["roni"]})
        self.stdout.write(_("Wrote %(n)s pupils to %(file)s.") % {"n": len(rows) - 1, "file": out})

