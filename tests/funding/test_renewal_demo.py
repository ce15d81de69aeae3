"""The demo renewals and payments: pending renewals, one refused and reallocated, part of this
year's payments, all through the flow and the rules; loading twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from demo import renewal as demo_renewal
from funding.models import CountyBudget, Payment
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING, village_codes
from tests.factories import AdviserFactory
from tests.workflows.people import ensure_groups, staff_user
from workflows.renewal.models import Renewal


def test_demo_renewals_and_payments(divisions, make_contract, today):
    from backoffice.roles import COUNTY_BUREAU

    ensure_groups()
    villages = [c for c in village_codes(TAIPING, 8) if c != BUZHAI][:6]
    ending = AdviserFactory(firm__county_id=JIANGZHOU)
    for code in villages[:5]:
        make_contract(
            ending, code, start_date=today - dt.timedelta(days=330), end_date=today + dt.timedelta(days=20)
        )
    spare = AdviserFactory(name="覃备选", firm__county_id=JIANGZHOU)
    make_contract(spare, villages[5], end_date=today + dt.timedelta(days=300))
    staff_user("jiangzhou_bureau", COUNTY_BUREAU, scope=JIANGZHOU)
    get_user_model().objects.create_superuser("admin", password="x")  # noqa: S106 -- test account

    messages = list(demo_renewal.load_renewal_demo())
    assert any("started by the sweep" in m for m in messages), messages
    renewals = Renewal.objects.filter(village__county_code=JIANGZHOU)
    assert renewals.count() == 5 and all(r.is_demo for r in renewals)
    reallocated = renewals.get(state=Renewal.State.REALLOCATED)
    assert reallocated.successor.adviser == spare and reallocated.committee_agrees is False
    assert renewals.filter(state=Renewal.State.DECISION).count() == 3
    assert renewals.filter(state=Renewal.State.COMMITTEE).count() == 1
    payments = Payment.objects.filter(is_demo=True)
    # Four committee opinions this year (one disagreeing), every third left unpaid.
    assert payments.count() == 3 and all(p.year == today.year for p in payments)
    assert CountyBudget.objects.filter(county_id=JIANGZHOU, year=today.year).exists()

    assert any("already" in m for m in demo_renewal.load_renewal_demo())
    assert Payment.objects.count() == 3
