"""The rules hold under concurrent requests (row locks on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from advisers import rules
from advisers.models import ServiceContract
from tests.conftest import BUZHAI, TAIPING, ensure_demo_divisions, require_postgres, village_codes
from tests.factories import AdviserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(monkeypatch, attempts: list[dict]) -> list[str]:
    """Save one contract per thread, all at once; widen the window between check and write."""
    original = rules.check_contract

    def slow_check(contract):
        original(contract)
        time.sleep(0.3)  # both requests have passed the check if nothing serialises them

    monkeypatch.setattr(rules, "check_contract", slow_check)
    barrier = threading.Barrier(len(attempts))
    outcomes: list[str] = []

    def attempt(values: dict) -> None:
        try:
            barrier.wait()
            ServiceContract(**values).save()
            outcomes.append("saved")
        except ValidationError as exc:
            outcomes.append("refused: " + " ".join(exc.messages))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(values,)) for values in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def contract_values(adviser, village: str) -> dict:
    today = dt.date.today()
    return {
        "adviser": adviser,
        "village_id": village,
        "start_date": today - dt.timedelta(days=10),
        "end_date": today + dt.timedelta(days=355),
        "annual_fee": Decimal("3000"),
    }


def test_two_concurrent_sixth_contracts_make_one(monkeypatch):
    require_postgres()
    assert connection.vendor == "postgresql"
    ensure_demo_divisions()
    adviser = AdviserFactory()
    villages = village_codes(TAIPING, 6)
    for code in villages[:4]:
        ServiceContract(**contract_values(adviser, code)).save()

    outcomes = race(
        monkeypatch, [contract_values(adviser, villages[4]), contract_values(adviser, villages[5])]
    )

    assert sorted(o.split(":")[0] for o in outcomes) == ["refused", "saved"], outcomes
    assert "上限 5 个" in next(o for o in outcomes if o.startswith("refused"))
    assert ServiceContract.objects.filter(adviser=adviser, status="active").count() == 5


def test_two_concurrent_advisers_for_one_village_make_one(monkeypatch):
    require_postgres()
    ensure_demo_divisions()
    first, second = AdviserFactory(), AdviserFactory()

    outcomes = race(monkeypatch, [contract_values(first, BUZHAI), contract_values(second, BUZHAI)])

    assert sorted(o.split(":")[0] for o in outcomes) == ["refused", "saved"], outcomes
    assert ServiceContract.objects.filter(village_id=BUZHAI, status="active").count() == 1
