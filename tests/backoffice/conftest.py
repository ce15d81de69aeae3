"""Fixtures for the back-office tests: staff accounts per role and a small world of records.

The world has the same records (firm, adviser, contract, liaison officer, service room,
recusal) in four villages: 卜寨 (江州区太平街道), 城西 (江州区, another township), 明祥 (宁明县, same
city) and 朝阳 (西宁市城北区, another province), so that every role has records inside and outside
its scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from advisers.models import CountyBureau, Recusal
from backoffice import roles
from backoffice.models import StaffProfile
from tests.conftest import BUZHAI
from tests.factories import AdviserFactory, FirmFactory, LiaisonFactory, RoomFactory

CHENGXI = "451402002001"  # 江州区江南街道城西社区: same county, another township
MINGXIANG = "451422100001"  # 宁明县城中镇明祥社区: same city, another county
CHAOYANG = "630105001001"  # 西宁市城北区: another province
TAGS = {BUZHAI: "卜寨", CHENGXI: "城西", MINGXIANG: "明祥", CHAOYANG: "朝阳"}
VILLAGE_NAMES = {
    BUZHAI: "卜寨村委会",
    CHENGXI: "城西社区居委会",
    MINGXIANG: "明祥社区居委会",
    CHAOYANG: "朝阳社区居民委员会",
}
PASSWORD = "Str0ng&Secret-pass"  # noqa: S105 -- test accounts only


@dataclass
class World:
    firms: dict = field(default_factory=dict)
    advisers: dict = field(default_factory=dict)
    contracts: dict = field(default_factory=dict)
    liaisons: dict = field(default_factory=dict)
    rooms: dict = field(default_factory=dict)
    recusals: dict = field(default_factory=dict)
    bureaus: dict = field(default_factory=dict)


@pytest.fixture
def world(divisions, make_contract) -> World:
    w = World()
    for code, tag in TAGS.items():
        firm = FirmFactory(name=f"机构-{tag}", county_id=code[:6])
        adviser = AdviserFactory(name=f"顾问-{tag}", firm=firm)
        w.firms[code] = firm
        w.advisers[code] = adviser
        w.contracts[code] = make_contract(adviser, code)
        w.liaisons[code] = LiaisonFactory(village_id=code, name=f"联络员-{tag}")
        w.rooms[code] = RoomFactory(village_id=code, name=f"服务室-{tag}")
        w.recusals[code] = Recusal.objects.create(adviser=adviser, village_id=code, matter=f"事项-{tag}")
    for county, tag in (("451402", "江州"), ("451422", "宁明"), ("630105", "城北")):
        w.bureaus[county] = CountyBureau.objects.create(county_id=county, name=f"司法局-{tag}")
    return w


def make_staff(username: str, role: str | None, scope: str | None = None, **extra):
    roles.ensure_roles()
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if scope:
        StaffProfile.objects.create(user=user, scope_id=scope)
    return user


@pytest.fixture
def staff(db):
    return make_staff


@pytest.fixture
def accounts(world):
    """One account per role, scoped as the demo accounts are."""
    adviser_user = make_staff("buzhai_adviser", roles.ADVISER)
    world.advisers[BUZHAI].user = adviser_user
    world.advisers[BUZHAI].save()
    committee = make_staff("buzhai_committee", roles.VILLAGE_COMMITTEE, BUZHAI)
    world.liaisons[BUZHAI].user = committee
    world.liaisons[BUZHAI].save()
    return {
        "city": make_staff("city_bureau", roles.CITY_BUREAU, "4514"),
        "county": make_staff("jiangzhou_bureau", roles.COUNTY_BUREAU, "451402"),
        "township": make_staff("taiping_office", roles.TOWNSHIP_OFFICE, "451402001"),
        "committee": committee,
        "adviser": adviser_user,
        "editor": make_staff("editor", roles.CONTENT_EDITOR),
    }
