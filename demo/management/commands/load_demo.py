"""`manage.py load_demo`: load the demo once; re-running changes nothing.

The demo creates accounts with a published password (`admin` / `demo12348`, ...) and fictional
advisers with phone numbers: on a production installation that is a way in for anyone who reads
the README. Under production settings the command therefore refuses to run unless the operator
says, with `--i-know-this-is-production`, that this installation is a demonstration or a test.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.loader import load_demo

PRODUCTION_FLAG = "--i-know-this-is-production"


class Command(BaseCommand):
    help = "Load the demo divisions (崇左市, 西宁市城北区) and fictional firms, advisers and contracts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            PRODUCTION_FLAG,
            action="store_true",
            dest="production_confirmed",
            help="Load the demo (accounts with the published password demo12348) under production settings.",
        )
        parser.add_argument(
            "--without-work",
            action="store_true",
            help="Skip the year of ledger entries, trainings and fee filings (for quick set-ups and smoke tests).",
        )

    def handle(self, *args, **options) -> None:
        if getattr(settings, "PORTAL_IS_PRODUCTION", False) and not options["production_confirmed"]:
            raise CommandError(
                "load_demo refuses to run under production settings: it creates accounts with the "
                "published password demo12348 (admin included) and fictional advisers. On a "
                f"demonstration or test installation only, run it with {PRODUCTION_FLAG}."
            )
        for line in load_demo(work=not options["without_work"]):
            self.stdout.write(line)
