"""`manage.py search_worker`: the task worker that drains the search outbox into Elasticsearch.

Run one (or more: rows are claimed with SKIP LOCKED on PostgreSQL) beside the web processes
whenever ELASTICSEARCH_URL is set. While Elasticsearch is down the queued changes wait and the
worker retries with a growing pause; once a day it also queues the villages whose contract came
into or went out of force. `--once` drains what is due and exits (for cron or tests).
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError

from search import es, outbox, service

logger = logging.getLogger("search.worker")


class Command(BaseCommand):
    help = "Drain the search outbox into Elasticsearch (continuously, or once with --once)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="drain what is due, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--batch", type=int, default=outbox.BATCH, help="rows per bulk request")

    def handle(self, *args, once: bool, interval: float, batch: int, **options) -> None:
        if not es.configured():
            raise CommandError(
                "ELASTICSEARCH_URL is not set: nothing to drain (the database search is updated on save)."
            )
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        pause = interval
        while not stopping:
            outbox.refresh_contract_changes()
            report = outbox.drain(batch=batch)
            if report.processed or report.failed:
                self.stdout.write(
                    f"indexed {report.indexed}, deleted {report.deleted}, kept for retry {report.failed}; "
                    f"{outbox.backlog()} queued"
                )
            if once:
                if report.unavailable:
                    raise CommandError(
                        "Elasticsearch is unavailable; the queued changes wait for the next run."
                    )
                return
            if report.unavailable:
                pause = min(pause * 2, 60.0)
            else:
                if pause > interval:
                    service.reset()
                    logger.info("search worker: Elasticsearch is back; draining the queue")
                pause = interval
            time.sleep(pause)
