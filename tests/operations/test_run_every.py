"""`manage.py run_every`: a failing run does not end the worker; SIGTERM ends it after a run.

The scheduled command is replaced here by one that fails on its first run and asks the worker
to stop (a real SIGTERM to this process) on its second; the real commands are run by
tests/workflows/test_timers_restart.py in a real subprocess.
"""

from __future__ import annotations

import io
import logging
import signal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from operations.management.commands import run_every


def test_a_failing_run_is_logged_and_the_next_one_runs(monkeypatch, caplog):
    runs: list[tuple] = []

    def scheduled(name, *args, **kwargs):
        runs.append((name, args))
        if len(runs) == 1:
            raise RuntimeError("database went away")
        signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(run_every, "call_command", scheduled)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        with caplog.at_level(logging.ERROR, logger="operations.run_every"):
            call_command("run_every", "1", "publish_scheduled", "--dryrun", stdout=io.StringIO())
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert runs == [("publish_scheduled", ("--dryrun",))] * 2
    assert "publish_scheduled failed" in caplog.text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("0.5", "workflow_timers"), "at least 1"),
        (("60", "no_such_command"), "Unknown command"),
        (("60", "run_every"), "Unknown command"),
    ],
)
def test_bad_arguments_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("run_every", *args)
