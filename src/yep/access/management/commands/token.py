"""`yep token create USERNAME`: make a personal access token for a partner system; `list` and `revoke` too."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yep.access import audit, services
from yep.access.cli import operator
from yep.access.models import ApiToken
from yep.people.models import User


class Command(BaseCommand):
    help = "Create, list or revoke API tokens (sent as 'Authorization: Bearer <token>')."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for a user and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="partner system", help="What the token is for.")
        listing = sub.add_parser("list", help="List a user's tokens (never the tokens themselves).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"], revoked_at__isnull=True).first()
            if token is None:
                raise CommandError(_("No active token starts with %(prefix)s.") % {"prefix": options["prefix"]})
            services.revoke_token(token, actor=operator(), context=audit.CLI)
            self.stdout.write(_("Revoked."))
            return
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active user called %(name)s.") % {"name": options["username"]})
        if action == "create":
            raw, _token = services.create_token(user, options["name"], actor=operator(), context=audit.CLI)
            self.stdout.write(raw)
        else:
            for token in user.api_tokens.order_by("created_at"):
                state = _("revoked") if token.revoked_at else _("active")
                self.stdout.write(f"{token.prefix}  {token.name}  {token.created_at:%Y-%m-%d}  {state}")
