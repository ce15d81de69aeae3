"""The admin's own search (Wagtail/modelsearch) on Elasticsearch 8 with Chinese analysis."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from modelsearch.backends import get_search_backend

from content.models import ArticlePage


@pytest.fixture
def wagtail_on_elasticsearch(use_elasticsearch, es_session):
    backends = {
        "default": {
            "BACKEND": "search.wagtail_backend",
            "URLS": [use_elasticsearch],
            "INDEX_PREFIX": f"{es_session}-wagtail-",
            "TIMEOUT": 2,
        }
    }
    with override_settings(WAGTAILSEARCH_BACKENDS=backends):
        yield get_search_backend()


def test_admin_search_finds_chinese_partial_words(client, world, wagtail_on_elasticsearch):
    backend = wagtail_on_elasticsearch
    assert type(backend).__name__ == "ChineseElasticsearch8SearchBackend"
    call_command("update_index", stdout=io.StringIO())
    found = list(ArticlePage.objects.live().search("劳动"))
    assert [p.title for p in found] == ["签订劳动合同要注意什么"]
    # Bigrams, not single characters: 合法 shares a character with 合同 but is not in the article.
    assert list(ArticlePage.objects.live().search("合法")) == []
    assert [p.title for p in ArticlePage.objects.live().search("彩礼")] == ["彩礼返还怎么算"]

    admin = get_user_model().objects.create_superuser("searchadmin", "a@example.org", "x-Very-long-pass-1")
    client.force_login(admin)
    response = client.get("/admin/pages/search/", {"q": "劳动"})
    assert response.status_code == 200
    assert "签订劳动合同要注意什么" in response.content.decode()
