"""Demo renewals and payments, through the real flow and rules (no rows written around them).

- The flow's daily sweep runs once (as `manage.py workflow_timers` would): every demo contract
  ending within 60 days gets its renewal, waiting for the village committee (besides those the
  2025 assessment's "continue"/"reward" started, `demo/assessment.py`).
- 江州区: the committees of some villages agree, so those renewals wait for the bureau's decision;
  one village's committee disagrees, the bureau does not renew and allocates another adviser of
  the county (司法局调配) from the day after the old contract ends.
- Payments of the current year for part of 江州区's contracts whose committee opinion is on
  record, and the county's budget for the year.

Committees without a demo account are acted for by `admin`; the bureau is `jiangzhou_bureau`.
Idempotent: nothing is done when demo payments exist.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from advisers.models import Adviser, ServiceContract
from funding import rules as funding_rules
from funding.models import CountyBudget, Payment
from places import codes
from places.models import Division
from workflows import engine
from workflows.renewal.checks import default_fee
from workflows.renewal.flow import RenewalFlow, open_task
from workflows.renewal.models import Renewal

SEED = 12348
JIANGZHOU = "451402"
BUZHAI = "451402001201"
AGREE = ["顾问按时驻点，群众满意，同意续聘。", "顾问服务认真，村“两委”同意续聘。"]


def _reallocate(renewal: Renewal, admin, bureau) -> str:
    """The committee disagrees, the bureau does not renew and allocates another adviser."""
    engine.execute(
        admin,
        open_task(renewal, RenewalFlow.committee).pk,
        agrees=False,
        reasons="顾问驻点时间不足，群众反映联系不上，不同意续聘。（演示）",
    )
    engine.execute(
        bureau,
        open_task(renewal, RenewalFlow.decide).pk,
        decision=Renewal.Decision.NOT_RENEW,
        reasons="村(居)委会不同意续聘，驻点时间不足。（演示）",
    )
    old = renewal.contract
    start = old.end_date + dt.timedelta(days=1)
    end = start.replace(year=start.year + 2) - dt.timedelta(days=1)
    candidate = (
        Adviser.objects.with_room(on=start, county=JIANGZHOU)
        .filter(firm__county_id=JIANGZHOU, is_active=True)
        .exclude(pk=old.adviser_id)
        .order_by("load", "pk")
        .first()
    )
    if candidate is None:
        return "no adviser with room"
    engine.execute(
        bureau,
        open_task(renewal, RenewalFlow.reallocate).pk,
        adviser=candidate,
        selection=ServiceContract.Selection.ALLOCATED,
        start_date=start,
        end_date=end,
        annual_fee=default_fee(old),
        copy_schedule=True,
        note="（演示）",
    )
    return candidate.name


def load_renewal_demo() -> Iterator[str]:
    if Payment.objects.filter(is_demo=True).exists():
        yield "Demo renewals and payments already loaded; nothing to do."
        return
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["admin", "jiangzhou_bureau"])
    }
    if len(users) < 2 or not Division.objects.filter(code=JIANGZHOU).exists():
        yield "Demo accounts or 江州区 missing; skipped the demo renewals."
        return
    admin, bureau = users["admin"], users["jiangzhou_bureau"]
    rng = random.Random(SEED)
    today = timezone.localdate()
    with transaction.atomic():
        swept = RenewalFlow.start_due.run()
        waiting = list(
            Renewal.objects.filter(village__county_code=JIANGZHOU, state=Renewal.State.COMMITTEE)
            .exclude(village_id=BUZHAI)  # 卜寨's renewal is the browser journey's to walk
            .select_related("contract")
            .order_by("contract__end_date", "village_id")
        )
        reallocated = _reallocate(waiting[0], admin, bureau) if waiting else "none"
        agreed = 0
        for renewal in waiting[1 : 1 + max(3, len(waiting) // 2)]:
            engine.execute(
                admin, open_task(renewal, RenewalFlow.committee).pk, agrees=True, reasons=rng.choice(AGREE)
            )
            agreed += 1
        Renewal.objects.filter(village__county_code=JIANGZHOU).update(is_demo=True)

        villages = Division.objects.filter(level=codes.VILLAGE, county_code=JIANGZHOU).count()
        CountyBudget.objects.get_or_create(
            county_id=JIANGZHOU,
            year=today.year,
            defaults={"budget": Decimal(3000 * villages), "note": "（演示）", "is_demo": True},
        )
        heard = Renewal.objects.filter(
            village__county_code=JIANGZHOU, committee_at__year=today.year, committee_agrees__isnull=False
        ).select_related("contract")
        paid = 0
        for number, renewal in enumerate(heard.order_by("village_id"), start=1):
            if number % 3 == 0:  # part of the year's payments are still to be made
                continue
            contract = renewal.contract
            amounts = funding_rules.amounts_for(contract, today.year)
            if amounts.payable <= 0:
                continue
            payment = Payment(
                contract=contract,
                year=today.year,
                amount=amounts.payable,
                paid_on=today - dt.timedelta(days=rng.randint(0, 20)),
                voucher_no=f"JZSF-{today.year}-{number:04d}",
                note="（演示）",
                recorded_by=bureau,
                is_demo=True,
            )
            payment.save()
            paid += 1
    yield (
        f"Renewals: {len(swept)} started by the sweep; 江州区: {agreed} awaiting the bureau, "
        f"1 not renewed and reallocated ({reallocated}); {paid} payments of {today.year} recorded."
    )
