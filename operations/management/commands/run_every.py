"""`manage.py run_every SECONDS COMMAND [ARGS...]`: run a one-shot command as a long-running worker.

`workflow_timers` (viewflow's deadlines) and `publish_scheduled` (Wagtail's go-live and expiry
times) fire what is due and exit. A Procfile or a systemd service needs a process that stays up,
so this runs the command every SECONDS seconds in one process: no cron inside containers, one
log stream, and `Restart=always` brings it back after a crash.

Nothing is lost when it is killed: both commands keep their work in the database (timer tasks,
approved revisions with a go-live time) and commit each item on its own, so an interrupted run
leaves what it had not finished due for the next one. SIGTERM and SIGINT let the current run
finish and then stop; a failing run is logged and the next one starts on time.
"""

from __future__ import annotations

import argparse
import logging
import signal
import time

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

logger = logging.getLogger("operations.run_every")


class Command(BaseCommand):
    help = "Run a management command every SECONDS seconds until stopped (for one-shot commands)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("seconds", type=float, help="seconds from the start of one run to the next")
        parser.add_argument("command", help="the management command to run, e.g. workflow_timers")
        parser.add_argument("command_args", nargs=argparse.REMAINDER, metavar="ARGS", help="its arguments")

    def handle(self, *args, seconds: float, command: str, command_args: list[str], **options) -> None:
        if seconds < 1:
            raise CommandError("SECONDS must be at least 1.")
        if command == "run_every" or command not in get_commands():
            raise CommandError(f"Unknown command: {command}")
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        logger.info("run_every: %s every %g s", command, seconds)
        while not stopping:
            started = time.monotonic()
            close_old_connections()  # a database restart between runs must not end the worker
            try:
                call_command(command, *command_args, stdout=self.stdout, stderr=self.stderr)
            except Exception:
                logger.exception("run_every: %s failed; the next run is in %g s", command, seconds)
            finally:
                close_old_connections()
            while not stopping and time.monotonic() < started + seconds:
                time.sleep(min(0.2, max(0.0, started + seconds - time.monotonic())))
        logger.info("run_every: %s stopped", command)
