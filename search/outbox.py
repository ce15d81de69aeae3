"""Keeping the search indexes up to date when records change.

A change to a searchable record (or to one whose name appears in another's document: a firm, a
contract that changes a village's current adviser) is recorded in two ways:

- The database fallback's entries are refreshed right after the transaction commits. That is
  database work only, so it is quick and cannot fail because of Elasticsearch.
- When Elasticsearch is configured, an `IndexOutbox` row is written in the same transaction as
  the change. `manage.py search_worker` drains the outbox into Elasticsearch; while the cluster
  is down the rows simply wait, so a save never fails or waits because of Elasticsearch, and
  nothing is lost. A row leaves the outbox only once Elasticsearch has accepted its update.

The division import writes 664k rows with bulk SQL and sends no signals: after an import, run
`manage.py search_rebuild` (the import command says so).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from . import dbindex, es
from .documents import docs_for
from .models import IndexOutbox, IndexState, Kind

logger = logging.getLogger(__name__)

BATCH = 200
MAX_BACKOFF_S = 600
CONTRACT_REFRESH_STATE = "contracts_refreshed_on"


def _pending() -> set[tuple[str, str]]:
    if not hasattr(connection, "_portal_search_pending"):
        connection._portal_search_pending = set()
    return connection._portal_search_pending


def record(kind: str, object_ids: Iterable[object]) -> None:
    """Note that these records' search documents must be refreshed."""
    ids = sorted({str(i) for i in object_ids if i not in (None, "")})
    if not ids:
        return
    enqueue(kind, ids)
    _pending().update((kind, i) for i in ids)
    transaction.on_commit(_refresh_database_entries)


def enqueue(kind: str, ids: list[str]) -> bool:
    """Queue records for Elasticsearch when it is configured; whether anything was queued."""
    if not es.configured():
        return False
    IndexOutbox.objects.bulk_create([IndexOutbox(kind=kind, object_id=i) for i in ids], batch_size=500)
    return True


def _refresh_database_entries() -> None:
    """After commit: bring the fallback's entries for the pending records up to date."""
    pending = _pending()
    keys = sorted(pending)
    pending.clear()
    if not keys:
        return
    try:
        refresh_database(keys)
    except Exception:
        # The save has been committed; a failure here must not turn it into an error page.
        # The outbox (or the next rebuild) repairs the entries.
        logger.exception(
            "search: database entries not refreshed for %d records, e.g. %s", len(keys), keys[:5]
        )


def refresh_database(keys: list[tuple[str, str]]) -> None:
    docs, gone = _documents(keys)
    dbindex.write(docs, gone)


def _documents(keys: Iterable[tuple[str, str]]):
    by_kind: dict[str, list[str]] = defaultdict(list)
    for kind, object_id in keys:
        by_kind[kind].append(object_id)
    docs = []
    gone = []
    for kind, ids in by_kind.items():
        found = docs_for(kind, ids)
        docs.extend(found)
        present = {d.object_id for d in found}
        gone.extend((kind, i) for i in ids if i not in present)
    return docs, gone


@dataclass
class DrainReport:
    processed: int = 0  # outbox rows done with
    indexed: int = 0
    deleted: int = 0
    failed: int = 0  # rows kept for a later attempt
    unavailable: bool = False
    errors: list[str] = field(default_factory=list)


def backlog() -> int:
    return IndexOutbox.objects.count()


def drain(batch: int = BATCH, max_batches: int | None = None, ignore_backoff: bool = False) -> DrainReport:
    """Apply due outbox rows to Elasticsearch (and the fallback), batch by batch, until none is due.

    Stops at once, leaving the rows in place, when Elasticsearch cannot be reached.
    """
    report = DrainReport()
    if not es.configured():
        return report
    rounds = 0
    while max_batches is None or rounds < max_batches:
        rounds += 1
        done = _drain_batch(batch, report, ignore_backoff)
        if not done:
            break
    return report


def _due(ignore_backoff: bool):
    qs = IndexOutbox.objects.order_by("id")
    if not ignore_backoff:
        qs = qs.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
    return qs


def _drain_batch(batch: int, report: DrainReport, ignore_backoff: bool) -> int:
    with transaction.atomic():
        qs = _due(ignore_backoff)
        if connection.features.has_select_for_update_skip_locked:
            # Several workers may run: each takes rows the others are not working on.
            qs = qs.select_for_update(skip_locked=True)
        rows = list(qs[:batch])
        if not rows:
            return 0
        keys = sorted({(r.kind, r.object_id) for r in rows})
        docs, gone = _documents(keys)
        try:
            failures = es.apply(docs, gone)
        except es.UNAVAILABLE as exc:
            report.unavailable = True
            report.errors.append(exc.__class__.__name__)
            logger.warning(
                "search worker: Elasticsearch unavailable (%s); %d queued changes wait",
                exc.__class__.__name__,
                backlog(),
            )
            # Nothing changes: the rows stay due and are retried when the cluster is back.
            return 0
        dbindex.write(docs, gone)
        ok_ids = [r.pk for r in rows if (r.kind, r.object_id) not in failures]
        IndexOutbox.objects.filter(pk__in=ok_ids).delete()
        now = timezone.now()
        for row in rows:
            error = failures.get((row.kind, row.object_id))
            if error is None:
                continue
            row.attempts += 1
            row.last_error = error
            row.next_attempt_at = now + dt.timedelta(seconds=min(MAX_BACKOFF_S, 2**row.attempts))
            row.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.error(
                "search worker: %s %s not indexed (attempt %d): %s",
                row.kind,
                row.object_id,
                row.attempts,
                error,
            )
        report.processed += len(ok_ids)
        report.failed += len(rows) - len(ok_ids)
        report.indexed += len([d for d in docs if d.key not in failures])
        report.deleted += len([k for k in gone if k not in failures])
        return len(rows)


def refresh_contract_changes(today: dt.date | None = None) -> int:
    """Queue villages and advisers whose contracts came into or went out of force since last run.

    A contract's period starts and ends by date, with no save, so the village's "current
    adviser" in the index would otherwise go stale at midnight. Runs once a day from the worker.
    """
    from advisers.models import ServiceContract

    today = today or timezone.localdate()
    state = IndexState.objects.filter(key=CONTRACT_REFRESH_STATE).first()
    last = dt.date.fromisoformat(state.value) if state and state.value else today - dt.timedelta(days=1)
    if last >= today:
        return 0
    changed = ServiceContract.objects.filter(
        Q(start_date__gt=last, start_date__lte=today) | Q(end_date__gte=last, end_date__lt=today)
    ).values_list("village_id", "adviser_id")
    villages = {v for v, _ in changed}
    advisers = {a for _, a in changed}
    with transaction.atomic():
        record(Kind.VILLAGE, villages)
        record(Kind.ADVISER, advisers)
        IndexState.objects.update_or_create(key=CONTRACT_REFRESH_STATE, defaults={"value": today.isoformat()})
    return len(villages) + len(advisers)
