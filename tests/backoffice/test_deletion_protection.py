"""Contracts, advisers and firms with history are ended or deactivated, never deleted (issue 11).

As jiangzhou_bureau: deleting an in-force contract with ledger history is refused with a message
(not a 500) and the contract, its entries and its history page stay; the contract is ended
through its edit form instead, with a date and a reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import ProtectedError
from django.urls import reverse

from advisers.models import Adviser, Firm, ServiceContract
from ledger.models import LedgerEntry, Training, TrainingAttendance
from tests.conftest import BUZHAI
from tests.factories import AdviserFactory, FirmFactory


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


@pytest.fixture
def with_entry(world, today):
    contract = world.contracts[BUZHAI]
    LedgerEntry.objects.create(
        adviser=contract.adviser,
        village_id=BUZHAI,
        date=today - dt.timedelta(days=3),
        kind=LedgerEntry.Kind.ON_DUTY,
        hours=Decimal("3"),
        summary="驻点值班，解答咨询。",
        on_site=True,
    )
    return contract


def test_contract_with_history_is_not_deleted(client, accounts, with_entry):
    client.force_login(accounts["county"])
    response = client.post(reverse("contracts:delete", args=[with_entry.pk]), follow=True)
    assert response.status_code == 200
    assert "不能删除" in messages_of(response) and "已解除" in messages_of(response)
    assert ServiceContract.objects.filter(pk=with_entry.pk).exists()
    assert client.get(reverse("contracts:history", args=[with_entry.pk])).status_code == 200
    assert LedgerEntry.objects.filter(adviser=with_entry.adviser, village_id=BUZHAI).count() == 1


def test_model_level_guard_covers_every_path(with_entry):
    with pytest.raises(ProtectedError):
        with_entry.delete()
    # A queryset delete is refused from Django's own transaction (pre_delete), so give it one.
    with pytest.raises(ProtectedError), transaction.atomic():
        ServiceContract.objects.filter(pk=with_entry.pk).delete()
    assert ServiceContract.objects.filter(pk=with_entry.pk).exists()


def test_a_draft_or_future_contract_can_be_deleted(client, accounts, world, make_contract, today):
    client.force_login(accounts["county"])
    future = make_contract(
        AdviserFactory(firm=world.firms[BUZHAI]),
        "451402001203",
        start_date=today + dt.timedelta(days=30),
        end_date=today + dt.timedelta(days=395),
    )
    response = client.post(reverse("contracts:delete", args=[future.pk]))
    assert response.status_code == 302
    assert not ServiceContract.objects.filter(pk=future.pk).exists()


def test_ending_a_contract_through_the_form(client, accounts, with_entry, today):
    client.force_login(accounts["county"])
    url = reverse("contracts:edit", args=[with_entry.pk])
    form = client.get(url).context["form"]
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list | tuple)
    }
    data.update(
        {
            "village": BUZHAI,
            "adviser": with_entry.adviser_id,
            "status": "terminated",
            "start_date": with_entry.start_date.isoformat(),
            "end_date": with_entry.end_date.isoformat(),
            "signed_on": "",
            "annual_fee": "3000",
            "schedules-TOTAL_FORMS": "0",
            "schedules-INITIAL_FORMS": "0",
            "schedules-MIN_NUM_FORMS": "0",
            "schedules-MAX_NUM_FORMS": "1000",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200  # refused: no date, no reason
    errors = response.context["form"].errors
    assert "terminated_on" in errors and "termination_reason" in errors
    data.update({"terminated_on": today.isoformat(), "termination_reason": "顾问调离本县"})
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    with_entry.refresh_from_db()
    assert with_entry.status == "terminated" and with_entry.terminated_on == today
    assert with_entry.is_in_force(today)
    assert not with_entry.is_in_force(today + dt.timedelta(days=1))


def test_adviser_with_only_a_training_is_kept(client, accounts, world, today):
    adviser = AdviserFactory(firm=world.firms[BUZHAI], name="新顾问")
    training = Training.objects.create(
        title="业务培训", date=today, hours=Decimal("2"), organiser_id="451402"
    )
    TrainingAttendance.objects.create(training=training, adviser=adviser)
    client.force_login(accounts["county"])
    response = client.post(reverse("advisers:delete", args=[adviser.pk]), follow=True)
    assert "不在岗" in messages_of(response)
    assert Adviser.objects.filter(pk=adviser.pk).exists()
    assert TrainingAttendance.objects.filter(adviser=adviser).exists()


def test_adviser_and_firm_without_history_can_be_deleted(client, accounts, world):
    firm = FirmFactory(name="空机构", county_id="451402")
    adviser = AdviserFactory(firm=firm)
    client.force_login(accounts["county"])
    assert client.post(reverse("firms:delete", args=[firm.pk]), follow=True).status_code == 200
    assert Firm.objects.filter(pk=firm.pk).exists()  # it still has an adviser
    assert client.post(reverse("advisers:delete", args=[adviser.pk])).status_code == 302
    assert client.post(reverse("firms:delete", args=[firm.pk])).status_code == 302
    assert not Firm.objects.filter(pk=firm.pk).exists()
