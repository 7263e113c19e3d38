"""`yep serve [--port P]`: serve an existing database with waitress (a production-grade WSGI server)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Serve the site on http://127.0.0.1:PORT."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from yep.wsgi import application

        self.stdout.write(_("Serving YEP on http://%(host)s:%(port)s/ (Ctrl+C to stop)")
                          % {"host": options["host"], "port": options["port"]})
        serve(application, host=options["host"], port=options["port"], threads=options["threads"])
