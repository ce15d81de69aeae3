"""Workflow timers survive a killed run: what it had not fired fires on the next run, once.

Three fee filings are overdue (their review timers are moved into the past, as the clock would).
A real `manage.py workflow_timers` fires the first; the second's process is held locked by this
test, so the run is caught in viewflow's lock retries, and is SIGKILLed there. The first stays
escalated, the other two stay due. Then `manage.py run_every 1 workflow_timers` (the long-running
form the Procfile and systemd use) fires them and stops on SIGTERM; each process is escalated
exactly once.
"""

from __future__ import annotations

import datetime as dt
import signal

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from tests.conftest import require_postgres
from tests.processes import manage_env, start, wait_for
from tests.workflows.people import filing_data, make_people
from workflows.fee_filing.flow import FeeFilingFlow
from workflows.fee_filing.models import FeeFiling
from workflows.models import StepRecord

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def escalations(filing: FeeFiling) -> int:
    return StepRecord.objects.filter(process_id=filing.pk, action="escalated").count()


def test_a_killed_timer_run_leaves_the_rest_for_the_next(divisions, make_contract, today, tmp_path):
    require_postgres()
    people = make_people(make_contract, today)
    client = Client()
    client.force_login(people.adviser_user)
    for _ in range(3):
        response = client.post("/admin/workflows/fee-filings/new/", filing_data(today))
        assert response.status_code == 302, response.content.decode()[:2000]
    filings = list(FeeFiling.objects.order_by("pk"))
    now = timezone.now()
    for hours, filing in zip((3, 2, 1), filings, strict=True):
        updated = Task.objects.filter(process=filing, flow_task_type="TIMER", status=STATUS.SCHEDULED).update(
            scheduled=now - dt.timedelta(hours=hours)
        )
        assert updated == 1
    first, second, third = filings

    env = manage_env(EMAIL_URL="dummy://")
    log = tmp_path / "timers.log"
    with transaction.atomic():
        # What another dispatcher holding the second process looks like to this run.
        list(FeeFilingFlow.process_class._default_manager.filter(pk=second.pk).select_for_update())
        run = start("workflow_timers", env=env, log=log)
        try:
            wait_for(lambda: escalations(first) == 1, timeout=120, what="the first timer", step=0.05, log=log)
            run.send_signal(signal.SIGKILL)
            assert run.wait(timeout=30) == -signal.SIGKILL
        finally:
            if run.poll() is None:
                run.kill()
    assert (escalations(first), escalations(second), escalations(third)) == (1, 0, 0)
    due = Task.objects.filter(flow_task_type="TIMER", status=STATUS.SCHEDULED, scheduled__lte=timezone.now())
    assert set(due.values_list("process_id", flat=True)) == {second.pk, third.pk}

    loop = start("run_every", "1", "workflow_timers", env=env, log=log)
    try:
        wait_for(
            lambda: escalations(second) == 1 and escalations(third) == 1,
            timeout=120,
            what="the next runs to fire the rest",
            step=0.1,
            log=log,
        )
        loop.send_signal(signal.SIGTERM)
        assert loop.wait(timeout=60) == 0, log.read_text()[-3000:]
    finally:
        if loop.poll() is None:
            loop.kill()
    assert [escalations(f) for f in filings] == [1, 1, 1]
    assert not due.exists()
