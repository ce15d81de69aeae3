"""SQLite, the embedded default: two simultaneous writers wait for each other (issue 11).

A real file database, two threads, each with its own connection built from the settings'
SQLITE_OPTIONS. Each reads, then writes, the pattern of a decision or a form post. With SQLite's
default DEFERRED transactions the second writer's read lock cannot be upgraded and it fails with
"database is locked" (a 500 in the admin); with IMMEDIATE transactions it waits for the first.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from backoffice.locking import is_lock_conflict


def file_connection(path, options: dict) -> str:
    """Register a connection to the SQLite file `path` for the current thread; return its alias."""
    alias = f"sqlite-{uuid.uuid4().hex[:8]}"
    connections[alias] = DatabaseWrapper(
        {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": dict(options),
            "ATOMIC_REQUESTS": False,
            "AUTOCOMMIT": True,
            "CONN_MAX_AGE": 0,
            "CONN_HEALTH_CHECKS": False,
            "TIME_ZONE": None,
            "USER": "",
            "PASSWORD": "",
            "HOST": "",
            "PORT": "",
            "TEST": {},
        },
        alias=alias,
    )
    return alias


def race(path, options: dict) -> tuple[list[int], list[Exception]]:
    """Two read-then-write transactions that overlap; (counts each read, errors)."""
    setup = file_connection(path, options)
    with connections[setup].cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS filing (id INTEGER PRIMARY KEY, note TEXT)")
    connections[setup].close()
    first_read, second_read = threading.Event(), threading.Event()
    counts: list[int] = []
    errors: list[Exception] = []

    def writer(is_first: bool) -> None:
        alias = file_connection(path, options)
        try:
            if not is_first:
                first_read.wait(5)
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM filing")
                counts.append(cursor.fetchone()[0])
                if is_first:
                    first_read.set()
                    # Under DEFERRED the second transaction reads now; under IMMEDIATE it waits
                    # at BEGIN for this one to commit, so this wait runs out.
                    second_read.wait(2)
                else:
                    second_read.set()
                cursor.execute("INSERT INTO filing (note) VALUES (%s)", ["备案"])
        except OperationalError as exc:
            errors.append(exc)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=writer, args=(flag,)) for flag in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return counts, errors


@pytest.fixture
def own_databases(django_db_blocker):
    """These tests open their own SQLite files, outside pytest-django's test database."""
    with django_db_blocker.unblock():
        yield


def test_the_settings_serialise_sqlite_writers(tmp_path, own_databases):
    counts, errors = race(tmp_path / "portal.sqlite3", settings.SQLITE_OPTIONS)
    assert errors == []
    assert sorted(counts) == [0, 1]  # the second read what the first wrote


def test_without_immediate_transactions_the_second_writer_fails(tmp_path, own_databases):
    """The failure the setting prevents, and that the admin turns into a message, not a 500."""
    options = {key: value for key, value in settings.SQLITE_OPTIONS.items() if key != "transaction_mode"}
    _counts, errors = race(tmp_path / "deferred.sqlite3", options)
    assert len(errors) == 1 and "database is locked" in str(errors[0])
    assert is_lock_conflict(errors[0])
