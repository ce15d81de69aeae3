"""Every public address with malformed input answers 2xx, 3xx or 4xx, never a 5xx.

Bad codes, page numbers, `area`, NUL and other control characters, over-long (10 KB) query
strings, broken UTF-8 and wrong methods, on each address of the README's table. The NUL cases
matter on PostgreSQL, which refuses strings with a NUL byte (`?category=%00` on `/articles/` was
a 500 there): run this module with DATABASE_URL pointing at PostgreSQL too.
"""

from __future__ import annotations

from itertools import chain
from urllib.parse import quote

import pytest
from django.test import Client

from tests.conftest import BUZHAI, JIANGZHOU, TAIPING
from tests.content_helpers import articles_index, category, make_article, make_lecture
from tests.factories import AdviserFactory

TEN_KB = 10 * 1024

# Values that are wrong for every parameter: control characters (raw and percent-encoded text),
# numbers out of range, full-width digits, SQL and LIKE metacharacters, broken UTF-8, 10 KB.
BAD_VALUES = [
    "\x00",
    "4514\x00",
    "\x01\x07\x1b[31m\x7f",
    "%00",
    "0",
    "-1",
    "99999999999999999999999999",
    "1.5",
    "abc",
    "４５１４",
    "' OR 1=1 --",
    "%_%\\",
    "卜" * 3000,
    "x" * TEN_KB,
]
# Each of these is also tried in every parameter on its own.
PER_PARAMETER_VALUES = ["\x00", "4514\x00", "-1", "99999999999999999999999999", "x" * TEN_KB]
# Raw query strings that no encoder would produce.
RAW_QUERIES = [
    "%ff%fe%00",
    "%",
    "=&=&&",
    "page=1&page=2&page=%00",
    "q" + "=" * 50,
    "a=" + "b" * TEN_KB,
    "&".join(f"p{i}=%00" for i in range(500)),
]
# Every parameter any public view reads; each address is tried with all of them.
PARAMETERS = ["q", "page", "category", "tag", "area", "when", "code", "type", "county", "format", "clear"]
WRONG_METHODS = ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@pytest.fixture
def public_site(divisions, make_contract):
    """One of everything the public addresses show: a covered village, an adviser, an article, a lecture."""
    adviser = AdviserFactory(name="韦明", mobile="13807711234", mobile_consent=True)
    make_contract(adviser, BUZHAI)
    article = make_article(
        articles_index(),
        title="借条怎么写",
        slug="jietiao",
        category=category("contract-disputes"),
        tags=["借条"],
    )
    lecture = make_lecture(BUZHAI, days=3, speaker=adviser, guest_speaker="")
    return {"adviser": adviser, "article": article, "lecture": lecture}


# The README's public addresses; {adviser}, {article} and {lecture} are the fixture's objects.
ADDRESSES = [
    "/",
    "/directory/",
    f"/directory/{JIANGZHOU}/",
    f"/directory/{TAIPING}/",
    f"/directory/{BUZHAI}/",
    f"/directory/{BUZHAI}/notice-board.png",
    f"/directory/{BUZHAI}/notice-board.pdf",
    "/advisers/{adviser}/",
    "/articles/",
    "/articles/{article}/",
    "/articles/feed/",
    "/articles/feed/atom/",
    "/lectures/",
    "/lectures/calendar.ics",
    "/lectures/{lecture}/",
    "/lectures/{lecture}/calendar.ics",
    "/my-village/",
    f"/api/directory/{BUZHAI}",
    f"/api/directory/{TAIPING}",
    "/search/",
    "/search/suggest",
    "/healthz",
    "/readyz",
    "/admin/login/",
]


def address_of(template: str, site: dict) -> str:
    return template.format(
        adviser=site["adviser"].pk, article=site["article"].slug, lecture=site["lecture"].pk
    )


# Paths with bad codes or control characters in them, each with a trailing variant.
BAD_PATHS = [
    "/directory/%00/",
    "/directory/4514%00/",
    "/directory/451402001201%00/",
    "/directory/%01%1f%7f/",
    "/directory/45140200120x/",
    "/directory/４５１４/",
    "/directory/" + "9" * 300 + "/",
    "/directory/%00/notice-board.png",
    "/directory/999999999999/notice-board.pdf",
    "/api/directory/%00",
    "/api/directory/45%2F14",
    "/advisers/99999999999999999999/",
    "/advisers/0/",
    "/articles/%00/",
    "/articles/jietiao%00/",
    "/articles/" + "x" * 2000 + "/",
    "/lectures/99999999999999999999/",
    "/lectures/0/calendar.ics",
    "/%00",
    "/%00/%00/",
    "/%ff%fe/",
    "/search/%00",
    "/admin/%00/",
    "/" + "a/" * 500,
]


def failures_of(client: Client, method: str, url: str) -> list[str]:
    response = client.generic(method, url)
    if response.status_code >= 500:
        return [f"{method} {url[:120]} -> {response.status_code}"]
    return []


@pytest.mark.parametrize("template", ADDRESSES)
def test_every_public_address_survives_malformed_query_strings(client, public_site, template):
    address = address_of(template, public_site)
    failures: list[str] = []
    for value in BAD_VALUES:
        encoded = quote(value, safe="")
        # Every parameter at once, and the value as a parameter name too.
        every = "&".join(f"{name}={encoded}" for name in PARAMETERS)
        failures += failures_of(client, "GET", f"{address}?{every}&{encoded}=1")
    for value in PER_PARAMETER_VALUES:
        # One parameter at a time, so that an early 400 for one cannot hide a 500 of another.
        for name in PARAMETERS:
            failures += failures_of(client, "GET", f"{address}?{name}={quote(value, safe='')}")
    for raw in RAW_QUERIES:
        failures += failures_of(client, "GET", f"{address}?{raw}")
    assert not failures, "\n".join(failures[:40])


@pytest.mark.parametrize("template", ADDRESSES)
def test_every_public_address_survives_wrong_methods(public_site, template):
    address = address_of(template, public_site)
    failures: list[str] = []
    # With CSRF checks on, as in production, a POST without a token is refused, never a 500.
    for client in (Client(), Client(enforce_csrf_checks=True)):
        for method in [*WRONG_METHODS, "HEAD"]:
            failures += failures_of(client, method, address)
            failures += failures_of(client, method, f"{address}?q=%00&page=%00")
    assert not failures, "\n".join(failures)


def test_bad_paths_are_never_a_page(client, public_site):
    failures: list[str] = []
    for path in BAD_PATHS:
        response = client.get(path)
        # A 404 (or a redirect to the address with a slash, which is a 404), never a page or a 5xx.
        if not 300 <= response.status_code < 500:
            failures.append(f"GET {path[:120]} -> {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", ["/articles/", "/articles/feed/", "/articles/feed/atom/"])
@pytest.mark.parametrize("name", ["category", "tag"])
def test_nul_in_the_article_filters_is_ignored(client, public_site, path, name):
    """The issue's case: `?category=%00` and `?tag=%00` were a 500 on PostgreSQL."""
    response = client.get(f"{path}?{name}=%00")
    assert response.status_code == 200
    # The NUL is dropped, so the filter is empty and the article is listed.
    assert "借条怎么写" in response.content.decode()


def test_control_characters_in_a_search_are_ignored(client, public_site):
    from search import dbindex, documents

    dbindex.rebuild(chain(documents.all_village_docs(), documents.all_docs_except_villages()))
    plain = client.get("/search/", {"q": "卜寨", "format": "json"}).json()
    noisy = client.get("/search/?q=%00%E5%8D%9C%01%E5%AF%A8%7F&format=json").json()
    assert noisy["query"] == plain["query"] == "卜寨"
    assert noisy["total"] == plain["total"] > 0


def test_a_control_character_in_the_path_is_a_404_page_in_chinese(client, public_site):
    response = client.get("/directory/%00/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    api = client.get("/api/directory/4514%00")
    assert api.status_code == 404
    assert api.json() == {"error": "unknown address"}
