"""What the assessment tests share: a township office account, ledger work for a year, HTTP steps."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client
from django.utils import timezone

from ledger.models import LedgerEntry, Training, TrainingAttendance
from tests.conftest import JIANGZHOU, TAIPING
from tests.workflows.people import staff_user
from workflows.assessment.flow import open_task
from workflows.assessment.models import Assessment, Campaign

LAUNCH = "/admin/workflows/assessment/launch/"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def township_user(username: str = "taiping_office", scope: str = TAIPING):
    from backoffice.roles import TOWNSHIP_OFFICE

    return staff_user(username, TOWNSHIP_OFFICE, scope=scope)


def good_year_of_work(contract, year: int) -> None:
    """Confirmed on-site hours every month so far, a lecture and a training: full ledger points."""
    today = timezone.localdate()
    for month in range(1, 13):
        day = max(dt.date(year, month, 1), contract.start_date)
        if day > today or day.month != month or day.year != year:
            continue
        LedgerEntry.objects.create(
            adviser=contract.adviser,
            village=contract.village,
            date=day,
            kind=LedgerEntry.Kind.ON_DUTY,
            on_site=True,
            hours=Decimal("6"),
            summary="驻点值班",
            confirmation=LedgerEntry.Confirmation.CONFIRMED,
        )
    LedgerEntry.objects.create(
        adviser=contract.adviser,
        village=contract.village,
        date=max(dt.date(year, 1, 2), contract.start_date),
        kind=LedgerEntry.Kind.LECTURE,
        on_site=True,
        hours=Decimal("2"),
        summary="法制讲座",
        confirmation=LedgerEntry.Confirmation.CONFIRMED,
    )
    training = Training.objects.create(title="年度培训", date=dt.date(year, 1, 3), organiser_id=JIANGZHOU)
    TrainingAttendance.objects.create(training=training, adviser=contract.adviser)


def launch(client: Client, year: int, county: str = JIANGZHOU):
    return client.post(LAUNCH, {"counties": [county], "year": str(year)})


def task_of(assessment: Assessment):
    task = open_task(assessment)
    assert task is not None, assessment.stage
    return task


def claim(client: Client, task) -> None:
    response = client.post(f"/admin/workflows/tasks/{task.pk}/claim/")
    assert response.status_code == 302, response.status_code


def submit(client: Client, task, data, files=None) -> None:
    payload = dict(data)
    if files:
        payload.update(files)
    response = client.post(f"/admin/workflows/tasks/{task.pk}/", payload)
    assert response.status_code == 302, response.content.decode()[:4000]
    assert response["Location"] == f"/admin/workflows/processes/{task.process_id}/"


def indicator_pk(campaign: Campaign, key: str) -> int:
    return campaign.table.indicators.get(key=key).pk
