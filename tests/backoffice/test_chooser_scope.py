"""Every chooser endpoint goes through the scope: choose, results, chosen and chosen-multiple.

ISSUE11: `/admin/choose/adviser/chosen-multiple/?id=…` and `/admin/choose/village/chosen-multiple/`
returned records of any county to any admin account (`editor` and `buzhai_committee` included).
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.conftest import BUZHAI

from .conftest import CHAOYANG, CHENGXI, MINGXIANG

CHOOSERS = ("village_chooser", "adviser_chooser", "lecture_place_chooser")


def chosen_titles(client, chooser: str, ids) -> list[str]:
    response = client.get(reverse(f"{chooser}:chosen_multiple"), {"id": [str(i) for i in ids]})
    assert response.status_code == 200
    return sorted(item["title"] for item in json.loads(response.content)["result"])


def adviser_ids(world) -> list[int]:
    return [world.advisers[code].pk for code in (BUZHAI, CHENGXI, MINGXIANG, CHAOYANG)]


VILLAGES = [BUZHAI, CHENGXI, MINGXIANG, CHAOYANG]


@pytest.mark.parametrize(
    ("role", "villages", "advisers"),
    [
        ("county", {"卜寨村委会", "城西社区居委会"}, {"顾问-卜寨", "顾问-城西"}),
        ("township", {"卜寨村委会"}, {"顾问-卜寨"}),
        ("committee", {"卜寨村委会"}, {"顾问-卜寨"}),
        ("editor", set(), set()),
        ("city", {"卜寨村委会", "城西社区居委会", "明祥社区居委会"}, {"顾问-卜寨", "顾问-城西", "顾问-明祥"}),
    ],
)
def test_chosen_multiple_returns_only_records_in_scope(client, world, accounts, role, villages, advisers):
    client.force_login(accounts[role])
    got_villages = {t.split("（")[0] for t in chosen_titles(client, "village_chooser", VILLAGES)}
    assert got_villages == villages
    got_advisers = {t.split("（")[0] for t in chosen_titles(client, "adviser_chooser", adviser_ids(world))}
    assert got_advisers == advisers
    places = {t.split("（")[0] for t in chosen_titles(client, "lecture_place_chooser", VILLAGES)}
    assert places == villages


def test_chosen_multiple_over_a_range_of_ids_leaks_nothing(client, world, accounts):
    """The report's probe: ids 1–299 listed every adviser of both jurisdictions."""
    client.force_login(accounts["editor"])
    assert chosen_titles(client, "adviser_chooser", range(1, 300)) == []
    client.force_login(accounts["committee"])
    assert chosen_titles(client, "adviser_chooser", range(1, 300)) == [
        f"顾问-卜寨（{world.advisers[BUZHAI].licence_no}）"
    ]


def test_village_chooser_offers_villages_only(client, world, accounts):
    """A county or township code is not a village: the village chooser's endpoints refuse it."""
    client.force_login(accounts["county"])
    assert client.get(reverse("village_chooser:chosen", args=["451402"])).status_code == 404
    assert chosen_titles(client, "village_chooser", ["451402", "451402001"]) == []
    # The lecture-place chooser takes townships too, within scope.
    assert chosen_titles(client, "lecture_place_chooser", ["451402001", "451422100"]) == [
        "太平街道（451402001）"
    ]


@pytest.mark.parametrize("chooser", CHOOSERS)
def test_junk_ids_are_not_a_server_error(client, world, accounts, chooser):
    client.force_login(accounts["county"])
    assert chosen_titles(client, chooser, ["abc", "", "1' or '1'='1", "9" * 40]) == []
    assert client.get(reverse(f"{chooser}:chosen", args=["abc"])).status_code == 404


def test_chosen_and_results_agree_with_the_listing(client, world, accounts):
    """What `chosen` accepts is what the modal lists: out of scope is a 404, as if absent."""
    client.force_login(accounts["committee"])
    assert client.get(reverse("village_chooser:chosen", args=[BUZHAI])).status_code == 200
    assert client.get(reverse("village_chooser:chosen", args=[CHENGXI])).status_code == 404
    assert client.get(reverse("adviser_chooser:chosen", args=[world.advisers[CHENGXI].pk])).status_code == 404
    page = client.get(reverse("adviser_chooser:choose_results"), {"q": "顾问"}).content.decode()
    assert "顾问-卜寨" in page and "顾问-城西" not in page


def test_adviser_chooser_shows_the_county_cap(client, world, accounts, make_contract):
    """The load column reads the county's cap (the bureau's setting), not a flat 5."""
    from advisers.models import CountyBureau

    CountyBureau.objects.filter(county_id="451402").update(adviser_cap=1)
    client.force_login(accounts["county"])
    page = client.get(reverse("adviser_chooser:choose_results"), {"q": "顾问-卜寨"}).content.decode()
    assert "1 / 1" in page and "已满额" in page
    available = client.get(reverse("adviser_chooser:choose_results"), {"q": "顾问", "available": "1"})
    assert "顾问-卜寨" not in available.content.decode()
