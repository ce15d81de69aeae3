"""The policy's rules on contracts, through every path that saves one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from advisers.models import CountyBureau, ServiceContract
from advisers.rules import max_concurrent
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING, village_codes
from tests.factories import AdviserFactory


@pytest.fixture
def adviser(db):
    return AdviserFactory(name="韦明")


def messages(excinfo) -> str:
    return " ".join(m for ms in excinfo.value.message_dict.values() for m in ms)


def test_sixth_village_is_refused_and_names_the_five(adviser, make_contract):
    villages = village_codes(TAIPING, 6)
    for code in villages[:5]:
        make_contract(adviser, code)
    with pytest.raises(ValidationError) as excinfo:
        make_contract(adviser, villages[5])
    text = messages(excinfo)
    assert "已担任 5 个村(社区)" in text and "上限 5 个" in text
    assert "壶兴社区居委会" in text  # the first of the five, named so the officer sees which
    assert ServiceContract.objects.filter(adviser=adviser).count() == 5


def test_cap_is_a_county_setting(adviser, make_contract, divisions):
    CountyBureau.objects.create(county_id=JIANGZHOU, name="江州区司法局", adviser_cap=3)
    villages = village_codes(TAIPING, 4)
    for code in villages[:3]:
        make_contract(adviser, code)
    with pytest.raises(ValidationError, match="上限 3 个"):
        make_contract(adviser, villages[3])


def test_terminated_and_draft_contracts_do_not_count(adviser, make_contract, today):
    villages = village_codes(TAIPING, 7)
    make_contract(
        adviser,
        villages[0],
        status=ServiceContract.Status.TERMINATED,
        start_date=today - dt.timedelta(days=60),
        # Ended the day before the others start: from then on it no longer counts.
        terminated_on=today - dt.timedelta(days=31),
        termination_reason="村委会提出解聘",
    )
    make_contract(adviser, villages[1], status=ServiceContract.Status.DRAFT)
    for code in villages[2:7]:
        make_contract(adviser, code)
    assert ServiceContract.objects.filter(adviser=adviser, status="active").count() == 5


def test_cap_counts_contracts_running_at_the_same_time_only(adviser, make_contract, today):
    """Five contracts ending in June and five starting in July never overlap: all allowed."""
    villages = village_codes(TAIPING, 11)
    first_half = {"start_date": dt.date(2030, 1, 1), "end_date": dt.date(2030, 6, 30)}
    second_half = {"start_date": dt.date(2030, 7, 1), "end_date": dt.date(2030, 12, 31)}
    for code in villages[:5]:
        make_contract(adviser, code, **first_half)
    for code in villages[5:10]:
        make_contract(adviser, code, **second_half)
    with pytest.raises(ValidationError, match="上限 5 个"):
        make_contract(adviser, villages[10], start_date=dt.date(2030, 6, 1), end_date=dt.date(2030, 7, 31))


def test_max_concurrent_sweep():
    d = dt.date
    periods = [
        (d(2030, 1, 1), d(2030, 1, 31)),
        (d(2030, 1, 31), d(2030, 2, 28)),
        (d(2030, 3, 1), d(2030, 3, 2)),
    ]
    assert max_concurrent(periods, d(2030, 1, 1), d(2030, 12, 31)) == 2  # both run on 31 January
    assert max_concurrent(periods, d(2030, 2, 1), d(2030, 12, 31)) == 1
    assert max_concurrent([], d(2030, 1, 1), d(2030, 1, 2)) == 0


def test_one_active_contract_per_village(adviser, make_contract):
    other = AdviserFactory(name="黄丽")
    make_contract(adviser, BUZHAI)
    with pytest.raises(ValidationError) as excinfo:
        make_contract(other, BUZHAI)
    assert "一个村(社区)同一时间只能有一名法律顾问" in messages(excinfo)
    assert "韦明" in messages(excinfo)


def test_village_may_change_adviser_when_periods_do_not_overlap(adviser, make_contract):
    other = AdviserFactory()
    make_contract(adviser, BUZHAI, start_date=dt.date(2029, 1, 1), end_date=dt.date(2029, 12, 31))
    make_contract(other, BUZHAI, start_date=dt.date(2030, 1, 1), end_date=dt.date(2030, 12, 31))
    assert ServiceContract.objects.filter(village_id=BUZHAI).count() == 2


def test_end_must_be_after_start(adviser, make_contract, today):
    with pytest.raises(ValidationError, match="结束日期必须晚于开始日期"):
        make_contract(adviser, BUZHAI, start_date=today, end_date=today)


def test_fee_below_county_standard_is_refused(adviser, make_contract):
    with pytest.raises(ValidationError, match="不得低于本县标准 3,000 元"):
        make_contract(adviser, BUZHAI, annual_fee=Decimal("2999.99"))


def test_fee_standard_is_settable_per_county(adviser, make_contract, divisions):
    CountyBureau.objects.create(county_id=JIANGZHOU, name="江州区司法局", fee_standard=Decimal("5000"))
    with pytest.raises(ValidationError, match="5,000 元"):
        make_contract(adviser, BUZHAI, annual_fee=Decimal("4000"))
    other_county_village = village_codes("451422", 1)[0]  # 宁明县 keeps the default
    make_contract(adviser, other_county_village, annual_fee=Decimal("3000"))


def test_only_villages_can_have_contracts(adviser, make_contract):
    with pytest.raises(ValidationError, match="不是村\\(社区\\)"):
        make_contract(adviser, TAIPING)


def test_inactive_adviser_cannot_sign(adviser, make_contract):
    adviser.is_active = False
    adviser.save()
    with pytest.raises(ValidationError, match="已不在岗"):
        make_contract(adviser, BUZHAI)


def test_full_clean_reports_rules_as_field_errors(adviser, make_contract, today):
    """Forms and imports call full_clean(); they get the same rules as field errors."""
    for code in village_codes(TAIPING, 5):
        make_contract(adviser, code)
    contract = ServiceContract(
        adviser=adviser,
        village_id=village_codes(JIANGZHOU, 200)[-1],
        start_date=today,
        end_date=today + dt.timedelta(days=365),
        annual_fee=Decimal("100"),
    )
    with pytest.raises(ValidationError) as excinfo:
        contract.full_clean()
    assert set(excinfo.value.message_dict) >= {"adviser", "annual_fee"}


def test_editing_an_existing_contract_does_not_clash_with_itself(adviser, make_contract):
    contract = make_contract(adviser, BUZHAI)
    contract.annual_fee = Decimal("3500")
    contract.save()
    contract.refresh_from_db()
    assert contract.annual_fee == Decimal("3500")
