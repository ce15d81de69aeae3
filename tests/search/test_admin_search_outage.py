"""The admin's own search while Elasticsearch is down or silent: answers from the database, no 500.

"Down" is an address where nothing listens (connection refused at once); "silent" is a socket
that accepts connections and never answers (the client's timeout expires). Both are real
network failures of the real Elasticsearch client, not mocks. Saves (a page, an image) made
during the outage succeed, and the outage is logged for the operator.
"""

from __future__ import annotations

import io
import logging
import socket

import pytest
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management import call_command
from django.test import override_settings
from modelsearch.backends import get_search_backend
from PIL import Image as PILImage
from wagtail.images.models import Image

from content.models import ArticlePage
from search import service

DOWN_URL = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture
def silent_url():
    """A socket that completes TCP handshakes (the kernel's backlog) and never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def admin_backend(url: str, timeout: float = 2) -> dict:
    return {
        "default": {
            "BACKEND": "search.wagtail_backend",
            "URLS": [url],
            "INDEX_PREFIX": "test-outage-wagtail-",
            "TIMEOUT": timeout,
            "OPTIONS": {"max_retries": 0, "retry_on_timeout": False},
        }
    }


@pytest.fixture
def outage():
    """Start and end each test with no outage recorded in this process."""
    service.reset()
    yield
    service.reset()


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("outageadmin", "a@example.org", "x-Very-long-pass-1")


def png(colour: str = "red") -> ImageFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (40, 30), colour).save(buffer, "PNG")
    return ImageFile(buffer, name="photo.png")


def admin_searches() -> list[tuple[str, str, str]]:
    """Every admin search an editor uses: (address, query, a title it must find or "")."""
    article = ArticlePage.objects.get(slug="labour-contract")
    return [
        ("/admin/pages/search/", "劳动", "签订劳动合同要注意什么"),
        (f"/admin/pages/{article.get_parent().pk}/", "劳动", "签订劳动合同要注意什么"),
        ("/admin/choose-page/search/", "劳动", "签订劳动合同要注意什么"),
        ("/admin/images/", "卜寨", "卜寨村委会门牌"),
        ("/admin/images/chooser/results/", "卜寨", "卜寨村委会门牌"),
        ("/admin/documents/", "合同", ""),
        ("/admin/documents/chooser/results/", "合同", ""),
        ("/admin/lectures/", "讨薪", "农民工讨薪与劳动仲裁"),
    ]


@pytest.mark.parametrize("kind", ["down", "silent"])
def test_admin_searches_answer_from_the_database_during_an_outage(
    client, world, superuser, outage, silent_url, caplog, kind
):
    Image.objects.create(title="卜寨村委会门牌", file=png())
    url = DOWN_URL if kind == "down" else silent_url
    client.force_login(superuser)
    with override_settings(WAGTAILSEARCH_BACKENDS=admin_backend(url, timeout=1)):
        assert type(get_search_backend()).__name__ == "ChineseElasticsearch8SearchBackend"
        with caplog.at_level(logging.WARNING, logger="search"):
            for path, q, expected in admin_searches():
                response = client.get(path, {"q": q})
                assert response.status_code == 200, (path, response.status_code)
                if expected:
                    assert expected in response.content.decode(), path
        # Not found stays not found: the fallback matches, it does not list everything.
        response = client.get("/admin/pages/search/", {"q": "彩礼返还不存在的词"})
        assert response.status_code == 200 and "签订劳动合同要注意什么" not in response.content.decode()

    assert "admin search: Elasticsearch unavailable" in caplog.text
    assert service.elasticsearch_suspended()  # the public search skips the cluster too


def test_fallback_keeps_the_querysets_filters_and_every_word(world, outage):
    with override_settings(WAGTAILSEARCH_BACKENDS=admin_backend(DOWN_URL)):
        assert [p.title for p in ArticlePage.objects.live().search("劳动")] == ["签订劳动合同要注意什么"]
        assert list(ArticlePage.objects.live().search("劳动 彩礼", operator="and")) == []
        assert {p.title for p in ArticlePage.objects.live().search("劳动 彩礼", operator="or")} == {
            "签订劳动合同要注意什么",
            "彩礼返还怎么算",
        }
        world["marriage_article"].unpublish()
        assert list(ArticlePage.objects.live().search("彩礼")) == []
        results = ArticlePage.objects.all().search("合同")
        assert results.count() == 1 and len(results[:1]) == 1
        assert [p.title for p in ArticlePage.objects.autocomplete("签订")] == ["签订劳动合同要注意什么"]


@pytest.mark.parametrize("kind", ["down", "silent"])
def test_saves_during_an_outage_succeed_and_are_logged(
    client, world, superuser, outage, silent_url, caplog, django_capture_on_commit_callbacks, kind
):
    url = DOWN_URL if kind == "down" else silent_url
    article = ArticlePage.objects.get(slug="labour-contract")
    with (
        override_settings(WAGTAILSEARCH_BACKENDS=admin_backend(url, timeout=1)),
        caplog.at_level(logging.WARNING, logger="search"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        image = Image.objects.create(title="服务室照片", file=png("blue"))
        article.title = "签订劳动合同要注意什么（修订）"
        article.save_revision().publish()
        image.delete()

        client.force_login(superuser)
        response = client.post(
            f"/admin/images/{Image.objects.create(title='改名前', file=png()).pk}/",
            {"title": "改名后", "collection": "1", "tags": ""},
        )
        assert response.status_code in (200, 302)
    assert Image.objects.filter(title="改名后").exists()
    assert ArticlePage.objects.get(pk=article.pk).title == "签订劳动合同要注意什么（修订）"
    assert "admin search: Elasticsearch unavailable" in caplog.text
    assert "run manage.py update_index later" in caplog.text


def test_after_the_outage_elasticsearch_answers_again(world, use_elasticsearch, es_session, outage):
    """Same backend on the real test node: once the outage is over, Elasticsearch is used again."""
    backends = admin_backend(use_elasticsearch, timeout=10)  # a busy test machine is slow, not down
    backends["default"]["INDEX_PREFIX"] = f"{es_session}-wagtail-"
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        call_command("update_index", stdout=io.StringIO())
        # Bigrams on Elasticsearch: 合法 shares a character with 合同 and finds nothing there,
        # while the database's substring match would not find it either; 劳动 finds the article.
        assert [p.title for p in ArticlePage.objects.live().search("劳动")] == ["签订劳动合同要注意什么"]
        with override_settings(WAGTAILSEARCH_BACKENDS=admin_backend(DOWN_URL)):
            assert [p.title for p in ArticlePage.objects.live().search("劳动")] == ["签订劳动合同要注意什么"]
            assert service.elasticsearch_suspended()
        service.reset()
        found = ArticlePage.objects.live().search("劳动")
        assert [p.title for p in found] == ["签订劳动合同要注意什么"]
        assert not service.elasticsearch_suspended()


def test_a_missing_admin_index_falls_back_without_degrading_the_public_search(
    world, use_elasticsearch, outage
):
    """The node answers, but with an error (no admin index yet): this search alone falls back."""
    backends = admin_backend(use_elasticsearch, timeout=10)
    backends["default"]["INDEX_PREFIX"] = "test-never-built-wagtail-"
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        assert [p.title for p in ArticlePage.objects.live().search("劳动")] == ["签订劳动合同要注意什么"]
    assert not service.elasticsearch_suspended()
