"""The rules of paying a firm, in one place for the admin form, the demo and code.

- the fee owed for a year is the contract's annual fee for the days of that year it was in force
  (a terminated contract: up to its termination date);
- a payment is recorded only once the village committee's opinion for that year is on record
  ("充分征求村(居委会)意见后，将资金支付给提供服务的律师事务所", 崇政办发〔2017〕101号 五(二));
- the assessment adjusts it: plus the 以案定补 reward (三(二)), minus the county's share for
  不合格 (`CountyFundingRule`);
- one payment per contract and year, no more than is payable, not dated in the future, and a
  voucher number used once in a county.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from advisers.models import ServiceContract

from . import assessments
from .models import DEFAULT_WITHHELD_PERCENT, CountyFundingRule, Payment

CENT = Decimal("0.01")


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def covered_days(contract: ServiceContract, year: int) -> int:
    """Days of `year` the contract was in force (up to its termination date, when terminated)."""
    first, last = year_bounds(year)
    start, end = max(contract.start_date, first), min(contract.last_day, last)
    return max(0, (end - start).days + 1)


def fee_for_year(contract: ServiceContract, year: int) -> Decimal:
    """The annual fee for the days of `year` the contract covers (a whole year: the whole fee)."""
    first, last = year_bounds(year)
    days = covered_days(contract, year)
    total = (last - first).days + 1
    return (contract.annual_fee * Decimal(days) / Decimal(total)).quantize(CENT, rounding=ROUND_HALF_UP)


def withheld_percent(county_code: str) -> Decimal:
    rule = CountyFundingRule.objects.filter(county_id=county_code[:6]).values_list(
        "withheld_percent_failed", flat=True
    )
    found = rule.first()
    return DEFAULT_WITHHELD_PERCENT if found is None else found


@dataclass(frozen=True)
class Amounts:
    standard: Decimal
    reward: Decimal
    withheld: Decimal
    grade: str = ""

    @property
    def payable(self) -> Decimal:
        return self.standard - self.withheld + self.reward


def amounts_for(contract: ServiceContract, year: int) -> Amounts:
    """What is payable for `contract` in `year`, with the assessment's adjustments."""
    result = assessments.result_for(contract, year)
    percent = withheld_percent(contract.village_id) if result is not None and result.failed else Decimal("0")
    return compute_amounts(contract, year, result, percent)


def compute_amounts(contract: ServiceContract, year: int, result, percent: Decimal) -> Amounts:
    """The same with the assessment's result and the county's share given (no query)."""
    standard = fee_for_year(contract, year)
    reward = withheld = Decimal("0")
    if result is not None:
        reward = Decimal(result.reward or 0).quantize(CENT)
        if result.failed:
            withheld = (standard * percent / Decimal("100")).quantize(CENT, rounding=ROUND_HALF_UP)
    return Amounts(standard, reward, withheld, result.grade if result else "")


def check_payment(payment: Payment) -> None:
    """Raise ValidationError (field → Chinese message) when the payment breaks a rule."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    contract = payment.contract if payment.contract_id else None
    year = payment.year
    if contract is None or not year:
        return
    if contract.status == ServiceContract.Status.DRAFT:
        add("contract", _("合同尚未生效，不能支付服务费。"))
    if covered_days(contract, year) == 0:
        add("year", _("该合同在 %(year)d 年没有服务期。") % {"year": year})
    elif not assessments.committee_opinion_on_record(contract, year):
        add(
            "contract",
            _("%(year)d 年度尚未记录村(居)委会对该顾问的意见，须充分征求村(居)委会意见后才能支付。")
            % {"year": year},
        )
    duplicate = Payment.objects.filter(contract_id=contract.pk, year=year)
    if payment.pk:
        duplicate = duplicate.exclude(pk=payment.pk)
    if duplicate.exists():
        add("year", _("该合同 %(year)d 年度的服务费已登记支付。") % {"year": year})
    if payment.paid_on:
        if payment.paid_on > timezone.localdate():
            add("paid_on", _("支付日期不能是将来的日期。"))
        elif payment.paid_on.year < year:
            add("paid_on", _("支付日期不能早于所属年度。"))
    voucher = (payment.voucher_no or "").strip()
    payment.voucher_no = voucher
    if voucher:
        county = contract.village_id[:6]
        same = Payment.objects.filter(voucher_no=voucher, contract__village__county_code=county)
        if payment.pk:
            same = same.exclude(pk=payment.pk)
        if same.exists():
            add("voucher_no", _("凭证号 %(no)s 已在本县使用。") % {"no": voucher})
    if "year" not in errors and payment.amount is not None:
        amounts = amounts_for(contract, year)
        if payment.amount > amounts.payable:
            add(
                "amount",
                _(
                    "支付金额超过应付金额 %(payable)s 元（服务费 %(standard)s，扣减 %(withheld)s，奖励 %(reward)s）。"
                )
                % {
                    "payable": amounts.payable,
                    "standard": amounts.standard,
                    "withheld": amounts.withheld,
                    "reward": amounts.reward,
                },
            )
    if errors:
        raise ValidationError(errors)


def save_payment(payment: Payment, do_save: Callable[[], None]) -> None:
    """Check and save atomically, keeping the amounts the rules computed on the record."""
    with transaction.atomic():
        check_payment(payment)
        amounts = amounts_for(payment.contract, payment.year)
        payment.standard, payment.reward, payment.withheld = (
            amounts.standard,
            amounts.reward,
            amounts.withheld,
        )
        do_save()
