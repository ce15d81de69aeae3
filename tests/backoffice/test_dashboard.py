"""The coverage dashboard: right figures, scoped, exportable, and a bounded number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from advisers import dashboard
from advisers.models import Adviser, Firm, ServiceContract
from backoffice import roles
from places.models import Division
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING, village_codes
from tests.factories import AdviserFactory, FirmFactory

from .conftest import make_staff

DASHBOARD_MAX_QUERIES = 40


@pytest.fixture
def taiping(divisions, make_contract, today):
    """太平街道: one adviser at the cap (5 villages), one contract ending in 30 days without a
    successor, one ending in 40 days that is already renewed, the rest uncovered."""
    villages = village_codes(TAIPING, 11)
    busy = AdviserFactory(name="满额顾问", firm=FirmFactory(county_id=JIANGZHOU))
    for code in villages[:5]:
        make_contract(busy, code)
    other = AdviserFactory(name="普通顾问", firm=FirmFactory(county_id=JIANGZHOU))
    make_contract(other, villages[5], end_date=today + dt.timedelta(days=30))
    make_contract(other, villages[6], end_date=today + dt.timedelta(days=40))
    make_contract(
        other,
        villages[6],
        status=ServiceContract.Status.DRAFT,
        start_date=today + dt.timedelta(days=41),
        end_date=today + dt.timedelta(days=400),
    )
    return villages


def test_township_figures(taiping):
    board = dashboard.build(JIANGZHOU)
    county = board.rows[0]
    township = next(child for child in county.children if child.code == TAIPING)
    assert (township.villages, township.covered, township.at_cap, township.ending) == (11, 7, 1, 1)
    assert township.percent == round(100 * 7 / 11, 1)
    total = Division.objects.villages().within(JIANGZHOU).count()
    assert (county.villages, county.covered, county.uncovered) == (total, 7, total - 7)
    uncovered = {v.code for v in board.uncovered}
    assert set(taiping[7:]) <= uncovered and not set(taiping[:7]) & uncovered


def test_county_bureau_sees_its_county_only(client, taiping):
    client.force_login(make_staff("jiangzhou_bureau", roles.COUNTY_BUREAU, JIANGZHOU))
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "太平街道" in page and "江州区" in page
    assert "宁明县" not in page and "凭祥市" not in page
    assert client.get(reverse("backoffice_coverage"), {"area": "451422"}).status_code == 404
    assert client.get(reverse("backoffice_coverage"), {"area": "4514"}).status_code == 404
    assert client.get(reverse("backoffice_coverage"), {"area": TAIPING}).status_code == 200

    body = client.get(reverse("backoffice_coverage_export", args=["csv"])).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["级别", "区划代码", "名称"]
    assert {r[1][:6] for r in rows[1:]} == {JIANGZHOU}

    data = json.loads(client.get(reverse("backoffice_coverage_export", args=["json"])).content)
    assert data["area"]["code"] == JIANGZHOU
    assert all(r["code"].startswith(JIANGZHOU) for r in data["rows"])
    assert all(v["code"].startswith(JIANGZHOU) for v in data["uncovered"])

    workbook = load_workbook(
        io.BytesIO(client.get(reverse("backoffice_coverage_export", args=["xlsx"])).content)
    )
    assert workbook.sheetnames == ["覆盖情况", "未覆盖村(社区)", "60天内到期合同"]
    assert all(
        str(row[0].value).startswith(JIANGZHOU) for row in workbook["未覆盖村(社区)"].iter_rows(min_row=2)
    )


def test_township_office_dashboard_is_its_township(client, taiping):
    client.force_login(make_staff("taiping_office", roles.TOWNSHIP_OFFICE, TAIPING))
    response = client.get(reverse("backoffice_coverage"))
    assert response.context["board"].area.code == TAIPING
    assert {v.code[:9] for v in response.context["board"].uncovered} == {TAIPING}
    assert client.get(reverse("backoffice_coverage"), {"area": JIANGZHOU}).status_code == 404


def test_accounts_without_a_place_get_no_dashboard(client, world, accounts):
    client.force_login(accounts["editor"])
    assert client.get(reverse("backoffice_coverage")).status_code == 403
    assert "法律顾问覆盖情况" not in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(accounts["adviser"])
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "我服务的村(社区)" in home and "卜寨村委会" in home


def cover_whole_city(today) -> int:
    """Contracts for every village of 崇左 (5 per adviser), created in bulk."""
    villages = list(
        Division.objects.villages()
        .within("4514")
        .exclude(contracts__isnull=False)
        .order_by("code")
        .values_list("code", flat=True)
    )
    firms = {
        county: Firm.objects.create(name=f"所{county}", county_id=county)
        for county in {v[:6] for v in villages}
    }
    advisers = Adviser.objects.bulk_create(
        [
            Adviser(name=f"顾问{i}", licence_no=f"L{i:06d}", firm=firms[villages[i * 5][:6]])
            for i in range((len(villages) + 4) // 5)
        ]
    )
    ServiceContract.objects.bulk_create(
        [
            ServiceContract(
                adviser=advisers[i // 5],
                village_id=code,
                start_date=today - dt.timedelta(days=10),
                end_date=today + dt.timedelta(days=20 + i % 300),
                annual_fee=Decimal("3000"),
            )
            for i, code in enumerate(villages)
        ]
    )
    return len(villages)


def test_dashboard_for_the_whole_city_is_one_request_with_bounded_queries(
    client, divisions, today, django_assert_max_num_queries
):
    client.force_login(make_staff("city_bureau", roles.CITY_BUREAU, "4514"))
    client.get(reverse("wagtailadmin_home"))  # warm per-session caches (menus, profile)
    count = cover_whole_city(today)
    assert count == Division.objects.villages().within("4514").count() > 900
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES):
        response = client.get(reverse("backoffice_coverage"))
    board = response.context["board"]
    assert board.area.code == "4514" and board.area.villages == count and board.area.covered == count
    assert len(board.rows) == 7 and sum(len(r.children) for r in board.rows) > 70
    with django_assert_max_num_queries(DASHBOARD_MAX_QUERIES + 25):  # the admin home's own panels
        home = client.get(reverse("wagtailadmin_home"))
    assert "江州区" in home.content.decode() and "100.0%" in home.content.decode()


def test_dashboard_queries_do_not_grow_with_the_data(client, divisions, today, make_contract):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_staff("city_bureau", roles.CITY_BUREAU, "4514"))
    client.get(reverse("backoffice_coverage"))
    make_contract(AdviserFactory(firm=FirmFactory(county_id=JIANGZHOU)), BUZHAI)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("backoffice_coverage"))
    cover_whole_city(today)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("backoffice_coverage"))
    assert len(large) == len(small)
