"""Run real `manage.py` processes against the test database, for restart and kill tests.

A subprocess cannot see an in-memory SQLite database or a test's open transaction, so these
tests use PostgreSQL and `django_db(transaction=True)`: what the test writes is committed, and
the subprocess connects to the same test database with the development settings (which take
every service from the environment, like production, but need no secret key or host list).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url(name: str | None = None) -> str:
    """A DATABASE_URL for the test database (or another database on the same server)."""
    s = connection.settings_dict
    user = quote(s.get("USER") or "", safe="")
    password = quote(s.get("PASSWORD") or "", safe="")
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgres://{user}:{password}@{host}:{port}/{name or s['NAME']}"


def manage_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        DATABASE_URL=database_url(),
        DATABASE_CONN_MAX_AGE="0",
        ELASTICSEARCH_URL="",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start `manage.py ARGS` with its output in `log` (read it when an assertion fails)."""
    out = log.open("ab")
    return subprocess.Popen(  # noqa: S603 -- our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def run(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 -- our own manage.py with fixed arguments
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def wait_for(
    condition: Callable[[], bool], timeout: float, what: str, step: float = 0.02, log: Path | None = None
) -> None:
    """Poll until `condition()` holds; fail with `what` (and the end of `log`) after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{tail}")
        time.sleep(step)


def other_backends_in_transaction() -> int:
    """Sessions of other processes on the test database with a transaction open right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND xact_start IS NOT NULL"
        )
        return cursor.fetchone()[0]


def other_backends() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]
