"""Cached fragments (pagecache/fragments.py): the same page in fewer queries, and every change seen.

Requests here bypass the whole-page cache (the load benchmark's header, or a logged-in user), so
what is measured is a page rendered again with its shared parts taken from the fragment cache.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import BUZHAI, TAIPING
from tests.content_helpers import default_home, make_article, make_image, make_lecture
from tests.factories import AdviserFactory, LiaisonFactory

pytestmark = pytest.mark.usefixtures("pagecache_on")

BYPASS = {"HTTP_X_BENCH_NO_CACHE": "1"}
OTHER = "451402001202"  # another village of 太平街道
# Queries of a page whose fragments are all in the cache (the test settings look the site and
# its settings up on every request, which production does once per process).
WARM_BUDGET = {"village": 4, "township": 4, "article": 8, "home": 8}


@pytest.fixture(autouse=True)
def bypass_header(settings):
    settings.PAGECACHE_BYPASS_HEADER = "HTTP_X_BENCH_NO_CACHE"


@pytest.fixture
def served(divisions, make_contract):
    adviser = AdviserFactory(name="韦明", mobile="13807711234", mobile_consent=True)
    return adviser, make_contract(adviser, BUZHAI)


def fetch(client, url: str) -> tuple[str, int]:
    """(page text, SQL queries run) for a request the page cache does not serve."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **BYPASS)
    assert response.status_code == 200, (url, response.status_code)
    assert "X-Page-Cache" not in response, url
    return response.content.decode(), len(queries.captured_queries)


def pages(served) -> dict[str, str]:
    cover = make_image("封面")
    article = make_article(title="彩礼返还怎么算", cover_image=cover)
    make_article(title="同类的另一篇")
    make_lecture(BUZHAI)
    return {
        "village": f"/directory/{BUZHAI}/",
        "township": f"/directory/{TAIPING}/",
        "article": article.url,
        "home": "/",
    }


def test_a_fragment_hit_is_the_same_page_in_fewer_queries(client, served):
    for name, url in pages(served).items():
        first, cold = fetch(client, url)
        again, warm = fetch(client, url)
        assert again == first, name
        assert warm < cold, (name, warm, cold)
        assert warm <= WARM_BUDGET[name], (name, warm)


def test_switched_off_every_request_renders_everything(client, served, settings):
    url = f"/directory/{BUZHAI}/"
    _html, cold = fetch(client, url)
    settings.PAGECACHE_ENABLED = False
    assert fetch(client, url)[1] == cold
    assert fetch(client, url)[1] == cold


def test_a_new_contract_reaches_the_village_and_township_fragments(client, served, make_contract, committed):
    adviser, _contract = served
    urls = [f"/directory/{OTHER}/", f"/directory/{TAIPING}/"]
    before = {url: fetch(client, url)[0] for url in urls}
    assert "韦明" not in before[urls[0]]
    with committed():
        make_contract(adviser, OTHER)
    for url in urls:
        html, _queries = fetch(client, url)
        assert html != before[url], url
    assert "韦明" in fetch(client, urls[0])[0]


def test_a_change_of_the_adviser_and_a_liaison_reaches_the_village_fragment(client, served, committed):
    adviser, _contract = served
    url = f"/directory/{BUZHAI}/"
    assert "13807711234" in fetch(client, url)[0]
    with committed():
        adviser.mobile_consent = False  # consent withdrawn: the number must go at once
        adviser.save()
    assert "13807711234" not in fetch(client, url)[0]
    with committed():
        LiaisonFactory(village_id=BUZHAI, name="黄丽")
    assert "黄丽" in fetch(client, url)[0]


def test_a_new_lecture_reaches_the_village_and_home_fragments(client, served, committed):
    urls = [f"/directory/{BUZHAI}/", "/"]
    for url in urls:
        assert "宅基地纠纷怎么办" not in fetch(client, url)[0]
    with committed():
        make_lecture(BUZHAI, topic="宅基地纠纷怎么办")
    for url in urls:
        assert "宅基地纠纷怎么办" in fetch(client, url)[0], url


def test_publishing_and_editing_articles_reach_the_home_and_article_fragments(client, divisions, committed):
    first = make_article(title="土地承包经营权怎么流转")
    assert "土地承包经营权怎么流转" in fetch(client, "/")[0]
    article_html = fetch(client, first.url)[0]
    with committed():
        make_article(title="征地补偿款怎么分")
    assert "征地补偿款怎么分" in fetch(client, "/")[0]
    # The new article of the same category is now in the first one's related list.
    assert "征地补偿款怎么分" in fetch(client, first.url)[0] != article_html
    with committed():
        first.intro = "改过的导语。"
        first.save_revision().publish()
    assert "改过的导语。" in fetch(client, first.url)[0]


def test_the_key_names_host_scheme_values_and_versions(rf):
    from pagecache.fragments import fragment_key

    def key(host="a.example", secure=False, vary=("1",), versions=None):
        request = rf.get("/", HTTP_HOST=host, secure=secure)
        return fragment_key(request, "part", versions or {"pc:t:x": "1"}, vary)

    assert key() == key()
    others = [key(host="b.example"), key(secure=True), key(vary=("2",)), key(versions={"pc:t:x": "2"})]
    assert len({key(), *others}) == 5


def test_a_logged_in_user_gets_fragments_with_the_current_content(client, served, committed):
    user = get_user_model().objects.create_user("staff", password="x-Pass-12345")
    client.force_login(user)
    adviser, _contract = served
    url = f"/directory/{BUZHAI}/"
    response = client.get(url)
    assert "X-Page-Cache" not in response and "韦明" in response.content.decode()
    with committed():
        adviser.name = "韦明亮"
        adviser.save()
    assert "韦明亮" in client.get(url).content.decode()


def test_a_preview_never_reads_a_fragment(rf, divisions):
    article = make_article(title="原来的标题")
    from pagecache import fragments

    request = rf.get(article.url)
    request.is_preview = True
    assert not fragments.usable(request)
    assert fragments.usable(rf.get(article.url))
    assert default_home().pk


def routing_reads(client, url: str) -> list[str]:
    """The queries that look an article index or an article up by its slug."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **BYPASS)
    assert response.status_code == 200, (url, response.status_code)
    return [q["sql"] for q in queries.captured_queries if '"wagtailcore_page"."slug" =' in q["sql"]]


def test_routing_keeps_the_pages_and_follows_every_change(client, divisions, committed):
    from content.models import ArticleCategory

    article = make_article(title="宅基地能不能继承", cover_image=make_image("封面"))
    assert routing_reads(client, article.url)  # the first request reads index and article
    assert routing_reads(client, article.url) == []  # later ones take this process's copies
    with committed():
        article.title = "宅基地使用权能不能继承"
        article.save_revision().publish()
    assert "宅基地使用权能不能继承" in fetch(client, article.url)[0]
    with committed():
        category = ArticleCategory.objects.get(pk=article.category_id)
        category.name = "土地与房屋"
        category.save()
    assert "土地与房屋" in fetch(client, article.url)[0]
    with committed():
        article.unpublish()
    assert client.get(article.url, **BYPASS).status_code == 404
    with committed():
        article.save_revision().publish()
    assert client.get(article.url, **BYPASS).status_code == 200
    with committed():
        article.delete()
    assert client.get(article.url, **BYPASS).status_code == 404


def test_a_request_changing_its_copy_leaves_the_next_ones_alone(rf, divisions):
    from content.models import ArticlePage
    from content.models.routing import route_to_child

    article = make_article(title="彩礼返还")
    index = article.get_parent().specific
    request = rf.get(article.url)
    first = route_to_child(index, request, [article.slug], ArticlePage, ("category",)).page
    first.title = "只在这个请求里"
    first.category.name = "也只在这里"
    with CaptureQueriesContext(connection) as queries:
        second = route_to_child(index, rf.get(article.url), [article.slug], ArticlePage, ("category",)).page
    assert not [q for q in queries.captured_queries if '"content_articlepage"' in q["sql"]]  # the copy
    assert second is not first and second.title == "彩礼返还" and second.category.name != "也只在这里"
