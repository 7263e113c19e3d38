"""`yep datadictionary [--out FILE]`: write the data dictionary from the models."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from yep.people.datadictionary import render


class Command(BaseCommand):
    help = "Write docs/data-dictionary.md from the models (or print it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="File to write; prints when omitted.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = render()
        if options["out"]:
            Path(options["out"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
