"""The funding page of a county and year: what the policy requires, what was budgeted, paid and owed.

Per township and for the county: villages × the county's fee standard (at least 3,000 yuan a
village a year) against the budget the bureau entered, the region's subsidy (about 2,000 yuan a
village), what the contracts of that year make payable (each contract's fee for the days of the
year it covers, plus rewards, minus the share withheld for 不合格), paid, and outstanding
(崇政办发〔2017〕101号 五(二)). A fixed number of queries whatever the county's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import Substr

from advisers import rules as contract_rules
from advisers.models import ServiceContract
from places import codes
from places.models import Division

from . import assessments, rules
from .models import CountyBudget, Payment, default_regional_subsidy

ZERO = Decimal("0")


@dataclass
class Row:
    code: str
    name: str
    villages: int = 0
    contracts: int = 0
    payable: Decimal = ZERO
    paid: Decimal = ZERO
    reward: Decimal = ZERO
    withheld: Decimal = ZERO
    required: Decimal = ZERO  # villages × standard
    subsidy: Decimal = ZERO

    @property
    def outstanding(self) -> Decimal:
        return max(ZERO, self.payable - self.paid)


@dataclass
class ContractLine:
    contract: ServiceContract
    amounts: rules.Amounts
    paid: Decimal
    payment: Payment | None
    opinion: bool

    @property
    def outstanding(self) -> Decimal:
        return max(ZERO, self.amounts.payable - self.paid)


@dataclass
class FundingPage:
    county: Division
    year: int
    fee_standard: Decimal
    budget: CountyBudget | None
    subsidy_per_village: Decimal
    total: Row
    townships: list[Row] = field(default_factory=list)
    lines: list[ContractLine] = field(default_factory=list)

    @property
    def budget_amount(self) -> Decimal | None:
        return self.budget.budget if self.budget else None

    @property
    def budget_gap(self) -> Decimal | None:
        """How far the budget falls short of villages × standard (None: no budget entered)."""
        if self.budget is None:
            return None
        return max(ZERO, self.total.required - self.budget.budget)


def contracts_of_year(county_code: str, year: int):
    """The county's contracts in force on some day of `year` (a terminated one up to its end)."""
    first, last = rules.year_bounds(year)
    return (
        ServiceContract.objects.active_during(first, last)
        .filter(village__county_code=county_code)
        .select_related("village", "adviser__firm")
        .order_by("village_id", "start_date")
    )


def build(county: Division, year: int) -> FundingPage:
    _cap, fee_standard = contract_rules.county_settings(county)
    budget = CountyBudget.objects.filter(county=county, year=year).first()
    subsidy = budget.regional_subsidy_per_village if budget else default_regional_subsidy()

    villages = dict(
        Division.objects.filter(level=codes.VILLAGE, county_code=county.code)
        .annotate(township=Substr("code", 1, 9))
        .values("township")
        .annotate(n=Count("code"))
        .values_list("township", "n")
    )
    names = dict(Division.objects.filter(code__in=villages.keys()).values_list("code", "name"))
    contracts = list(contracts_of_year(county.code, year))
    ids = [c.pk for c in contracts]
    results = assessments.results_for_year(year, ids)
    opinions = assessments.contracts_with_committee_opinion(year, ids)
    percent = rules.withheld_percent(county.code)
    payments = {p.contract_id: p for p in Payment.objects.filter(contract_id__in=ids, year=year)}

    rows: dict[str, Row] = {}
    for code in sorted(villages):
        rows[code] = Row(code=code, name=names.get(code, code), villages=villages[code])
    lines = []
    for contract in contracts:
        amounts = rules.compute_amounts(contract, year, results.get(contract.pk), percent)
        payment = payments.get(contract.pk)
        paid = payment.amount if payment else ZERO
        lines.append(ContractLine(contract, amounts, paid, payment, contract.pk in opinions))
        row = rows.setdefault(
            contract.village_id[:9], Row(code=contract.village_id[:9], name=contract.village_id[:9])
        )
        row.contracts += 1
        row.payable += amounts.payable
        row.reward += amounts.reward
        row.withheld += amounts.withheld
        row.paid += paid

    total = Row(code=county.code, name=county.name)
    for row in rows.values():
        row.required = fee_standard * row.villages
        row.subsidy = subsidy * row.villages
        for name in ("villages", "contracts", "payable", "paid", "reward", "withheld", "required", "subsidy"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return FundingPage(
        county=county,
        year=year,
        fee_standard=fee_standard,
        budget=budget,
        subsidy_per_village=subsidy,
        total=total,
        townships=list(rows.values()),
        lines=lines,
    )
