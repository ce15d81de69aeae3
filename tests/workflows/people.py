"""Accounts of the workflow tests: the issue's demo roles, built the way the back office builds them.

Each account gets its role group and its place scope exactly as `backoffice` defines them, so the
tests exercise the real permission and scope checks (nothing here bypasses them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tests.conftest import BUZHAI, JIANGZHOU
from tests.factories import AdviserFactory, LiaisonFactory

FUSUI = "451421"  # 扶绥县, another county of 崇左
PASSWORD = "correct-horse-battery-staple"  # noqa: S105 -- test accounts only


def ensure_groups() -> None:
    """Role groups as post_migrate creates them (a transactional test flushes them)."""
    from backoffice.roles import ensure_roles
    from workflows.roles import ensure_head_role

    ensure_roles()
    ensure_head_role()


def staff_user(username: str, *roles: str, scope: str | None = None, email: str = ""):
    from backoffice.models import StaffProfile

    user = get_user_model().objects.create_user(username=username, password=PASSWORD, email=email)
    user.groups.add(*Group.objects.filter(name__in=roles))
    if scope:
        StaffProfile.objects.create(user=user, scope_id=scope)
    return user


def adviser_user(username: str, adviser):
    from backoffice.roles import ADVISER

    user = staff_user(username, ADVISER)
    adviser.user = user
    adviser.save(update_fields=["user"])
    return user


def committee_user(username: str, village: str):
    from backoffice.roles import VILLAGE_COMMITTEE

    user = staff_user(username, VILLAGE_COMMITTEE)
    LiaisonFactory(village_id=village, user=user)
    return user


@dataclass
class People:
    adviser: object
    adviser_user: object
    bureau: object
    bureau_colleague: object
    head: object
    committee: object
    other_bureau: object
    other_adviser_user: object
    other_committee: object


def make_people(make_contract, today: dt.date) -> People:
    from backoffice.roles import COUNTY_BUREAU
    from workflows.engine import BUREAU_HEAD

    ensure_groups()
    adviser = AdviserFactory(name="韦卜寨")
    make_contract(adviser, BUZHAI, start_date=today - dt.timedelta(days=200))
    other = AdviserFactory(name="黄扶绥")
    fusui_village = "451421100001"
    make_contract(other, fusui_village, start_date=today - dt.timedelta(days=200))
    return People(
        adviser=adviser,
        adviser_user=adviser_user("buzhai_adviser", adviser),
        bureau=staff_user("jiangzhou_bureau", COUNTY_BUREAU, scope=JIANGZHOU),
        bureau_colleague=staff_user("jiangzhou_bureau2", COUNTY_BUREAU, scope=JIANGZHOU),
        head=staff_user(
            "jiangzhou_head", COUNTY_BUREAU, BUREAU_HEAD, scope=JIANGZHOU, email="head@example.invalid"
        ),
        committee=committee_user("buzhai_committee", BUZHAI),
        other_bureau=staff_user("fusui_bureau", COUNTY_BUREAU, scope=FUSUI),
        other_adviser_user=adviser_user("fusui_adviser", other),
        other_committee=committee_user("gongyi_committee", "451402001202"),
    )


def filing_data(today: dt.date, **overrides) -> dict[str, str]:
    """A valid waiver: drafting a maintenance claim for free for a villager in hardship."""
    data = {
        "village": BUZHAI,
        "client_type": "villager",
        "client_name": "农大娘",
        "service_type": "documents",
        "service_date": (today - dt.timedelta(days=1)).isoformat(),
        "hours": "2",
        "description": "代写赡养纠纷起诉状。",
        "basis": "waived",
        "standard_fee": "800",
        "fee_charged": "0",
        "reduction_reason": "hardship",
        "reduction_detail": "低保户",
    }
    data.update(overrides)
    return data


MONEY = Decimal("0.01")
