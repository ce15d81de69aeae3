"""Two simultaneous submissions of one approval make one completion (row lock on PostgreSQL)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from ledger.models import LedgerEntry
from tests.conftest import require_postgres
from tests.workflows.people import filing_data, make_people
from workflows import engine
from workflows.fee_filing import views as fee_filing
from workflows.fee_filing.flow import open_review_task
from workflows.fee_filing.models import FeeFiling
from workflows.models import StepRecord

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def simultaneously(requests: list) -> list[int]:
    """Run each request function in its own thread, released together; return the status codes."""
    barrier = threading.Barrier(len(requests))
    codes: list[int] = []
    errors: list[BaseException] = []

    def run(request) -> None:
        try:
            barrier.wait()
            codes.append(request())
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(request,)) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return codes


@pytest.fixture
def filed(make_contract, today):
    require_postgres()
    assert connection.vendor == "postgresql"
    people = make_people(make_contract, today)
    client = Client()
    client.force_login(people.adviser_user)
    assert client.post("/admin/workflows/fee-filings/new/", filing_data(today)).status_code == 302
    return people, FeeFiling.objects.get()


def test_two_simultaneous_approvals_make_one_completion(filed, monkeypatch):
    people, filing = filed
    task = open_review_task(filing)
    officer = Client()
    officer.force_login(people.bureau)
    assert officer.post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 302

    original = fee_filing.ReviewView.perform

    def slow_perform(self, form):
        original(self, form)
        time.sleep(0.5)  # both requests are past the form check if nothing serialises them

    monkeypatch.setattr(fee_filing.ReviewView, "perform", slow_perform)
    clients = []
    for _ in range(2):
        client = Client()
        client.force_login(people.bureau)
        clients.append(client)
    url = f"/admin/workflows/tasks/{task.pk}/"
    codes = simultaneously(
        [lambda c=client: c.post(url, {"decision": "approve"}).status_code for client in clients]
    )

    assert codes == [302, 302]  # one approves, the other is told it was done; no error page
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.APPROVED
    assert StepRecord.objects.filter(process_id=filing.pk, action="approved").count() == 1
    assert LedgerEntry.objects.filter(fee_filing=filing).count() == 1
    assert Task.objects.filter(process=filing, flow_task_type="HUMAN", status=STATUS.DONE).count() == 1
    assert Task.objects.filter(process=filing, flow_task_type="END").count() == 1


def test_two_officers_claiming_at_once_get_one_claim(filed, monkeypatch):
    people, filing = filed
    task = open_review_task(filing)
    original = engine.can_claim

    def slow_can_claim(user, task):
        allowed = original(user, task)
        time.sleep(0.3)
        return allowed

    monkeypatch.setattr(engine, "can_claim", slow_can_claim)
    clients = []
    for user in (people.bureau, people.bureau_colleague):
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = f"/admin/workflows/tasks/{task.pk}/claim/"
    codes = simultaneously([lambda c=client: c.post(url).status_code for client in clients])

    assert codes == [302, 302]
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and task.owner in (people.bureau, people.bureau_colleague)
    assert StepRecord.objects.filter(process_id=filing.pk, action="claimed").count() == 1
