"""Rate limits per client address: a 429 in Chinese (JSON for programs) with `Retry-After`.

The test settings switch rate limits off for the rest of the suite; the `limits` fixture switches
them on with small numbers, a cache key prefix of its own and a frozen clock, so that a window
boundary never falls between two requests of a test. The core case runs over each cache a
deployment may share between processes: Redis, the database cache, and the dev server's memory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid

import pytest
import time_machine
from django.core.cache import caches
from django.core.management import call_command

from tests.conftest import BUZHAI, require_redis
from tests.factories import AdviserFactory

REDIS_URL = os.environ.get("CACHE_URL", "") or "redis://127.0.0.1:6379/2"
LIMITS = {"search": "3/m", "api": "2/m", "notice_board": "2/m", "form": "2/m", "login": "2/m"}
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.9"
NOON = dt.datetime(2026, 6, 1, 4, 0, 0, tzinfo=dt.UTC)


def redis_cache() -> dict:
    require_redis(REDIS_URL)
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}


def cache_config(kind: str) -> dict:
    if kind == "redis":
        return redis_cache()
    if kind == "database":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_test_ratelimit"}
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-tests"}


def switch_on(settings, kind: str = "locmem") -> None:
    settings.CACHES = {**settings.CACHES, "default": cache_config(kind)}
    if kind == "database":
        call_command("createcachetable", verbosity=0)
    settings.RATELIMIT_ENABLE = True
    settings.PORTAL_RATE_LIMITS = dict(LIMITS)
    # Counts of earlier runs (Redis outlives the test) never reach this test.
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def limits(settings, divisions, clock):
    switch_on(settings)
    return clock


@pytest.fixture(params=["redis", "database", "locmem"])
def shared_limits(request, settings, divisions, clock):
    switch_on(settings, request.param)
    yield clock
    caches["default"].clear()


def retry_after(response) -> int:
    value = response["Retry-After"]
    assert value.isdigit(), value
    return int(value)


def assert_too_many_html(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/html")
    assert 1 <= retry_after(response) <= 61
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert "请求太频繁" in html
    assert re.search(r"请在 \d+ 秒后再试", html)
    assert "12348" in html


def assert_too_many_json(response) -> None:
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    seconds = retry_after(response)
    assert 1 <= seconds <= 61
    body = response.json()
    assert body["retry_after"] == seconds
    assert f"请在 {seconds} 秒后再试" in body["error"]


def test_searches_beyond_the_limit_get_429_until_the_window_ends(client, shared_limits):
    for _ in range(3):
        assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT).status_code == 200
    refused = client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT)
    assert_too_many_html(refused)
    # Another visitor is not affected.
    assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=OTHER_CLIENT).status_code == 200
    # Retry-After is exact: a second early is still refused, on time is served.
    shared_limits.shift(retry_after(refused) - 1)
    assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT).status_code == 429
    shared_limits.shift(1)
    assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT).status_code == 200


def test_search_json_and_suggest_share_the_limit_and_answer_json(client, limits):
    assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT).status_code == 200
    assert client.get("/search/suggest", {"q": "卜"}, REMOTE_ADDR=CLIENT).status_code == 200
    assert client.get("/search/", {"q": "卜寨", "format": "json"}, REMOTE_ADDR=CLIENT).status_code == 200
    assert_too_many_json(client.get("/search/", {"q": "卜寨", "format": "json"}, REMOTE_ADDR=CLIENT))
    assert_too_many_json(client.get("/search/suggest", {"q": "卜"}, REMOTE_ADDR=CLIENT))
    assert_too_many_json(
        client.get("/search/", {"q": "卜寨"}, HTTP_ACCEPT="application/json", REMOTE_ADDR=CLIENT)
    )
    assert_too_many_html(client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT))


def test_the_home_page_search_counts_but_the_home_page_does_not(client, limits):
    for _ in range(5):
        assert client.get("/", REMOTE_ADDR=CLIENT).status_code == 200
    for _ in range(3):
        assert client.get("/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT).status_code == 200
    assert_too_many_html(client.get("/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT))
    assert client.get("/", REMOTE_ADDR=CLIENT).status_code == 200


def test_the_directory_api_answers_429_in_json(client, limits):
    for _ in range(2):
        assert client.get(f"/api/directory/{BUZHAI}", REMOTE_ADDR=CLIENT).status_code == 200
    assert_too_many_json(client.get(f"/api/directory/{BUZHAI}", REMOTE_ADDR=CLIENT))
    assert client.get(f"/api/directory/{BUZHAI}", REMOTE_ADDR=OTHER_CLIENT).status_code == 200


def test_notice_boards_are_limited_png_and_pdf_together(client, limits, make_contract):
    make_contract(AdviserFactory(), BUZHAI)
    assert client.get(f"/directory/{BUZHAI}/notice-board.png", REMOTE_ADDR=CLIENT).status_code == 200
    assert client.get(f"/directory/{BUZHAI}/notice-board.pdf", REMOTE_ADDR=CLIENT).status_code == 200
    assert_too_many_html(client.get(f"/directory/{BUZHAI}/notice-board.png", REMOTE_ADDR=CLIENT))
    # The village page itself is not limited.
    assert client.get(f"/directory/{BUZHAI}/", REMOTE_ADDR=CLIENT).status_code == 200


def test_choosing_my_village_is_a_limited_form(client, limits):
    for _ in range(2):
        assert client.get("/my-village/", {"code": BUZHAI}, REMOTE_ADDR=CLIENT).status_code == 302
    assert_too_many_html(client.get("/my-village/", {"code": BUZHAI}, REMOTE_ADDR=CLIENT))


def test_login_posts_are_limited_but_the_login_page_is_not(client, limits):
    for _ in range(2):
        response = client.post(
            "/admin/login/", {"username": "nobody", "password": "wrong-password"}, REMOTE_ADDR=CLIENT
        )
        assert response.status_code == 200  # the form again, with its error
    refused = client.post("/admin/login/", {"username": "nobody", "password": "wrong"}, REMOTE_ADDR=CLIENT)
    assert_too_many_html(refused)
    assert client.get("/admin/login/", REMOTE_ADDR=CLIENT).status_code == 200
    assert (
        client.post(
            "/admin/login/", {"username": "nobody", "password": "wrong-password"}, REMOTE_ADDR=OTHER_CLIENT
        ).status_code
        == 200
    )


def test_any_public_post_is_a_limited_form(client, limits):
    # No public page takes a POST today (405); a flood of them is still cut off at the limit.
    for _ in range(2):
        assert client.post("/lectures/", REMOTE_ADDR=CLIENT).status_code == 405
    assert_too_many_html(client.post("/lectures/", REMOTE_ADDR=CLIENT))


def test_ipv6_clients_are_counted_per_64_block(client, limits):
    for host in ("1", "2", "3"):
        assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=f"2001:db8:1:2::{host}").status_code == 200
    assert_too_many_html(client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR="2001:db8:1:2:ffff::9"))
    assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_an_empty_limit_switches_that_one_off(client, limits, settings):
    settings.PORTAL_RATE_LIMITS = {**LIMITS, "search": ""}
    for _ in range(6):
        assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT).status_code == 200


def test_the_test_settings_switch_limits_off(client, divisions, settings):
    assert settings.RATELIMIT_ENABLE is False
    for _ in range(70):
        assert client.get("/search/suggest", {"q": "卜"}, REMOTE_ADDR=CLIENT).status_code == 200


def test_an_unreachable_cache_lets_visitors_through(client, limits, settings):
    # Redis on a port nobody listens on: the public information matters more than the limit.
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        },
    }
    for _ in range(5):
        assert client.get("/search/", {"q": "卜寨"}, REMOTE_ADDR=CLIENT).status_code == 200
