"""Recognising a lost race for a row lock, so that the loser gets a message instead of a 500.

Contracts are saved under `SELECT … FOR UPDATE` locks (advisers.rules). Two writers that lock
the same rows in different orders (an import of many contracts beside an admin save) can make
PostgreSQL abort one of them with "deadlock detected"; nothing was saved and retrying succeeds,
so callers turn it into a Chinese message on the form or the import page. SQLite's "database is
locked" after its busy timeout is the same kind of lost race.
"""

from __future__ import annotations

from django.db import OperationalError

# PostgreSQL's "deadlock detected" and "could not serialize access".
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def is_lock_conflict(exc: OperationalError) -> bool:
    """True when the database gave up on a lock or a serialisation: the user may simply retry.

    SQLite (the embedded default) says "database is locked" when another writer held the file
    for longer than the busy timeout (portal.settings.base.SQLITE_OPTIONS).
    """
    if "database is locked" in str(exc) or "database table is locked" in str(exc):
        return True
    cause = exc.__cause__
    # psycopg 3 names it sqlstate, psycopg2 pgcode.
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in RETRYABLE_SQLSTATES
