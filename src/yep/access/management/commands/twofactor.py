"""`yep twofactor reset USERNAME`: remove a user's lost or replaced authenticator app, so they set up a new one."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from yep.access import audit
from yep.access.cli import operator
from yep.access.services import authentication
from yep.people.models import User


class Command(BaseCommand):
    help = "Reset a user's two-factor authentication (authenticator app)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reset = sub.add_parser("reset", help="Remove the user's authenticator app and end their sessions; they set "
                                             "up a new one at their next sign-in. Check who is asking first.")
        reset.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(_("There is no user called %(name)s.") % {"name": options["username"]})
        if not authentication.reset_two_factor(user, actor=operator(), context=audit.CLI):
            raise CommandError(_("%(name)s has no authenticator app set up; there is nothing to reset.")
                               % {"name": user.get_username()})
        self.stdout.write(_("Reset the authenticator app of %(name)s and ended their sessions. They will set up a "
                            "new one the next time they sign in.") % {"name": user.get_username()})
