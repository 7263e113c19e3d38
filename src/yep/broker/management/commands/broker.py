"""`yep broker ...`: brokerage's scheduled work and reports from the command line: ``due`` raises the tasks due
today (cron, daily); ``outcomes`` prints an LA's outcome report."""

import datetime
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.cli import operator
from yep.broker.outcomes import COMBINATIONS, NOT_RECORDED, outcome_report
from yep.broker.services.schedule import add_months, run_due
from yep.people.models import Organisation, OrganisationKind, User

# The outcome report looks back this far by default: long enough for the 24-month follow-ups to come due.
DEFAULT_LOOKBACK_MONTHS = 36


def _date(text: str | None, default: datetime.date) -> datetime.date:
    if not text:
        return default
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Give dates as YYYY-MM-DD, e.g. 2026-04-01.")) from None


class Command(BaseCommand):
    help = "Brokerage: due (raise the tasks due today), outcomes (an LA's outcome report)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", help="Act as this member of staff (recorded in the audit log).")
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="Raise re-assessment and review tasks that are due (run daily).")
        due.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")
        outcomes = sub.add_parser("outcomes", help="EET status at each follow-up, by support combination.")
        outcomes.add_argument("--la", required=True, help="LA code, e.g. 681")
        outcomes.add_argument("--from", dest="closed_from", help="Cases closed from this day (default: 3 years ago).")
        outcomes.add_argument("--to", dest="closed_to", help="Cases closed up to this day (default: today).")
        outcomes.add_argument("--json", action="store_true")

    def _actor(self, username: str | None) -> Any:
        if not username:
            return operator()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user called %(name)s.") % {"name": username})
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["username"])
        try:
            {"due": self._due, "outcomes": self._outcomes}[options["action"]](actor, options)
        except ValidationError as problem:
            raise CommandError(" ".join(problem.messages)) from None
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from None

    def _due(self, actor: Any, options: dict[str, Any]) -> None:
        day = _date(options["date"], timezone.localdate())
        counts = run_due(day, actor=actor, context=audit.CLI)
        self.stdout.write(_("%(day)s: %(reassessment)s re-assessment tasks, %(review_due)s review tasks and "
                            "%(handover)s handover tasks raised.") % {"day": day.isoformat(), **counts})

    def _outcomes(self, actor: Any, options: dict[str, Any]) -> None:
        la = Organisation.objects.filter(kind=OrganisationKind.LA, code=options["la"]).first()
        if la is None:
            raise CommandError(_("There is no local authority with code %(code)s.") % {"code": options["la"]})
        today = timezone.localdate()
        since = add_months(today, -DEFAULT_LOOKBACK_MONTHS)
        report = outcome_report(la, closed_from=_date(options["closed_from"], since),
                                closed_to=_date(options["closed_to"], today), viewer=actor, context=audit.CLI)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict()))
            return
        data = report.as_dict()
        self.stdout.write(_("%(la)s: %(cases)s cases closed from %(from)s to %(to)s.")
                          % {"la": la.display_name, "cases": data["cases"], "from": data["closed_from"],
                             "to": data["closed_to"]})
        for checkpoint in data["checkpoints"]:
            self.stdout.write(_("At %(months)s months:") % {"months": checkpoint["months"]})
            for row in checkpoint["combinations"]:
                counts = ", ".join(f"{k} {v}" for k, v in row["counts"].items() if k != NOT_RECORDED)
                self.stdout.write(_("  %(label)s: %(cases)s cases; in EET %(eet)s (%(counts)s); not recorded "
                                    "%(pending)s") % {"label": COMBINATIONS[row["combination"]], "cases": row["cases"],
                                                      "eet": row["in_eet"], "counts": counts,
                                                      "pending": row["counts"][NOT_RECORDED]})
