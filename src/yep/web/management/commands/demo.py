"""`yep demo [--people N] [--no-serve]`: a fresh SQLite database with a synthetic region, one user per role,
their logins printed and saved to YEP_DATA_DIR/demo-users.json; then serves the site."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from yep.broker.demo import load_brokerage
from yep.identify.services.loading import load_indicators
from yep.link.demo import load_hub
from yep.people.models import Organisation, OrganisationKind
from yep.people.services.population import Loaded, load_population
from yep.track.demo import load_tracking
from yep.track.services import load_activities
from yep.web import demo

DEMO_LA = "681"


class Command(BaseCommand):
    help = "Build the demo: a synthetic region in a fresh SQLite database, a user for every role; then serve."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=5000, help="Young people in the region (default 5000).")
        parser.add_argument("--la", default=DEMO_LA, help="LA code of the demo region (default 681, Cardiff).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--no-serve", action="store_true", help="Build only; do not serve.")
        parser.add_argument("--port", type=int, default=8000)

    def _fresh_database(self) -> None:
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            raise CommandError(_("The demo builds its own SQLite database: unset DATABASE_URL and run it again."))
        connections.close_all()
        path = Path(database["NAME"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        call_command("migrate", verbosity=0)

    def _load(self, out: Path, console: Console) -> Loaded:
        """The register, then early identification's indicators and the activity timeline, through their services."""
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(_("Loading the register"), total=None)

            def show(stage: str, done: int, total: int) -> None:
                progress.update(task, completed=done, description=stage)

            loaded = load_population(out, actor="demo", context=demo.DEMO_CONTEXT, progress=show)
            load_indicators(out, loaded.person_ids, loaded.org_ids, actor="demo", context=demo.DEMO_CONTEXT,
                            progress=show)
            load_activities(out, loaded.person_ids, loaded.org_ids, actor="demo", context=demo.DEMO_CONTEXT,
                            progress=show)
        return loaded

    def handle(self, *args: Any, **options: Any) -> None:
        from yep.synth import SynthConfig, generate

        if options["people"] < 100:
            raise CommandError(_("A demo needs at least 100 young people."))
        console = Console()
        console.print(_("Building a fresh demo database…"))
        self._fresh_database()
        out = Path(settings.DATA_DIR) / "demo-synth"
        generate(SynthConfig(people=options["people"], seed=options["seed"], out=out, as_of=timezone.localdate(),
                             la_codes=[options["la"]], fmt="csv"), progress=True)
        loaded = self._load(out, console)
        la = Organisation.objects.get(kind=OrganisationKind.LA, code=options["la"])
        users = demo.create_demo_users(la)
        load_brokerage(la, users)
        load_tracking(la, demo.DEMO_CONTEXT)
        load_hub(la, demo.DEMO_CONTEXT)
        path = demo.write_credentials(users)
        console.print(_("Loaded %(people)s young people and %(organisations)s organisations in %(la)s.")
                      % {**loaded.counts, "la": la.name})
        table = Table(title=_("Demo logins (also in %(path)s)") % {"path": path})
        for column in (_("Username"), _("Password"), _("Role"), _("Organisation")):
            table.add_column(column)
        for user in users:
            table.add_row(user["username"], user["password"], user["role"], user["organisation"])
        console.print(table)
        if not options["no_serve"]:
            call_command("serve", port=options["port"])
