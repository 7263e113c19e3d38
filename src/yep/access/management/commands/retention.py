"""`yep retention run [--dry-run]`: apply the retention rules; `defaults` adds the default rules; `list` shows them."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from yep.access import services
from yep.access.audit import AuditContext
from yep.access.cli import operator
from yep.access.models import RetentionRule
from yep.access.services.rights import AUDIT_LOG_NOTE, RetentionOutcome

RETENTION = AuditContext(purpose="retention", channel="cli")


class Command(BaseCommand):
    help = "Apply retention rules (run, with --dry-run to see what is due), add the defaults, or list the rules."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Delete or anonymise what each rule says is due; one audit event per rule.")
        run.add_argument("--dry-run", action="store_true", help="Count what is due and change nothing.")
        sub.add_parser("defaults", help="Add the default rules that are missing; existing rules are kept.")
        sub.add_parser("list", help="List the rules and their basis.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "defaults":
            made = services.create_default_retention_rules(actor=operator(), context=RETENTION)
            self.stdout.write(_("%(count)s default rules added.") % {"count": len(made)})
            action = "list"
        if action == "list":
            for rule in RetentionRule.objects.order_by("record_type"):
                self.stdout.write(f"{rule.record_type}: {rule.keep_days} {_('days')}, {rule.get_action_display()}. "
                                  f"{rule.basis}")
            self.stdout.write(f"audit_event: {AUDIT_LOG_NOTE}")
            return
        dry_run = options["dry_run"]
        for outcome in services.run_retention(dry_run=dry_run, actor=operator(), context=RETENTION):
            self.stdout.write(self._line(outcome, dry_run))

    @staticmethod
    def _line(outcome: RetentionOutcome, dry_run: bool) -> str:
        if outcome.note:
            return f"{outcome.record_type}: {outcome.note}"
        if dry_run:
            return _("%(type)s: %(count)s due (%(action)s); nothing changed") % {
                "type": outcome.record_type, "count": outcome.count, "action": outcome.action}
        return _("%(type)s: %(count)s %(action)s") % {
            "type": outcome.record_type, "count": outcome.count,
            "action": _("deleted") if outcome.action == RetentionRule.Action.DELETE else _("anonymised")}
