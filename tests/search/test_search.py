"""The issue's cases, each run against the database fallback and against a real Elasticsearch."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from sites.models import JurisdictionSettings
from tests.conftest import BUZHAI, JIANGZHOU

from .conftest import CHENGBEI_VILLAGE


def search(client, q: str, **params) -> dict:
    response = client.get("/search/", {"q": q, "format": "json", **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()


def titles(data: dict, kind: str | None = None) -> list[str]:
    return [r["title"] for r in data["results"] if kind is None or r["type"] == kind]


def facet(data: dict, name: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in data["facets"][name]}


def test_backend_in_use_is_the_one_under_test(client, searchable, backend):
    data = search(client, "卜寨")
    assert data["backend"] == backend and data["degraded"] is False


def test_partial_chinese_word_finds_article(client, searchable):
    """劳动 finds the article whose title contains 劳动合同, highlighted."""
    data = search(client, "劳动")
    assert "签订劳动合同要注意什么" in titles(data, "article")
    article = next(r for r in data["results"] if r["title"] == "签订劳动合同要注意什么")
    assert article["title_html"] == "签订<mark>劳动</mark>合同要注意什么"
    assert article["url"].endswith("/articles/labour-contract/")
    # A title match ranks above a match in an adviser's specialties.
    assert data["results"][0]["type"] in ("article", "lecture")
    # ... and not the article about bride prices.
    assert "彩礼返还怎么算" not in titles(data)


@pytest.mark.parametrize("query", ["卜寨", "buzhai", "bz", "BuZhai", "bu zhai", "ｂｕｚｈａｉ"])
def test_chinese_pinyin_and_initials_find_village_and_its_adviser(client, searchable, query):
    data = search(client, query)
    assert data["results"][0]["title"] == "卜寨村委会", titles(data)
    village = data["results"][0]
    assert village["type"] == "village" and village["url"] == f"/directory/{BUZHAI}/"
    assert village["data"]["adviser"]["name"] == "韦明"
    assert "江州区太平街道" in village["data"]["where"]
    assert "韦明" in titles(data, "adviser")
    assert village["title_html"].startswith("<mark>卜寨</mark>")


def test_exact_village_name_ranks_first(client, searchable):
    data = search(client, "卜寨村委会")
    assert data["results"][0]["title"] == "卜寨村委会"
    assert data["results"][0]["title_html"] == "<mark>卜寨村委会</mark>"


def test_adviser_name_finds_the_adviser(client, searchable):
    for query in ("韦明", "weiming", "wm"):
        data = search(client, query)
        assert data["results"][0]["type"] == "adviser" and data["results"][0]["title"] == "韦明", query
        adviser = data["results"][0]
        assert adviser["data"]["firm"] == "广西江州律师事务所"
        assert [v["name"] for v in adviser["data"]["villages"]] == ["卜寨村委会"]
        # The village he serves is found too, after him.
        assert "卜寨村委会" in titles(data, "village")


def test_lecture_found_by_topic_and_speaker(client, searchable):
    data = search(client, "讨薪")
    assert titles(data, "lecture") == ["农民工讨薪与劳动仲裁"]
    lecture = data["results"][0]
    assert lecture["data"]["speaker"] == "韦明" and "卜寨村委会" in lecture["data"]["where"]
    assert "农民工讨薪与劳动仲裁" in titles(search(client, "韦明"), "lecture")


def test_facet_counts_are_right(client, searchable):
    data = search(client, "劳动")
    # 劳动 is in: the article's title and tags, the lecture's topic, 韦明's specialty.
    assert facet(data, "kind") == {"article": 1, "lecture": 1, "adviser": 1}
    assert data["total"] == 3
    assert facet(data, "category") == {"劳动争议": 2, "律师": 1}
    assert facet(data, "county") == {JIANGZHOU: 2}  # the article has no place
    labels = {v["value"]: v["label"] for v in data["facets"]["county"]}
    assert labels[JIANGZHOU] == "崇左市江州区"

    # Choosing a type narrows the results; the type facet still counts the other types.
    narrowed = search(client, "劳动", type="article")
    assert titles(narrowed) == ["签订劳动合同要注意什么"] and narrowed["total"] == 1
    assert facet(narrowed, "kind") == {"article": 1, "lecture": 1, "adviser": 1}
    assert facet(narrowed, "category") == {"劳动争议": 1}
    assert [v["value"] for v in narrowed["facets"]["kind"] if v["selected"]] == ["article"]

    by_county = search(client, "劳动", county=JIANGZHOU)
    assert by_county["total"] == 2 and set(titles(by_county)) == {"韦明", "农民工讨薪与劳动仲裁"}


def test_whole_country_and_one_county(client, searchable):
    # The default site serves the whole country: a 城北区 community is found...
    assert "朝阳社区居民委员会" in titles(search(client, "朝阳"), "village")
    assert "马青" in titles(search(client, "马青"), "adviser")
    # ... and a site for 崇左 (4514) does not list it, nor its adviser.
    site = Site.objects.get(is_default_site=True)
    JurisdictionSettings.objects.update_or_create(site=site, defaults={"area_codes": "4514"})
    assert "朝阳社区居民委员会" not in titles(search(client, "朝阳"))
    assert search(client, "马青")["total"] == 0
    assert titles(search(client, "buzhai"))[0] == "卜寨村委会"
    # Articles without a place are the site's own and still found.
    assert "签订劳动合同要注意什么" in titles(search(client, "劳动合同"))


def test_division_code_finds_villages(client, searchable):
    data = search(client, BUZHAI)
    assert data["results"][0]["title"] == "卜寨村委会"
    assert titles(search(client, CHENGBEI_VILLAGE), "village") == ["朝阳社区居民委员会"]


def test_pagination(client, searchable):
    first = search(client, "村委会")
    assert first["total"] > 10 and first["pages"] >= 2 and len(first["results"]) == 10
    second = search(client, "村委会", page=2)
    assert second["page"] == 2
    assert not set(r["id"] for r in first["results"]) & set(r["id"] for r in second["results"])


def test_html_page_renders_results_facets_and_highlights(client, searchable):
    response = client.get("/search/", {"q": "卜寨"})
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert f'href="/directory/{BUZHAI}/"' in html and "<mark>卜寨</mark>村委会" in html
    assert 'href="tel:13807711234"' in html  # 韦明 consented to publish his mobile
    assert '法律顾问 <span class="count">(1)</span>' in html
    assert 'id="results"' in html


def test_json_by_accept_header(client, searchable):
    response = client.get("/search/", {"q": "卜寨"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json()["results"][0]["title"] == "卜寨村委会"
    assert "Accept" in response["Vary"]


def test_no_personal_mobile_without_consent(client, searchable):
    data = search(client, "黄丽")
    adviser = next(r for r in data["results"] if r["type"] == "adviser")
    assert adviser["data"]["phone"] == "0771-7830001"  # the firm's office phone
    assert "13900001111" not in client.get("/search/", {"q": "黄丽", "format": "json"}).content.decode()
    assert "13900001111" not in client.get("/search/", {"q": "黄丽"}).content.decode()


def test_autocomplete(client, searchable):
    response = client.get("/search/suggest", {"q": "bz"})
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert suggestions[0]["title"] == "卜寨村委会" and suggestions[0]["url"] == f"/directory/{BUZHAI}/"
    assert suggestions[0]["title_html"] == "<mark>卜寨</mark>村委会"
    assert len(suggestions) <= 8
    assert client.get("/search/suggest", {"q": ""}).json()["suggestions"] == []


ODD_QUERIES = [
    '"卜寨"',
    "卜寨 AND 1=1",
    "卜寨 OR NOT 韦明",
    '卜寨" OR "1"="1',
    "+卜寨 -韦明 ~ * ? ^ : \\ / ( ) [ ] { }",
    "卜寨\x00\x07\x1b[31m",
    "\u200b\u202e卜寨",
    "卜" * 5000,
    "a" * 5000,
    "%_%",
    "' ; DROP TABLE portal_search_searchentry; --",
    "   ",
    "😀🏠",
    "title:卜寨 AND kind:village",
]


def test_odd_queries_answer_200_or_400_never_500(client, searchable):
    for query in ODD_QUERIES:
        for params in ({"q": query}, {"q": query, "format": "json"}):
            response = client.get("/search/", params)
            assert response.status_code in (200, 400), (query[:20], response.status_code)
            if response.status_code == 400:
                assert len(query.strip()) > 100, query  # only an over-long query is refused
                body = response.content.decode()
                assert "搜索词太长" in (response.json()["error"] if "format" in params else body)
        assert client.get("/search/suggest", {"q": query}).status_code in (200, 400), query[:20]


def test_quotes_and_operators_do_not_change_what_is_found(client, searchable):
    plain = titles(search(client, "卜寨"))
    assert titles(search(client, '"卜寨"')) == plain
    assert titles(search(client, "卜寨 AND 1=1")) == plain
    assert titles(search(client, "卜寨\x00\x07")) == plain


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"page": "abc"},
        {"page": "51"},
        {"type": "secret"},
        {"county": "45"},
        {"county": "abcdef"},
    ],
)
def test_bad_parameters_are_400_with_a_message(client, searchable, params):
    response = client.get("/search/", {"q": "卜寨", **params})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    data = client.get("/search/", {"q": "卜寨", "format": "json", **params})
    assert data.status_code == 400 and data.json()["error"]


def test_no_results_says_so(client, searchable):
    data = search(client, "不存在的名字")
    assert data["total"] == 0 and data["results"] == []
    html = client.get("/search/", {"q": "不存在的名字"}).content.decode()
    assert "没有找到名称或内容包含这些字的" in html


def test_home_page_search_box_submits_to_search(client, divisions):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html and 'data-suggest-url="/search/suggest"' in html
    assert 'role="combobox"' in html and "portal/search.js" in html
