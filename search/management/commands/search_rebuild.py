"""`manage.py search_rebuild`: rebuild the public search from the database, without downtime.

Elasticsearch: every document is bulk-indexed into a new index, then the alias is swapped to it
in one atomic step and the old index dropped; searches keep using the old index until then.
The database fallback is rebuilt in one transaction (readers see the old entries until it
commits). Run it after an `import_divisions` too large to follow village by village (the command
says so; see search.signals.import_changed) and after configuring Elasticsearch for the first time.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from places.progress import TerminalProgress
from search import dbindex, documents, es


class Command(BaseCommand):
    help = "Rebuild the public search index (Elasticsearch with an alias swap, and the database fallback)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--only",
            choices=["elasticsearch", "database"],
            help="rebuild one of the two (default: the database, and Elasticsearch when configured)",
        )
        parser.add_argument("--no-progress", action="store_true", help="never draw a progress bar")
        parser.add_argument("--threads", type=int, default=2, help="bulk indexing threads (default 2)")
        parser.add_argument(
            "--unless-built",
            action="store_true",
            help="do nothing when a full rebuild of the database fallback has completed before (for `make run`)",
        )

    def handle(
        self, *args, only: str | None, no_progress: bool, threads: int, unless_built: bool, **options
    ) -> None:
        if unless_built and dbindex.fully_built():
            self.stdout.write("The search index has been built already; nothing to do.")
            return
        show = not no_progress and sys.stderr.isatty()
        progress = TerminalProgress(sys.stderr) if show else None
        total = documents.total_count()

        def all_docs():
            yield from documents.all_village_docs()
            yield from documents.all_docs_except_villages()

        if only in (None, "elasticsearch"):
            if not es.configured():
                if only == "elasticsearch":
                    raise CommandError("ELASTICSEARCH_URL is not set.")
            else:
                started = time.perf_counter()
                try:
                    report = es.rebuild(all_docs(), total=total, progress=progress, threads=threads)
                except es.UNAVAILABLE as exc:
                    raise CommandError(
                        f"Elasticsearch at {es.url()} failed ({exc.__class__.__name__}); the old index stays in use."
                    ) from exc
                finally:
                    if progress:
                        progress.finish()
                seconds = time.perf_counter() - started
                self.stdout.write(
                    f"Elasticsearch: {report['indexed']} documents in {report['index']} "
                    f"({report['failed']} failed) in {seconds:.1f}s; alias {es.alias()} swapped."
                )
                if report["failed"]:
                    raise CommandError(f"{report['failed']} documents were not indexed; see the log.")
        if only in (None, "database"):
            started = time.perf_counter()
            count = dbindex.rebuild(
                all_docs(), progress=(lambda n: progress("database", n, total)) if progress else None
            )
            if progress:
                progress.finish()
            seconds = time.perf_counter() - started
            vacuumed = dbindex.vacuum()
            self.stdout.write(f"Database: {count} entries in {seconds:.1f}s.")
            if vacuumed:
                self.stdout.write(
                    f"Database: tables vacuumed and analysed in {time.perf_counter() - started - seconds:.1f}s."
                )
