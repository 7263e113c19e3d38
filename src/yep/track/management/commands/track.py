"""`yep track ...`: tracking's returns and surveys from the command line: ``nccis`` writes England's NCCIS return
as at a date; ``averages`` prints the December to February NEET and not known figures; ``survey`` opens an LA's
destinations survey, shows its progress and results, or takes its snapshot."""

import datetime
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.cli import operator
from yep.people.models import Organisation, OrganisationKind, User
from yep.track import nccis, surveys
from yep.track import services_surveys as services
from yep.track.models import DestinationSurvey


def _date(text: str | None, default: datetime.date) -> datetime.date:
    if not text:
        return default
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Give dates as YYYY-MM-DD, e.g. 2026-01-31.")) from None


def _la(code: str) -> Organisation:
    la = Organisation.objects.filter(kind=OrganisationKind.LA, code=code).first()
    if la is None:
        raise CommandError(_("There is no local authority with code %(code)s.") % {"code": code})
    return la


class Command(BaseCommand):
    help = "Tracking: nccis (England's return as CSV), averages (Dec-Feb NEET and not known), survey (destinations)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", help="Act as this member of staff (recorded in the audit log).")
        sub = parser.add_subparsers(dest="action", required=True)
        ret = sub.add_parser("nccis", help="Write the NCCIS return of an LA as at a date (CSV).")
        ret.add_argument("--la", required=True, help="LA code, e.g. 681")
        ret.add_argument("--on", help="As at this day, YYYY-MM-DD (default: today).")
        ret.add_argument("--out", help="Write to this file (default: standard output).")
        avg = sub.add_parser("averages", help="NEET and not known % at the ends of December, January and February.")
        avg.add_argument("--la", required=True, help="LA code, e.g. 681")
        avg.add_argument("--winter", type=int, required=True, help="The year of the December, e.g. 2025.")
        avg.add_argument("--json", action="store_true")
        survey = sub.add_parser("survey", help="An LA's destinations survey of a year's leavers.")
        survey.add_argument("--la", required=True, help="LA code, e.g. 681")
        survey.add_argument("--year", type=int, required=True, help="The summer the young people left.")
        survey.add_argument("--open", action="store_true", help="Open the survey.")
        survey.add_argument("--snapshot", action="store_true", help="Take the snapshot and close the survey.")

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
            {"nccis": self._nccis, "averages": self._averages, "survey": self._survey}[options["action"]](
                actor, options)
        except ValidationError as problem:
            raise CommandError(" ".join(problem.messages)) from None
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from None

    def _nccis(self, actor: Any, options: dict[str, Any]) -> None:
        body = nccis.export_return(_la(options["la"]), _date(options["on"], timezone.localdate()), actor=actor,
                                   context=audit.CLI)
        if options["out"]:
            Path(options["out"]).write_text(body, encoding="utf-8")
        else:
            self.stdout.write(body, ending="")

    def _averages(self, actor: Any, options: dict[str, Any]) -> None:
        la = _la(options["la"])
        if not nccis.may_export(actor, la):
            raise CommandError(_("You cannot read this local authority's NCCIS figures."))
        average = nccis.dec_feb_average(la, options["winter"])
        audit.record(actor, "view", audit.CLI, object_type="nccis_average", object_id=la.pk,
                     detail={"winter": average.winter})
        if options["json"]:
            self.stdout.write(json.dumps(average.as_dict()))
            return
        for m in average.months:
            self.stdout.write(_("%(on)s: cohort %(cohort)s, NEET %(neet)s (%(neet_pct)s%%), not known %(nk)s "
                                "(%(nk_pct)s%%)") % {"on": m.on.isoformat(), "cohort": m.cohort, "neet": m.neet,
                                                      "neet_pct": m.neet_pct, "nk": m.not_known,
                                                      "nk_pct": m.not_known_pct})
        self.stdout.write(_("Average: NEET %(neet)s%%, not known %(nk)s%%") % {"neet": average.neet_pct,
                                                                             "nk": average.not_known_pct})

    def _survey(self, actor: Any, options: dict[str, Any]) -> None:
        la = _la(options["la"])
        if options["open"]:
            services.open_survey(la, options["year"], actor=actor, context=audit.CLI)
        survey = DestinationSurvey.objects.filter(la=la, leaving_year=options["year"]).select_related("la").first()
        if survey is None:
            raise CommandError(_("There is no survey of %(year)s leavers for this local authority: open it with "
                                 "--open.") % {"year": options["year"]})
        if options["snapshot"]:
            services.take_snapshot(survey, actor=actor, context=audit.CLI)
        found = surveys.leavers(survey)
        progress = surveys.progress(found)
        results = surveys.results(survey, actor, found)
        audit.record(actor, "view", audit.CLI, object_type="destination_survey", object_id=survey.pk)
        self.stdout.write(_("%(la)s, %(year)s leavers as at %(day)s: %(known)s of %(total)s known%(frozen)s.")
                          % {"la": la.name, "year": survey.leaving_year, "day": survey.as_at.isoformat(),
                             "known": progress.known, "total": progress.total,
                             "frozen": _(" (snapshot)") if results.frozen else ""})
        for group, label in surveys.GROUPS.items():
            self.stdout.write(f"  {label}: {results.totals[group]}")
