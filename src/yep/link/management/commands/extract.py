"""`yep extract research PROJECT --as USERNAME [--as-of YYYY-MM-DD] [--out FILE]`: make an approved project's
pseudonymised extract (issue 7, item 5) as the DPO or a researcher named on the project; logged and audited like
one downloaded from its page. Without ``--out`` the CSV goes to standard output."""

import datetime
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yep.access.audit import AuditContext
from yep.link import research
from yep.link import services_research as services
from yep.people.models import User

CONTEXT = AuditContext(purpose="research", channel="cli")


def _date(text: str | None) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("Give dates as YYYY-MM-DD, e.g. 2026-03-31.")) from None


class Command(BaseCommand):
    help = "Research extracts: research (an approved project's pseudonymised extract, as CSV)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", required=True,
                            help="The DPO or a researcher named on the project (recorded in the extract log).")
        sub = parser.add_subparsers(dest="action", required=True)
        extract = sub.add_parser("research", help="Make a research project's extract.")
        extract.add_argument("project", help="The project's code, e.g. neet-outcomes-2026.")
        extract.add_argument("--as-of", dest="as_of", help="As at this day, YYYY-MM-DD (default: today).")
        extract.add_argument("--out", type=Path, help="Write to this file (readable by you only).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user called %(name)s.") % {"name": options["username"]})
        project = research.project_for(user, options["project"])
        if project is None:
            raise CommandError(_("There is no research project %(code)s that %(name)s can see.")
                               % {"code": options["project"], "name": user.get_username()})
        try:
            extract, logged = services.make_extract(project, as_of=_date(options["as_of"]), actor=user,
                                                    context=CONTEXT)
        except ValidationError as problem:
            raise CommandError(" ".join(problem.messages)) from None
        except PermissionDenied as refused:
            raise CommandError(str(refused)) from None
        out: Path | None = options["out"]
        if out is None:
            self.stdout.write(extract.to_csv().decode("utf-8"), ending="")
            return
        # Pseudonymised, still personal data: the file is created readable by its owner only.
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(extract.to_csv())
        self.stderr.write(_("%(rows)s rows as at %(day)s written to %(path)s; %(left)s left out by the small-cell "
                            "check (extract %(id)s).") % {"rows": logged.rows, "day": logged.as_of.isoformat(),
                                                         "path": out, "left": logged.suppressed, "id": logged.pk})
