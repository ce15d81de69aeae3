"""`manage.py import_divisions PATH...`: load division CSV files (plain or .gz) or folders of them."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from places.importer import DivisionImportError, import_divisions
from places.progress import TerminalProgress
from places.signals import divisions_imported


class Command(BaseCommand):
    help = (
        "Import administrative divisions from CSV files in the china-division format "
        "(provinces, cities, areas, streets, villages; .csv or .csv.gz) or folders holding them. "
        "All rows are validated first; the import runs in one transaction and is idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="files or folders to import")
        parser.add_argument("--no-progress", action="store_true", help="never draw a progress bar")

    def handle(self, *args, paths: list[str], no_progress: bool, **options) -> None:
        show = not no_progress and sys.stderr.isatty()
        progress = TerminalProgress(sys.stderr) if show else None
        started = time.monotonic()
        try:
            report = import_divisions(paths, progress=progress)
        except DivisionImportError as exc:
            if progress:
                progress.finish()
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(exc.errors)} error(s) found; nothing was imported.") from exc
        if progress:
            progress.finish()
        created = ", ".join(f"{n} {label}" for label, n in report.created.items()) or "nothing"
        self.stdout.write(
            f"Imported in {time.monotonic() - started:.1f}s: created {created}; "
            f"renamed {report.renamed}; unchanged {report.unchanged}."
        )
        # The import has committed; what depends on names (the search index) catches up now.
        for receiver, result in divisions_imported.send_robust(sender=self.__class__, report=report):
            if isinstance(result, Exception):
                self.stderr.write(
                    f"The divisions were imported, but {receiver.__module__} failed to follow them "
                    f"({result.__class__.__name__}: {result}); run `manage.py search_rebuild`."
                )
            elif result:
                self.stdout.write(str(result))
