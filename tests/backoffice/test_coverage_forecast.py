"""The coverage dashboard's forecast: villages that will be uncovered within 60 days unless a
renewal completes, per county and township, and how a completed renewal takes a village off it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from advisers import dashboard
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING, village_codes
from tests.factories import AdviserFactory
from tests.workflows.people import committee_user, ensure_groups, staff_user
from workflows import engine
from workflows.renewal import services
from workflows.renewal.flow import RenewalFlow, open_task

pytestmark = pytest.mark.django_db


def test_forecast_per_county_and_township_and_after_a_renewal(divisions, make_contract, today):
    from backoffice.roles import COUNTY_BUREAU

    ensure_groups()
    others = [code for code in village_codes(TAIPING, 4) if code != BUZHAI][:2]
    ending = make_contract(
        AdviserFactory(),
        BUZHAI,
        start_date=today - dt.timedelta(days=300),
        end_date=today + dt.timedelta(days=30),
    )
    make_contract(AdviserFactory(), others[0], end_date=today + dt.timedelta(days=300))
    renewed = make_contract(
        AdviserFactory(),
        others[1],
        start_date=today - dt.timedelta(days=300),
        end_date=today + dt.timedelta(days=40),
    )
    make_contract(
        renewed.adviser,
        others[1],
        start_date=renewed.end_date + dt.timedelta(days=1),
        end_date=renewed.end_date + dt.timedelta(days=366),
    )

    board = dashboard.build(JIANGZHOU, today=today)
    taiping = next(child for row in board.rows for child in row.children if child.code == TAIPING)
    assert (taiping.covered, taiping.ending, taiping.forecast_covered) == (3, 1, 2)
    assert taiping.forecast_uncovered == taiping.villages - 2
    assert board.area.forecast_uncovered == board.area.uncovered + 1
    assert board.area.forecast_percent < board.area.percent

    bureau = staff_user("jiangzhou_bureau", COUNTY_BUREAU, scope=JIANGZHOU)
    client = Client()
    client.force_login(bureau)
    page = client.get(f"/admin/coverage/?area={JIANGZHOU}").content.decode()
    assert "覆盖率预测" in page and f"{taiping.forecast_uncovered}（{taiping.forecast_percent}%）" in page
    exported = client.get(f"/admin/coverage/export.json?area={JIANGZHOU}").json()
    row = next(r for r in exported["rows"] if r["code"] == TAIPING)
    assert (row["forecast_uncovered"], row["forecast_percent"]) == (
        taiping.forecast_uncovered,
        taiping.forecast_percent,
    )

    # The renewal completes: the village is off the forecast.
    committee = committee_user("buzhai_committee", BUZHAI)
    renewal = services.start_for(ending)
    engine.execute(committee, open_task(renewal, RenewalFlow.committee).pk, agrees=True, reasons="同意。")
    start = ending.end_date + dt.timedelta(days=1)
    engine.execute(
        bureau,
        open_task(renewal, RenewalFlow.decide).pk,
        decision="renew",
        start_date=start,
        end_date=start + dt.timedelta(days=364),
        annual_fee=Decimal("3000"),
    )
    after = dashboard.build(JIANGZHOU, today=today)
    taiping = next(child for row in after.rows for child in row.children if child.code == TAIPING)
    assert (taiping.ending, taiping.forecast_covered) == (0, 3)
