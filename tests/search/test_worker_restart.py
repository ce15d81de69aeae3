"""A search worker killed mid-batch loses nothing: the next one indexes every queued record.

A real `manage.py search_worker` drains a large outbox into the real test Elasticsearch; it is
SIGKILLed while it holds a batch's transaction open (rows claimed, bulk request on its way or
answered, rows not yet deleted), restarted, and stopped with SIGTERM once the queue is empty.
Every queued record must then be in the index once (one document per record id; a record whose
batch was cut off is indexed again, which overwrites the same document), deleted records must
be gone, and the outbox empty.
"""

from __future__ import annotations

import signal

import pytest
from django.test import override_settings

from advisers.models import Adviser
from places.models import Division
from search import es, outbox
from search.models import IndexOutbox, SearchEntry
from tests.conftest import require_postgres
from tests.factories import AdviserFactory
from tests.processes import manage_env, other_backends, other_backends_in_transaction, start, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_killed_worker_loses_no_queued_change(
    divisions, use_elasticsearch, es_session, make_contract, tmp_path
):
    require_postgres()
    prefix = f"{es_session}kill"
    with override_settings(ELASTICSEARCH_INDEX_PREFIX=prefix):
        es.create_index()
        villages = list(Division.objects.villages().order_by("code").values_list("code", flat=True))
        assert len(villages) > 900
        advisers = [AdviserFactory(name=f"重启顾问{i}") for i in range(5)]
        for adviser, village in zip(advisers, villages, strict=False):
            make_contract(adviser, village)
        gone = AdviserFactory(name="已删除顾问")
        gone_id = str(gone.pk)
        gone.delete()
        IndexOutbox.objects.all().delete()
        # Every village, then some of them again (as repeated saves do; only the last ones, so
        # that a lost row of an early batch is not hidden by its duplicate), the advisers, and
        # one deleted record.
        rows = [IndexOutbox(kind="village", object_id=code) for code in villages + villages[-50:]]
        rows += [IndexOutbox(kind="adviser", object_id=str(a.pk)) for a in advisers]
        rows.append(IndexOutbox(kind="adviser", object_id=gone_id))
        IndexOutbox.objects.bulk_create(rows)
        queued = len(rows)

        env = manage_env(ELASTICSEARCH_URL=use_elasticsearch, ELASTICSEARCH_INDEX_PREFIX=prefix)
        log = tmp_path / "worker.log"
        args = ("search_worker", "--batch", "40", "--interval", "0.2")
        first = start(*args, env=env, log=log)
        try:
            # Mid-batch: some batches done, and the worker holds the next one's transaction open.
            wait_for(
                lambda: outbox.backlog() < queued - 80 and other_backends_in_transaction() > 0,
                timeout=120,
                what="the worker to be inside a batch after two batches",
                step=0.005,
                log=log,
            )
            first.send_signal(signal.SIGKILL)
            assert first.wait(timeout=30) == -signal.SIGKILL
        finally:
            if first.poll() is None:
                first.kill()
        left = outbox.backlog()
        assert 0 < left < queued, "the kill came after the queue had drained: nothing was tested"
        # The dead worker's session ends and its claimed rows are released, still queued.
        wait_for(lambda: other_backends() == 0, timeout=30, what="the killed worker's session to end")
        assert outbox.backlog() == left

        second = start(*args, env=env, log=log)
        try:
            wait_for(lambda: outbox.backlog() == 0, timeout=240, what="the queue to drain", log=log)
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == 0, log.read_text()[-3000:]
        finally:
            if second.poll() is None:
                second.kill()

        es.refresh()
        expected = {("village", code) for code in villages} | {("adviser", str(a.pk)) for a in advisers}
        assert es.all_keys() == expected
        assert es.count() == len(expected)  # one document per record, none twice
        assert es.get_source("adviser", gone_id) is None
        # The documents are complete, not just present: a served village names its adviser.
        assert es.indexed_with("village", villages[0], advisers[0].name)
        # The database fallback was brought up to date by the same batches.
        assert set(SearchEntry.objects.values_list("kind", "object_id")) >= expected
        assert Adviser.objects.count() == 5
