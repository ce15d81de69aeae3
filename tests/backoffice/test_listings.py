"""Listings, exports and choosers stay at a fixed number of queries however many records exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from advisers.models import Adviser, Firm, ServiceContract
from advisers.protection import deleting_history
from backoffice import roles
from places.models import Division

from .conftest import make_staff

LISTING_MAX_QUERIES = 30


def make_contracts(count: int, today: dt.date) -> None:
    """`count` contracts in 崇左 in bulk: one in force per village, older ones terminated."""
    villages = list(
        Division.objects.villages().within("4514").order_by("code").values_list("code", flat=True)
    )
    firm = Firm.objects.create(name="批量测试律师事务所", county_id="451402")
    advisers = Adviser.objects.bulk_create(
        [Adviser(name=f"批量顾问{i}", licence_no=f"B{i:06d}", firm=firm) for i in range(count // 5 + 1)]
    )
    contracts = []
    for i in range(count):
        village = villages[i % len(villages)]
        older = i >= len(villages)
        contracts.append(
            ServiceContract(
                adviser=advisers[i // 5],
                village_id=village,
                status=ServiceContract.Status.TERMINATED if older else ServiceContract.Status.ACTIVE,
                start_date=today - dt.timedelta(days=800 if older else 30),
                end_date=today - dt.timedelta(days=400) if older else today + dt.timedelta(days=300),
                annual_fee=Decimal("3000"),
            )
        )
    ServiceContract.objects.bulk_create(contracts)


def queries_for(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def city(client, divisions):
    client.force_login(make_staff("city_bureau", roles.CITY_BUREAU, "4514"))
    client.get(reverse("wagtailadmin_home"))
    return client


URLS = [
    ("contracts:index", {}),
    ("contracts:index", {"export": "csv"}),
    ("contracts:index", {"export": "xlsx"}),
    ("contracts:index", {"period": "in_force", "county": "451402"}),
    ("contracts:index", {"q": "批量"}),
    ("advisers:index", {}),
    ("advisers:index", {"load": "full"}),
    ("advisers:index", {"export": "csv"}),
    ("villages:index", {}),
    ("villages:index", {"coverage": "uncovered"}),
    ("villages:index", {"export": "csv"}),
    ("firms:index", {}),
    ("village_chooser:choose", {}),
    ("adviser_chooser:choose", {}),
]


@pytest.mark.parametrize(("name", "params"), URLS)
def test_listing_of_1000_contracts_runs_a_bounded_number_of_queries(
    city, today, name, params, django_assert_max_num_queries
):
    make_contracts(1000, today)
    assert ServiceContract.objects.count() == 1000
    with django_assert_max_num_queries(LISTING_MAX_QUERIES):
        response = city.get(reverse(name), params)
        if response.streaming:
            body = b"".join(response.streaming_content)
            assert body.count(b"\n") >= 100  # the export really holds the rows
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "params"), [URLS[0], URLS[1], URLS[5], URLS[8]])
def test_query_count_does_not_depend_on_the_number_of_contracts(city, today, name, params):
    make_contracts(20, today)
    small = queries_for(city, reverse(name), **params)
    with deleting_history():
        ServiceContract.objects.all().delete()
        Adviser.objects.all().delete()
    make_contracts(1000, today)
    assert queries_for(city, reverse(name), **params) == small
