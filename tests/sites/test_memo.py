"""Each web process's copy of the sites' settings (sites/memo.py): used, and dropped on change."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from portal.settings.base import RENDITIONS_CACHE
from sites.models import JurisdictionSettings
from tests.conftest import BUZHAI

SITE_TABLES = ('"wagtailcore_site"', '"content_jurisdictionsettings"')


@pytest.fixture
def memo_on(settings, divisions):
    """The copies on, as in production, over an empty shared cache; saves commit."""
    settings.PORTAL_SITE_SETTINGS_MEMO = True
    caches["default"].clear()
    default = Site.objects.get(is_default_site=True)
    jurisdiction = JurisdictionSettings.for_site(default)
    jurisdiction.bureau_name = "崇左市司法局"
    jurisdiction.save()
    yield jurisdiction
    caches["default"].clear()


def site_queries(client, url: str, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return [q["sql"] for q in context.captured_queries if any(t in q["sql"] for t in SITE_TABLES)]


@pytest.mark.parametrize("url", [f"/directory/{BUZHAI}/", "/"])
def test_settings_are_looked_up_once_per_process(client, memo_on, url):
    client.get(url)
    assert site_queries(client, url) == []
    assert "崇左市司法局" in client.get(url).content.decode()


def test_a_committed_change_reaches_the_next_request(client, memo_on, django_capture_on_commit_callbacks):
    url = f"/directory/{BUZHAI}/"
    client.get(url)
    with django_capture_on_commit_callbacks(execute=True):
        memo_on.bureau_name = "江州区司法局"
        memo_on.save()
    html = client.get(url).content.decode()
    assert "江州区司法局" in html and "崇左市司法局" not in html


def test_each_host_gets_its_own_sites_settings(client, memo_on, django_capture_on_commit_callbacks):
    default = Site.objects.get(is_default_site=True)
    with django_capture_on_commit_callbacks(execute=True):
        other = Site.objects.create(hostname="chengbei.testserver", port=80, root_page=default.root_page)
        jurisdiction = JurisdictionSettings.for_site(other)
        jurisdiction.bureau_name = "西宁市城北区司法局"
        jurisdiction.save()
    url = f"/directory/{BUZHAI}/"
    for _ in range(2):
        assert "崇左市司法局" in client.get(url).content.decode()
        assert "西宁市城北区司法局" in client.get(url, HTTP_HOST="chengbei.testserver").content.decode()


def test_every_request_gets_its_own_copy(memo_on):
    factory = RequestFactory()
    first = JurisdictionSettings.for_request(factory.get("/"))
    first.bureau_name = "只在这个请求里"
    second = JurisdictionSettings.for_request(factory.get("/"))
    assert second is not first and second.bureau_name == "崇左市司法局"


def test_without_a_reachable_shared_cache_the_database_answers(client, memo_on, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "renditions": RENDITIONS_CACHE,
    }
    url = f"/directory/{BUZHAI}/"
    client.get(url)
    assert len(site_queries(client, url)) == 2  # the site and its settings, on every request


def test_the_home_page_is_kept_as_its_own_type_and_follows_its_edits(
    client, memo_on, django_capture_on_commit_callbacks
):
    """Routing starts at the site's root read as a home page: no query for it, fresh after a publish."""
    from content.models import HomePage

    home = HomePage.objects.get(pk=Site.objects.get(is_default_site=True).root_page_id)
    client.get("/")
    with CaptureQueriesContext(connection) as context:
        assert client.get("/").status_code == 200
    root_reads = [
        q["sql"] for q in context.captured_queries if '"content_homepage"' in q["sql"] and "FROM" in q["sql"]
    ]
    assert root_reads == []
    with django_capture_on_commit_callbacks(execute=True):
        home.heading = "崇左市一村一法律顾问"
        home.save_revision().publish()
    assert "崇左市一村一法律顾问" in client.get("/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        home.heading = "又改了一次"
        home.save()
    assert "又改了一次" in client.get("/").content.decode()


def test_privacy_is_checked_without_queries_until_a_page_is_restricted(
    client, memo_on, django_capture_on_commit_callbacks
):
    """No restriction anywhere: no privacy queries. One added: the next request asks for it."""
    from wagtail.models import PageViewRestriction

    from tests.content_helpers import make_article

    article = make_article(title="土地承包经营权流转")
    client.get(article.url)
    with CaptureQueriesContext(connection) as context:
        assert "土地承包经营权流转" in client.get(article.url).content.decode()
    # Wagtail's check reads the ancestors' aliases, then the restrictions of those pages (lists of
    # articles still read every restriction with its page for `.public()`, a query of their own).
    checks = [
        q["sql"]
        for q in context.captured_queries
        if q["sql"].startswith('SELECT "wagtailcore_page"."id", "wagtailcore_page"."alias_of_id"')
        or ('FROM "wagtailcore_pageviewrestriction" WHERE' in q["sql"])
    ]
    assert checks == []
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=article.get_parent(), restriction_type=PageViewRestriction.PASSWORD, password="secret-word"
        )
    for url in (article.url, article.get_parent().url):
        html = client.get(url).content.decode()
        assert 'name="password"' in html and "土地承包经营权流转" not in html, url
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert "土地承包经营权流转" in client.get(article.url).content.decode()
