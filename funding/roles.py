"""Who may do what with the programme's money (where: the account's scope).

| role | funding |
| --- | --- |
| 县(市、区)司法局 | enter its county's budget and withholding rule; record payments; the funding page and export |
| 市司法局 | see its counties' funding and payments |
"""

from __future__ import annotations

VIEW = ["funding.view_payment", "funding.view_countybudget", "funding.view_countyfundingrule"]
MANAGE = [
    "funding.add_payment",
    "funding.change_payment",
    "funding.add_countybudget",
    "funding.change_countybudget",
    "funding.add_countyfundingrule",
    "funding.change_countyfundingrule",
]


def grant_permissions() -> None:
    from backoffice import roles

    roles.grant(roles.COUNTY_BUREAU, *VIEW, *MANAGE)
    roles.grant(roles.CITY_BUREAU, *VIEW)


def register_scope() -> None:
    from backoffice import scope

    from .models import CountyBudget, CountyFundingRule, Payment

    scope.register(Payment, field="contract__village")
    scope.register(CountyBudget, field="county")
    scope.register(CountyFundingRule, field="county")
