"""The home page's search hint names a village of the site's own area, spelled right in pinyin."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from advisers.protection import deleting_history
from directory.home import search_example
from tests.conftest import BUZHAI
from tests.factories import AdviserFactory
from tests.search.conftest import rebuild_indexes

CHENGXI = "451402002001"  # 城西社区居委会
CHAOYANG = "630105001001"  # 朝阳社区居民委员会: 朝 reads zhāo or cháo
SHANCHUAN = "630105001002"  # 山川社区居民委员会


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def covered(divisions, make_contract):
    for code in (BUZHAI, CHENGXI, CHAOYANG, SHANCHUAN):
        make_contract(AdviserFactory(), code)


def test_each_area_gets_a_covered_village_of_its_own(covered):
    # 卜寨 (卜: bǔ or bo) and 朝阳 (朝: zhāo or cháo) come first by code but have two readings.
    assert search_example(["4514"]) == {"name": "城西", "pinyin": "chengxi"}
    assert search_example(["630105"]) == {"name": "山川", "pinyin": "shanchuan"}


def test_the_example_finds_its_village_in_the_search_it_is_typed_into(covered, client):
    rebuild_indexes()  # the database fallback (tests run without ELASTICSEARCH_URL unless told)
    for areas, code in ((["4514"], CHENGXI), (["630105"], SHANCHUAN)):
        example = search_example(areas)
        for query in (example["name"], example["pinyin"]):
            hits = client.get("/search/", {"q": query, "format": "json"}).json()["results"]
            assert hits and hits[0]["id"] == code, (query, hits[:2])


def test_no_covered_village_means_no_example(divisions):
    assert search_example(["4514"]) is None


def test_the_home_page_shows_the_example_or_a_plain_hint(client, covered):
    page = client.get("/").content.decode()
    assert "如“城西”或“chengxi”" in page  # the default site serves the whole country here

    cache.clear()
    from advisers.models import ServiceContract

    with deleting_history():  # a fresh installation: no contract at all
        ServiceContract.objects.all().delete()
    page = client.get("/").content.decode()
    assert "输入村(社区)名称、顾问姓名或拼音" in page
    assert "如“" not in page
