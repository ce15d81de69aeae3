"""`manage.py search_worker`: the task worker that drains the search outbox into Elasticsearch.

Run one (or more: rows are claimed with SKIP LOCKED on PostgreSQL) beside the web processes
whenever ELASTICSEARCH_URL is set. While Elasticsearch is down the queued changes wait and the
worker retries with a growing pause; once a day it also queues the villages whose contract came
into or went out of force. `--once` drains what is due and exits (for cron or tests).

Stopping and restarts lose nothing: a batch's outbox rows are deleted in the transaction that
claimed them, after Elasticsearch accepted the bulk request, so a worker killed mid-batch
(SIGKILL, a crash, a reboot) leaves its rows queued and the next worker indexes them again
(writes are idempotent: one document per record id). SIGTERM and SIGINT stop the worker between
batches, so `systemctl stop` does not wait for a large backlog to drain.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections, connection

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
        if batch < 1 or interval <= 0:
            raise CommandError("--batch must be at least 1 and --interval above 0.")
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("search worker: started (batch %d, %d queued)", batch, outbox.backlog())
        pause = interval
        while not stopping:
            # A database restart must not end the worker: drop connections that went bad (not
            # inside an enclosing transaction, as when a test calls the command).
            if not connection.in_atomic_block:
                close_old_connections()
            outbox.refresh_contract_changes()
            report = outbox.DrainReport()
            # One batch at a time, so that a stop request is honoured between batches.
            while not stopping:
                step = outbox.drain(batch=batch, max_batches=1)
                report.processed += step.processed
                report.indexed += step.indexed
                report.deleted += step.deleted
                report.failed += step.failed
                if step.unavailable:
                    report.unavailable = True
                    report.errors.extend(step.errors)
                    break
                if not (step.processed or step.failed):
                    break
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
            _sleep(pause, lambda: stopping)
        logger.info("search worker: stopped (%d queued)", outbox.backlog())


def _sleep(seconds: float, stopped) -> None:
    """Sleep in short steps so that SIGTERM during a long back-off pause ends the worker promptly."""
    deadline = time.monotonic() + seconds
    while not stopped():
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.2))
