"""`yep audit verify`: check the audit log's hash chain; exits non-zero and names the first broken entry."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yep.access.audit import first_broken_entry
from yep.access.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit log has not been altered (verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        broken = first_broken_entry()
        if broken is not None:
            raise CommandError(
                _("The audit log is broken at entry %(id)s (%(at)s): it was changed or an entry before it was removed.")
                % {"id": broken.pk, "at": broken.at.isoformat()}
            )
        count = AuditEvent.objects.count()
        self.stdout.write(_("The audit log is intact: %(count)s entries verified.") % {"count": count})
