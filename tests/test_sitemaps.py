"""/sitemap.xml (an index of section pages of at most 50,000 addresses) and /robots.txt, per site."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 -- parses our own responses, not untrusted input

import pytest
from django.core.cache import cache
from wagtail.models import Site

from content.models import HomePage
from places.models import Division
from portal import sitemaps
from sites.models import JurisdictionSettings
from tests.conftest import BUZHAI, JIANGZHOU
from tests.content_helpers import articles_index, make_article, make_lecture
from tests.factories import AdviserFactory

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
CHENGBEI_HOST = "chengbei.example"
CHENGBEI = "630105"


@pytest.fixture
def two_sites(divisions):
    """The default site serving 江州区, and a second site serving 城北区 with its own home page."""
    cache.clear()  # Wagtail caches site root paths
    default = Site.objects.get(is_default_site=True)
    jurisdiction = JurisdictionSettings.for_site(default)
    jurisdiction.area_codes = JIANGZHOU
    jurisdiction.save()
    root = default.root_page.get_parent()
    home = root.add_child(instance=HomePage(title="城北区首页", slug="chengbei-home"))
    chengbei = Site.objects.create(hostname=CHENGBEI_HOST, port=80, root_page=home, site_name="城北")
    other = JurisdictionSettings.for_site(chengbei)
    other.area_codes = CHENGBEI
    other.save()
    yield {"default": default, "chengbei": chengbei, "chengbei_home": home}
    cache.clear()


def fetch_xml(client, url: str, host: str = "testserver") -> ET.Element:
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200, url
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)  # noqa: S314 -- our own response


def all_locations(client, host: str = "testserver") -> list[str]:
    """Every address of every section page listed by the index of this host's site."""
    index = fetch_xml(client, "/sitemap.xml", host)
    pages = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert pages and all(p.startswith(f"http://{host}/sitemap-") for p in pages)
    found: list[str] = []
    for page in pages:
        urlset = fetch_xml(client, page.removeprefix(f"http://{host}"), host)
        found.extend(loc.text for loc in urlset.findall("sm:url/sm:loc", NS))
    return found


def test_robots_txt_points_at_the_sitemap_and_keeps_crawlers_out_of_private_parts(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/admin/", "/search/", "/api/", "/my-village/"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    https = client.get("/robots.txt", HTTP_X_FORWARDED_PROTO="https", secure=True).content.decode()
    assert "Sitemap: https://testserver/sitemap.xml" in https


def test_sitemap_lists_every_public_page_of_the_site_and_nothing_private(client, two_sites, make_contract):
    article = make_article(title="土地承包经营权", slug="land-contract")
    draft = make_article(title="草稿文章", slug="draft-article", publish=False)
    serving = AdviserFactory(name="韦明")
    make_contract(serving, BUZHAI)
    idle = AdviserFactory(name="没有合同")
    lecture = make_lecture(BUZHAI)
    elsewhere = make_lecture("630105001001")

    found = all_locations(client)
    assert len(found) == len(set(found)), "an address is listed twice"
    base = "http://testserver"
    expected_places = {
        f"{base}/directory/{code}/"
        for code in Division.objects.filter(code__startswith=JIANGZHOU).values_list("code", flat=True)
    }
    assert len(expected_places) > 140 and f"{base}/directory/{BUZHAI}/" in expected_places
    places = {u for u in found if u.startswith(f"{base}/directory/") and u != f"{base}/directory/"}
    assert places == expected_places  # every county, township and village of the area, no other
    index = articles_index()
    for url in (
        f"{base}/",
        f"{base}{index.relative_url(two_sites['default'])}",
        f"{base}{article.relative_url(two_sites['default'])}",
        f"{base}/directory/",
        f"{base}/lectures/",
        f"{base}/advisers/{serving.pk}/",
        f"{base}/lectures/{lecture.pk}/",
    ):
        assert url in found, url
    for url in (
        f"{base}/advisers/{idle.pk}/",  # no contract in force: not offered to crawlers
        f"{base}/lectures/{elsewhere.pk}/",  # another site's area
        f"{base}/chengbei-home/",
    ):
        assert url not in found, url
    assert not any(draft.slug in u for u in found)
    for private in ("/admin/", "/search/", "/api/", "/my-village/", "/healthz", "/readyz"):
        assert not any(u.startswith(base + private) for u in found), private


def test_each_site_lists_its_own_area_and_pages(client, two_sites):
    found = all_locations(client, CHENGBEI_HOST)
    base = f"http://{CHENGBEI_HOST}"
    places = [u for u in found if u.startswith(f"{base}/directory/6")]
    assert places and all(u.startswith(f"{base}/directory/{CHENGBEI}") for u in places)
    assert f"{base}/directory/{CHENGBEI}/" in places
    assert f"{base}/" in found and not any(JIANGZHOU in u for u in found)
    assert all(u.startswith(base) for u in found)


def test_sections_are_paged_in_slices_of_the_limit(
    client, two_sites, monkeypatch, django_assert_max_num_queries
):
    """A national site lists 665,000 divisions: pages of `limit` addresses, read a slice at a time."""
    monkeypatch.setattr(sitemaps.PlacesSitemap, "limit", 40)
    total = Division.objects.filter(code__startswith=JIANGZHOU).count()
    pages = -(-total // 40)
    index = fetch_xml(client, "/sitemap.xml")
    locs = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    place_pages = [u for u in locs if "/sitemap-places.xml" in u]
    assert len(place_pages) == pages and place_pages[1].endswith("sitemap-places.xml?p=2")
    seen: list[str] = []
    for number in range(1, pages + 1):
        with django_assert_max_num_queries(8):
            urlset = fetch_xml(client, f"/sitemap-places.xml?p={number}")
        codes = [loc.text.rstrip("/").rsplit("/", 1)[-1] for loc in urlset.findall("sm:url/sm:loc", NS)]
        assert len(codes) <= 40
        seen.extend(codes)
    assert seen == sorted(seen) and len(seen) == total == len(set(seen))


@pytest.mark.parametrize("query", ["?p=999", "?p=0", "?p=abc", "?p=%00", "?p=-1"])
def test_a_page_beyond_the_sitemap_is_a_404(client, two_sites, query):
    assert client.get(f"/sitemap-places.xml{query}").status_code == 404


def test_unknown_sections_and_wrong_methods(client, two_sites):
    assert client.get("/sitemap-nothing.xml").status_code == 404
    assert client.post("/sitemap.xml").status_code == 405
    assert client.post("/robots.txt").status_code == 405
