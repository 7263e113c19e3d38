"""`yep import KIND FILE [--as USERNAME] [--dry-run]`: validate a CSV or XLSX file, then apply all of it in one
transaction, or nothing; problems are listed row by row."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.cli import operator
from yep.imports import KINDS, ImportRefused, run_import
from yep.people.models import User


class Command(BaseCommand):
    help = "Import a file of a given kind (attendance, ...): all rows or none, with a row-by-row error report."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help=f"one of: {', '.join(sorted(KINDS))}")
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", dest="username",
                            help="Import as this member of staff: only young people they may see are accepted.")
        parser.add_argument("--dry-run", action="store_true", help="Validate only; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        kind = KINDS.get(options["kind"])
        if kind is None:
            raise CommandError(_("Unknown kind of import %(kind)s; choose one of: %(kinds)s")
                               % {"kind": options["kind"], "kinds": ", ".join(sorted(KINDS))})
        if not options["file"].exists():
            raise CommandError(_("There is no file %(file)s.") % {"file": options["file"]})
        actor: Any = operator()
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(_("There is no active user called %(name)s.") % {"name": options["username"]})
        try:
            report = run_import(kind, options["file"], actor=actor, context=audit.CLI, dry_run=options["dry_run"])
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(str(error))
            raise CommandError(str(refused)) from None
        if options["dry_run"]:
            self.stdout.write(_("%(rows)s rows are valid; nothing was changed (dry run).") % {"rows": report.rows})
        else:
            self.stdout.write(_("Imported %(rows)s rows: %(created)s new, %(updated)s corrected, %(unchanged)s "
                                "unchanged.") % report.__dict__)
