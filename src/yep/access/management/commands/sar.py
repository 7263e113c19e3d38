"""`yep sar PERSON_ID`: a subject access report of everything held about a young person (audited as an export)."""

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yep.access import sar
from yep.access.audit import AuditContext
from yep.access.cli import operator
from yep.people.models import Person


class Command(BaseCommand):
    help = "Write a subject access report for a young person, as JSON or a printable HTML document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("person_id", type=int, help="The young person's record number.")
        parser.add_argument("--format", choices=sar.FORMATS, default="json", dest="fmt")
        parser.add_argument("--out", type=Path, help="File to write (readable by you only); default: print it.")

    def handle(self, *args: Any, **options: Any) -> None:
        person = Person.objects.select_related("la_of_residence").filter(pk=options["person_id"]).first()
        if person is None:
            raise CommandError(_("There is no young person with record number %(id)s.") % {"id": options["person_id"]})
        body = sar.export(person, fmt=options["fmt"], actor=operator(),
                          context=AuditContext(purpose=sar.SAR_PURPOSE, channel="cli"))
        out: Path | None = options["out"]
        if out is None:
            self.stdout.write(body)
            return
        # Personal data: the file is created readable by its owner only.
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(body)
        self.stdout.write(_("Written to %(path)s.") % {"path": out})
