"""A contract ends on a date with a reason, and history before that date stays (issue 11).

Before, setting a contract to 已解除 was retroactive: the village vanished from past months'
compliance and work done before the termination could no longer be recorded or approved.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from advisers.models import ServiceContract
from ledger import compliance
from ledger.models import LedgerEntry
from tests.conftest import BUZHAI
from tests.factories import AdviserFactory

Y = 2025  # a past year: every date below is allowed for ledger entries
NAZHEN = "451402001202"


def terminate(contract: ServiceContract, day: dt.date, reason: str = "顾问调离本县") -> ServiceContract:
    contract.status = ServiceContract.Status.TERMINATED
    contract.terminated_on = day
    contract.termination_reason = reason
    contract.full_clean()
    contract.save()
    return contract


@pytest.fixture
def ended_in_november(divisions, make_contract):
    adviser = AdviserFactory(name="韦明")
    contract = make_contract(adviser, BUZHAI, start_date=dt.date(Y, 1, 1), end_date=dt.date(Y, 12, 31))
    return terminate(contract, dt.date(Y, 11, 15))


def test_in_force_until_its_termination_date(ended_in_november):
    in_force = ServiceContract.objects.in_force
    assert in_force(dt.date(Y, 11, 10)).filter(pk=ended_in_november.pk).exists()
    assert in_force(dt.date(Y, 11, 15)).filter(pk=ended_in_november.pk).exists()
    assert not in_force(dt.date(Y, 11, 16)).filter(pk=ended_in_november.pk).exists()
    assert ended_in_november.is_in_force(dt.date(Y, 11, 15))
    assert not ended_in_november.is_in_force(dt.date(Y, 12, 1))
    during = ServiceContract.objects.active_during
    assert during(dt.date(Y, 11, 1), dt.date(Y, 11, 30)).filter(pk=ended_in_november.pk).exists()
    assert not during(dt.date(Y, 12, 1), dt.date(Y, 12, 31)).filter(pk=ended_in_november.pk).exists()


def test_past_months_keep_the_village_in_compliance(ended_in_november):
    def village_of(month):
        return [row for row in compliance.monthly_hours("451402001", Y, month) if row.code == BUZHAI]

    assert village_of(10) and village_of(10)[0].advisers == ["韦明"]
    november = village_of(11)
    assert november and november[0].required > 0  # judged for the days it was in force
    assert not village_of(12) or village_of(12)[0].required == 0


def test_work_before_the_termination_date_can_still_be_recorded(ended_in_november):
    entry = LedgerEntry(
        adviser=ended_in_november.adviser,
        village_id=BUZHAI,
        date=dt.date(Y, 11, 10),
        kind=LedgerEntry.Kind.ON_DUTY,
        hours=Decimal("3"),
        summary="驻点值班，解答咨询。",
        on_site=True,
    )
    entry.full_clean()  # in force on 10 November
    entry.date = dt.date(Y, 11, 20)
    with pytest.raises(ValidationError):
        entry.full_clean()


def test_termination_needs_a_date_within_the_period_and_a_reason(divisions, make_contract):
    contract = make_contract(
        AdviserFactory(), BUZHAI, start_date=dt.date(Y, 1, 1), end_date=dt.date(Y, 12, 31)
    )
    contract.status = ServiceContract.Status.TERMINATED
    with pytest.raises(ValidationError) as missing:
        contract.save()
    assert {"terminated_on", "termination_reason"} <= set(missing.value.message_dict)
    contract.termination_reason = "村委会提出解聘"
    for day in (dt.date(Y - 1, 12, 31), dt.date(Y + 1, 1, 1)):
        contract.terminated_on = day
        with pytest.raises(ValidationError) as outside:
            contract.save()
        assert "terminated_on" in outside.value.message_dict
    contract.refresh_from_db()
    assert contract.status == ServiceContract.Status.ACTIVE  # nothing was saved


def test_only_an_ended_contract_carries_a_termination_date(divisions, make_contract):
    with pytest.raises(ValidationError) as error:
        make_contract(AdviserFactory(), BUZHAI, terminated_on=dt.date.today())
    assert "terminated_on" in error.value.message_dict


def test_the_village_is_free_the_day_after_termination_not_before(ended_in_november, make_contract):
    successor = AdviserFactory(name="黄丽")
    with pytest.raises(ValidationError) as clash:
        make_contract(successor, BUZHAI, start_date=dt.date(Y, 11, 15), end_date=dt.date(Y + 1, 11, 14))
    assert "village" in clash.value.message_dict
    make_contract(successor, BUZHAI, start_date=dt.date(Y, 11, 16), end_date=dt.date(Y + 1, 11, 15))


def test_a_terminated_contract_still_counts_towards_the_cap_until_its_date(divisions, make_contract):
    from tests.conftest import village_codes

    adviser = AdviserFactory()
    villages = village_codes("451402001", 6)
    contracts = [
        make_contract(adviser, code, start_date=dt.date(Y, 1, 1), end_date=dt.date(Y, 12, 31))
        for code in villages[:5]
    ]
    terminate(contracts[0], dt.date(Y, 6, 30))
    with pytest.raises(ValidationError) as full:
        make_contract(adviser, villages[5], start_date=dt.date(Y, 6, 1), end_date=dt.date(Y, 12, 31))
    assert "adviser" in full.value.message_dict
    make_contract(adviser, villages[5], start_date=dt.date(Y, 7, 1), end_date=dt.date(Y, 12, 31))


def test_a_contract_ended_in_the_year_is_still_assessed_for_it(ended_in_november):
    from workflows.assessment.services import contracts_for

    assert ended_in_november in contracts_for("451402", Y)
    assert ended_in_november not in contracts_for("451402", Y + 1)
