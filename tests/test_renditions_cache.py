"""Warm public pages under the production caches: no rendition write-backs, a fixed query count.

Production keeps its cache in the database (`DatabaseCache`) unless `CACHE_URL` names Redis.
Wagtail used to write every rendition it read from that cache back to it (three statements per
rendition on the database cache), so a warm article page ran about 100 queries. These tests
configure the production cache layout themselves (the `renditions` alias of content/renditions.py
over a database or Redis default cache) and count what a warm article page runs.
"""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images.models import Image

from content.models import ArticleRelatedLink
from portal.settings.base import RENDITIONS_CACHE
from tests.conftest import require_redis
from tests.content_helpers import articles_index, make_article, make_image

ARTICLE_MAX_QUERIES = 15
REDIS_URL = os.environ.get("CACHE_URL", "") or "redis://127.0.0.1:6379/5"
CACHE_TABLE = "portal_test_cache"


def database_caches() -> dict:
    return {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE},
        "renditions": RENDITIONS_CACHE,
    }


def redis_caches() -> dict:
    """Redis at CACHE_URL (else DB 5 of the local server); skipped outside CI when unavailable."""
    require_redis(REDIS_URL)
    return {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
        "renditions": RENDITIONS_CACHE,
    }


@pytest.fixture(params=["database", "redis"])
def production_cache(request, settings, db):
    """The production cache layout, empty; the site settings copies on as in production."""
    settings.CACHES = database_caches() if request.param == "database" else redis_caches()
    settings.PORTAL_SITE_SETTINGS_MEMO = True
    if request.param == "database":
        call_command("createcachetable", verbosity=0)
    caches["default"].clear()
    yield request.param
    caches["default"].clear()


def figure(image: Image, caption: str) -> tuple:
    return (
        "image",
        {"image": {"image": image, "decorative": False, "alt_text": caption}, "caption": caption},
    )


def article_with_images(figures: int):
    """An article with a cover, `figures` figures in its body and a related article with a cover."""
    index = articles_index()
    related = make_article(index, cover_image=make_image("相关封面"))
    body = [("paragraph", "<p>第一段。</p>")]
    body += [figure(make_image(f"插图{n}"), f"插图{n}") for n in range(figures)]
    page = make_article(index, cover_image=make_image("封面"), body=body, tags=["彩礼"])
    ArticleRelatedLink.objects.create(page=page, article=related, sort_order=0)
    return page


def warm_queries(client, url: str) -> list[str]:
    for _ in range(2):  # the first request makes the renditions; the second reads them back
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def test_warm_article_page_runs_a_fixed_small_number_of_queries(client, production_cache):
    page = article_with_images(figures=2)
    queries = warm_queries(client, page.url)
    writes = [sql for sql in queries if CACHE_TABLE in sql and not sql.lstrip().startswith("SELECT")]
    assert writes == [], f"cache writes on a warm request: {writes}"
    assert not any("COUNT(*)" in sql and CACHE_TABLE in sql for sql in queries), "cache culling on a read"
    assert len(queries) <= ARTICLE_MAX_QUERIES, "\n".join(queries)

    more = article_with_images(figures=6)
    assert len(warm_queries(client, more.url)) == len(queries), "queries grow with the number of images"


def test_warm_article_page_still_shows_every_picture(client, production_cache):
    page = article_with_images(figures=2)
    client.get(page.url)
    html = client.get(page.url).content.decode()
    # The cover and two figures (WebP and JPEG sources) and the related article's card.
    assert html.count('type="image/webp"') == 4
    assert "相关文章" in html


def test_rendition_read_from_the_cache_is_not_written_back(production_cache):
    image = make_image("读取")
    image.get_renditions("width-400", "width-800")  # made and stored
    fresh = Image.objects.get(pk=image.pk)
    with CaptureQueriesContext(connection) as context:
        renditions = fresh.get_renditions("width-400", "width-800")  # {% picture %}, {% srcset_image %}
        single = fresh.get_rendition("width-400")  # {% image %}
    assert renditions["width-400"].width == 400 and single.width == 400
    # One cache read per call on the database cache (none on Redis), nothing written back.
    expected = [] if production_cache == "redis" else ["SELECT", "SELECT"]
    assert [query["sql"].split()[0] for query in context.captured_queries] == expected
    assert all(CACHE_TABLE in query["sql"] for query in context.captured_queries)


def test_new_and_purged_renditions_reach_the_cache(production_cache):
    image = make_image("新的")
    rendition = image.get_rendition("width-300")
    store = caches["renditions"]
    assert store.get(rendition.get_cache_key()).pk == rendition.pk
    rendition.delete()  # Wagtail purges it from the cache on delete
    assert store.get(rendition.get_cache_key()) is None
    again = Image.objects.get(pk=image.pk).get_rendition("width-300")
    assert store.get(again.get_cache_key()).pk == again.pk


def test_the_renditions_alias_never_empties_the_shared_cache(production_cache):
    caches["default"].set("someone-else", 1)
    with pytest.raises(NotImplementedError):
        caches["renditions"].clear()
    assert caches["default"].get("someone-else") == 1
