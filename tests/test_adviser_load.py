"""Adviser load against the county's cap, and contracts ending without a successor: one
definition each (advisers.models), called directly here, and read by the rules, the dashboard,
the adviser chooser and the list filters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from advisers.models import (
    DEFAULT_ADVISER_CAP,
    ENDING_WITHIN_DAYS,
    Adviser,
    CountyBureau,
    ServiceContract,
    county_cap,
)
from tests.conftest import JIANGZHOU, TAIPING, village_codes
from tests.factories import AdviserFactory, FirmFactory

NINGMING = "451422"


@pytest.fixture
def busy(divisions, make_contract):
    """An adviser with a 宁明 firm serving four 江州 villages (江州's cap set to 4)."""
    CountyBureau.objects.create(county_id=JIANGZHOU, name="江州区司法局", adviser_cap=4)
    CountyBureau.objects.create(county_id=NINGMING, name="宁明县司法局", adviser_cap=5)
    adviser = AdviserFactory(name="满额顾问", firm=FirmFactory(county_id=NINGMING))
    for code in village_codes(TAIPING, 4):
        make_contract(adviser, code)
    return adviser


def test_load_and_cap_come_from_the_serving_county_not_the_firms(busy):
    row = Adviser.objects.with_load().get(pk=busy.pk)
    assert (row.load, row.cap) == (4, 4)
    assert Adviser.objects.at_cap().filter(pk=busy.pk).exists()
    assert not Adviser.objects.with_room().filter(pk=busy.pk).exists()


def test_cap_of_a_named_county(busy):
    row = Adviser.objects.with_load(county=NINGMING).get(pk=busy.pk)
    assert (row.load, row.cap) == (4, 5)
    assert Adviser.objects.with_room(county=NINGMING).filter(pk=busy.pk).exists()


def test_load_counts_contracts_in_force_on_the_day(busy, make_contract, today):
    later = today + dt.timedelta(days=400)
    assert Adviser.objects.with_load(on=later).get(pk=busy.pk).load == 0
    assert Adviser.objects.with_load(on=later).get(pk=busy.pk).cap == DEFAULT_ADVISER_CAP
    idle = AdviserFactory(name="空闲顾问")
    assert Adviser.objects.with_load().get(pk=idle.pk).load == 0
    assert Adviser.objects.with_room().filter(pk=idle.pk).exists()


def test_rule_refuses_what_the_queryset_calls_full(busy, make_contract):
    fifth = village_codes(TAIPING, 5)[4]
    with pytest.raises(ValidationError) as excinfo:
        make_contract(busy, fifth)
    text = " ".join(excinfo.value.messages)
    assert "已担任 4 个" in text and "上限 4 个" in text


def test_cap_error_lists_the_villages_it_counts(divisions, make_contract):
    """Five contracts in the first half of a year, five in the second: a new one across both
    halves meets five at once, and the message names those five, not all ten."""
    adviser = AdviserFactory(name="韦明")
    villages = village_codes(TAIPING, 11)
    for code in villages[:5]:
        make_contract(adviser, code, start_date=dt.date(2030, 1, 1), end_date=dt.date(2030, 6, 30))
    for code in villages[5:10]:
        make_contract(adviser, code, start_date=dt.date(2030, 7, 1), end_date=dt.date(2030, 12, 31))
    with pytest.raises(ValidationError) as excinfo:
        make_contract(adviser, villages[10], start_date=dt.date(2030, 6, 1), end_date=dt.date(2030, 7, 31))
    text = excinfo.value.message_dict["adviser"][0]
    assert "已担任 5 个" in text
    listed = text.rsplit("：", 1)[1].rstrip("。不能再签订新的合同").split("、")
    assert len(listed) == 5


def test_county_cap_defaults_to_the_policy(divisions):
    assert county_cap(JIANGZHOU) == DEFAULT_ADVISER_CAP
    CountyBureau.objects.create(county_id=JIANGZHOU, name="江州区司法局", adviser_cap=3)
    assert county_cap(TAIPING + "001") == 3


def test_ending_without_successor(divisions, make_contract, today):
    adviser = AdviserFactory()
    a, b, c, d = village_codes(TAIPING, 4)
    ending = make_contract(adviser, a, end_date=today + dt.timedelta(days=30))
    make_contract(adviser, b, end_date=today + dt.timedelta(days=40))
    make_contract(
        adviser,
        b,
        status=ServiceContract.Status.DRAFT,
        start_date=today + dt.timedelta(days=41),
        end_date=today + dt.timedelta(days=400),
    )
    beyond = make_contract(adviser, c, end_date=today + dt.timedelta(days=ENDING_WITHIN_DAYS + 1))
    ended = make_contract(adviser, d, end_date=today + dt.timedelta(days=10))
    # Terminated (as if long ago; the termination record itself is not what this test is about).
    ServiceContract.objects.filter(pk=ended.pk).update(status=ServiceContract.Status.TERMINATED)

    assert ENDING_WITHIN_DAYS == 60
    assert list(ServiceContract.objects.ending_without_successor()) == [ending]
    wider = set(ServiceContract.objects.ending_without_successor(within_days=90))
    assert wider == {ending, beyond}
    # Looking from a later day: the first has ended, the renewed one has its successor, and
    # the third is now within 60 days.
    later = today + dt.timedelta(days=35)
    assert list(ServiceContract.objects.ending_without_successor(on=later)) == [beyond]


def test_contract_filter_and_dashboard_use_the_same_definition(divisions, make_contract, today):
    from advisers import dashboard
    from advisers.wagtail_hooks import ContractFilterSet

    adviser = AdviserFactory()
    a, b = village_codes(TAIPING, 2)
    ending = make_contract(adviser, a, end_date=today + dt.timedelta(days=30))
    make_contract(adviser, b, end_date=today + dt.timedelta(days=40))
    make_contract(
        adviser,
        b,
        status=ServiceContract.Status.DRAFT,
        start_date=today + dt.timedelta(days=41),
        end_date=today + dt.timedelta(days=400),
    )
    filtered = ContractFilterSet({"period": "ending"}, queryset=ServiceContract.objects.all()).qs
    assert list(filtered) == [ending]
    assert dashboard.build(JIANGZHOU).ending_contracts == [ending]


def test_dashboard_counts_and_names_the_county_cap(busy, client):
    """ISSUE11: the dashboard said "满 5 个村" where the county's cap is 4."""
    from advisers import dashboard
    from backoffice import roles
    from tests.backoffice.conftest import make_staff

    board = dashboard.build(JIANGZHOU)
    assert (board.cap, board.area.at_cap) == (4, 1)
    client.force_login(make_staff("jiangzhou_bureau", roles.COUNTY_BUREAU, JIANGZHOU))
    page = client.get("/admin/coverage/").content.decode()
    assert "已满 4 个村" in page and "满 5 个村" not in page


def test_a_contract_terminated_soon_is_a_renewal_to_prepare(divisions, make_contract, today):
    """Ended early (termination effective in ten days): its village needs a new adviser by then."""
    adviser = AdviserFactory()
    a, b = village_codes(TAIPING, 2)
    leaving = make_contract(adviser, a)  # the term runs to day +335
    leaving.status = ServiceContract.Status.TERMINATED
    leaving.terminated_on = today + dt.timedelta(days=10)
    leaving.termination_reason = "顾问调离本县"
    leaving.full_clean()
    leaving.save()
    staying = make_contract(adviser, b)
    ending = list(ServiceContract.objects.ending_without_successor())
    assert ending == [leaving] and staying not in ending
    # A successor from the day after the termination closes the gap.
    make_contract(
        AdviserFactory(),
        a,
        status=ServiceContract.Status.DRAFT,
        start_date=today + dt.timedelta(days=11),
        end_date=today + dt.timedelta(days=376),
    )
    assert list(ServiceContract.objects.ending_without_successor()) == []
