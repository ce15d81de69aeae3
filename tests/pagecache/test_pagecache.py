"""The page cache: hits run no SQL; each kind of change reaches the next anonymous request."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Site

from advisers.models import CountyBureau
from content.home import VILLAGE_COOKIE
from sites.models import JurisdictionSettings
from tests.conftest import BUZHAI, DEMO_DIVISIONS, JIANGZHOU, TAIPING
from tests.content_helpers import category, default_home, make_article, make_lecture
from tests.factories import AdviserFactory, LiaisonFactory, RoomFactory

pytestmark = pytest.mark.usefixtures("pagecache_on")

OTHER = "451402001202"  # another village of 太平街道
VILLAGE_URL = f"/directory/{BUZHAI}/"


def fetch(client, url: str, **extra) -> tuple[str, str]:
    """(page text, "hit"/"miss"/"" for served from, stored in, or bypassing the cache)."""
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), response.get("X-Page-Cache", "")


def warm(client, url: str) -> str:
    """Fill the cache for this address and check that the next request is a hit."""
    fetch(client, url)
    html, state = fetch(client, url)
    assert state == "hit", url
    return html


@pytest.fixture
def served(divisions, make_contract):
    adviser = AdviserFactory(
        name="韦明", mobile="13807711234", mobile_consent=True, office_phone="0771-7830001"
    )
    contract = make_contract(adviser, BUZHAI)
    return adviser, contract


# --- hits and what is never cached --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        VILLAGE_URL,
        f"/directory/{TAIPING}/",
        f"/directory/{JIANGZHOU}/",
        "/directory/",
        f"/api/directory/{BUZHAI}",
    ],
)
def test_a_hit_runs_no_sql(client, served, django_assert_num_queries, url):
    fetch(client, url)
    with django_assert_num_queries(0):
        html, state = fetch(client, url)
    assert state == "hit"


def test_wagtail_pages_and_feeds_hit_without_sql(client, divisions, django_assert_num_queries):
    article = make_article(title="土地承包经营权怎么流转")
    for url in ["/", "/articles/", article.url, "/articles/feed/", "/articles/feed/atom/"]:
        first, _state = fetch(client, url)
        with django_assert_num_queries(0):
            html, state = fetch(client, url)
        assert state == "hit" and html == first, url


def test_the_hit_is_the_page_with_its_headers_and_revalidates(client, served):
    first = client.get(VILLAGE_URL)
    second = client.get(VILLAGE_URL)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content and second["Content-Type"] == first["Content-Type"]
    assert second["Cache-Control"] == "public, no-cache"
    assert second["X-Frame-Options"] == first["X-Frame-Options"]
    not_modified = client.get(VILLAGE_URL, HTTP_IF_NONE_MATCH=second["ETag"])
    assert not_modified.status_code == 304


def test_head_is_answered_from_the_cache_without_a_body(client, served):
    warm(client, VILLAGE_URL)
    response = client.head(VILLAGE_URL)
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
    assert response.content == b""


def test_a_logged_in_user_never_gets_nor_fills_a_cached_page(client, served):
    user = get_user_model().objects.create_user("staff", password="x-Pass-12345")
    client.force_login(user)
    html, state = fetch(client, VILLAGE_URL)
    assert state == ""
    html, state = fetch(client, VILLAGE_URL)
    assert state == ""
    client.logout()
    assert fetch(client, VILLAGE_URL)[1] == "miss"  # the logged-in requests stored nothing
    assert fetch(client, VILLAGE_URL)[1] == "hit"
    client.force_login(user)
    assert fetch(client, VILLAGE_URL)[1] == ""


def test_the_my_village_cookie_keeps_the_home_page_out_of_the_cache(client, divisions):
    warm(client, "/")
    client.cookies[VILLAGE_COOKIE] = BUZHAI
    html, state = fetch(client, "/")
    assert state == "" and "太平街道" in html
    del client.cookies[VILLAGE_COOKIE]
    assert fetch(client, "/")[1] == "hit"
    # Other pages do not depend on it: the cookie does not keep them out.
    warm(client, "/directory/")
    client.cookies[VILLAGE_COOKIE] = BUZHAI
    assert fetch(client, "/directory/")[1] == "hit"


def test_unknown_parameters_errors_and_other_methods_are_not_stored(client, served):
    assert fetch(client, VILLAGE_URL + "?utm_source=x")[1] == ""
    assert fetch(client, VILLAGE_URL + "?utm_source=x")[1] == ""
    for _ in range(2):
        response = client.get("/directory/999999/")
        assert response.status_code == 404 and "X-Page-Cache" not in response
    for _ in range(2):
        response = client.get("/lectures/", {"area": "12x"})
        assert response.status_code == 400 and "X-Page-Cache" not in response
    warm(client, VILLAGE_URL)
    assert "X-Page-Cache" not in client.post(VILLAGE_URL)


def test_query_strings_the_page_understands_are_part_of_the_key(client, divisions):
    make_article(title="婚姻家庭文章", category=category("marriage-family"))
    html = warm(client, "/articles/?category=marriage-family&page=1")
    assert "婚姻家庭文章" in html
    # The same parameters in another order are the same entry.
    assert fetch(client, "/articles/?page=1&category=marriage-family")[1] == "hit"
    other, state = fetch(client, "/articles/?category=land-rights")
    assert state == "miss" and "婚姻家庭文章" not in other


def test_hosts_are_cached_apart(client, divisions):
    warm(client, "/")
    assert fetch(client, "/", HTTP_HOST="chengbei.localhost")[1] == "miss"


def test_json_and_html_search_are_cached_apart(client, served):
    html = warm(client, "/search/?q=卜寨")
    response = client.get("/search/?q=卜寨", HTTP_ACCEPT="application/json")
    assert response["Content-Type"].startswith("application/json") and response["X-Page-Cache"] == "miss"
    assert client.get("/search/?q=卜寨", HTTP_ACCEPT="application/json")["X-Page-Cache"] == "hit"
    assert "<html" in html


def test_switched_off_it_serves_nothing(client, served, settings):
    settings.PAGECACHE_ENABLED = False
    assert fetch(client, VILLAGE_URL)[1] == ""
    assert fetch(client, VILLAGE_URL)[1] == ""


# --- each kind of change reaches the next anonymous request -------------------------------------


def test_a_new_contract_shows_on_the_village_township_county_and_adviser_pages(
    client, served, make_contract, committed
):
    adviser, _contract = served
    urls = [
        f"/directory/{OTHER}/",
        f"/directory/{TAIPING}/",
        f"/directory/{JIANGZHOU}/",
        f"/advisers/{adviser.pk}/",
    ]
    before = {url: warm(client, url) for url in urls}
    with committed():
        make_contract(adviser, OTHER)
    for url in urls:
        html, state = fetch(client, url)
        assert state == "miss" and html != before[url], url
    assert "韦明" in fetch(client, f"/directory/{OTHER}/")[0]
    # Pages of other places were not touched.
    warm(client, "/directory/451402002/")


def test_a_change_waits_for_the_commit(client, served, make_contract, django_capture_on_commit_callbacks):
    adviser, _contract = served
    warm(client, f"/directory/{OTHER}/")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_contract(adviser, OTHER)
        # Not committed yet: the page may still be served from the cache.
        assert fetch(client, f"/directory/{OTHER}/")[1] == "hit"
    assert callbacks
    for callback in callbacks:
        callback()
    assert fetch(client, f"/directory/{OTHER}/")[1] == "miss"


def test_withdrawing_consent_takes_the_mobile_off_every_cached_page(client, served, committed):
    adviser, _contract = served
    urls = [VILLAGE_URL, f"/advisers/{adviser.pk}/", f"/api/directory/{BUZHAI}"]
    for url in urls:
        assert "13807711234" in warm(client, url)
    with committed():
        adviser.mobile_consent = False
        adviser.save()
    for url in urls:
        html, state = fetch(client, url)
        assert state == "miss" and "13807711234" not in html, url


def test_a_firm_rename_reaches_its_advisers_villages(client, served, committed):
    adviser, _contract = served
    warm(client, VILLAGE_URL)
    with committed():
        adviser.firm.name = "广西新名字律师事务所"
        adviser.firm.save()
    assert "广西新名字律师事务所" in fetch(client, VILLAGE_URL)[0]
    assert "广西新名字律师事务所" in fetch(client, f"/advisers/{adviser.pk}/")[0]


def test_liaison_officer_and_service_room_changes_show(client, served, committed):
    warm(client, VILLAGE_URL)
    with committed():
        officer = LiaisonFactory(village_id=BUZHAI, name="农秀英", phone="13977100000", phone_consent=True)
    assert "农秀英" in fetch(client, VILLAGE_URL)[0]
    warm(client, VILLAGE_URL)
    with committed():
        officer.name = "黄丽华"
        officer.save()
    html = fetch(client, VILLAGE_URL)[0]
    assert "黄丽华" in html and "农秀英" not in html
    warm(client, VILLAGE_URL)
    with committed():
        RoomFactory(village_id=BUZHAI, address="卜寨村委会办公楼一楼")
    assert "卜寨村委会办公楼一楼" in fetch(client, VILLAGE_URL)[0]


def test_county_settings_reach_the_places_below(client, served, committed):
    warm(client, VILLAGE_URL)
    warm(client, f"/directory/{TAIPING}/")
    with committed():
        CountyBureau.objects.create(county_id=JIANGZHOU, name="江州区司法局", phone="0771-7821234")
    assert fetch(client, VILLAGE_URL)[1] == "miss"
    assert "0771-7821234" in fetch(client, f"/directory/{TAIPING}/")[0]


def test_lectures_reach_village_lists_calendars_and_their_own_page(client, served, committed):
    urls = [VILLAGE_URL, "/lectures/", "/lectures/calendar.ics", f"/lectures/?area={TAIPING}"]
    for url in urls:
        warm(client, url)
    with committed():
        lecture = make_lecture(TAIPING, topic="土地承包纠纷怎么办")  # for the whole township
    for url in urls:
        assert "土地承包纠纷怎么办" in fetch(client, url)[0], url
    detail = f"/lectures/{lecture.pk}/"
    ics = f"/lectures/{lecture.pk}/calendar.ics"
    warm(client, detail)
    warm(client, ics)
    with committed():
        lecture.topic = "宅基地纠纷怎么办"
        lecture.save()
    assert "宅基地纠纷怎么办" in fetch(client, detail)[0]
    assert "宅基地纠纷怎么办" in fetch(client, ics)[0]
    assert "宅基地纠纷怎么办" in fetch(client, VILLAGE_URL)[0]


def test_a_lecture_elsewhere_leaves_this_village_cached(client, served, committed):
    warm(client, VILLAGE_URL)
    with committed():
        make_lecture("451402002", topic="别处的讲座")  # 江南街道
    assert fetch(client, VILLAGE_URL)[1] == "hit"


def test_publishing_and_unpublishing_an_article(client, divisions, committed):
    urls = ["/", "/articles/", "/articles/feed/", "/articles/feed/atom/"]
    for url in urls:
        warm(client, url)
    with committed():
        article = make_article(title="农民工讨薪指南")
    for url in urls:
        assert "农民工讨薪指南" in fetch(client, url)[0], url
    page = warm(client, article.url)
    assert "农民工讨薪指南" in page
    with committed():
        article.title = "农民工讨薪完全指南"
        article.save_revision().publish()
    assert "农民工讨薪完全指南" in fetch(client, article.url)[0]
    for url in urls:
        warm(client, url)
    with committed():
        article.unpublish()
    for url in urls:
        assert "农民工讨薪" not in fetch(client, url)[0], url
    assert client.get(article.url).status_code == 404


def test_a_category_rename_reaches_article_pages(client, divisions, committed):
    article = make_article(title="离婚财产分割")
    warm(client, article.url)
    with committed():
        chosen = category()
        chosen.name = "婚姻与家庭"
        chosen.save()
    assert "婚姻与家庭" in fetch(client, article.url)[0]


def test_site_settings_and_the_site_itself(client, served, committed):
    warm(client, VILLAGE_URL)
    warm(client, "/")
    site = Site.objects.get(is_default_site=True)
    with committed():
        jurisdiction = JurisdictionSettings.for_site(site)
        jurisdiction.footer_text = "本站页脚的新文字"
        jurisdiction.save()
    assert "本站页脚的新文字" in fetch(client, VILLAGE_URL)[0]
    assert "本站页脚的新文字" in fetch(client, "/")[0]
    warm(client, "/")
    with committed():
        site.site_name = "改名后的站点"
        site.save()
    assert fetch(client, "/")[1] == "miss"
    home = default_home()
    warm(client, "/")
    with committed():
        home.heading = "新的首页标题"
        home.save_revision().publish()
    assert "新的首页标题" in fetch(client, "/")[0]


def test_a_division_rename_by_import_reaches_its_pages(client, served, committed, tmp_path):
    for path in DEMO_DIVISIONS.iterdir():
        shutil.copy(path, tmp_path / path.name)
    villages = tmp_path / "villages.csv"
    with villages.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows:
        if row[0] == BUZHAI:
            row[1] = "卜寨新村委会"
    with villages.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    adviser, _contract = served
    urls = [VILLAGE_URL, f"/directory/{TAIPING}/", f"/advisers/{adviser.pk}/"]
    for url in urls:
        warm(client, url)
    warm(client, "/directory/451402002/")
    with committed():
        call_command("import_divisions", str(tmp_path), verbosity=0)
    for url in urls:
        assert "卜寨新村委会" in fetch(client, url)[0], url
    assert fetch(client, "/directory/451402002/")[1] == "hit"


def test_on_site_hours_and_specialties_reach_their_pages(client, served, committed):
    from advisers.models import Specialty
    from tests.factories import ScheduleFactory

    adviser, contract = served
    warm(client, VILLAGE_URL)
    with committed():
        ScheduleFactory(contract=contract, place="村委会二楼调解室")
    assert "村委会二楼调解室" in fetch(client, VILLAGE_URL)[0]
    with committed():
        specialty = Specialty.objects.create(name="宅基地确权")
        adviser.specialties.add(specialty)
    assert "宅基地确权" in fetch(client, f"/advisers/{adviser.pk}/")[0]
    warm(client, f"/advisers/{adviser.pk}/")
    with committed():
        specialty.name = "宅基地与承包地确权"
        specialty.save()
    assert "宅基地与承包地确权" in fetch(client, f"/advisers/{adviser.pk}/")[0]


def test_another_advisers_change_leaves_this_adviser_cached(client, served, committed):
    adviser, _contract = served
    warm(client, f"/advisers/{adviser.pk}/")
    warm(client, VILLAGE_URL)
    with committed():
        AdviserFactory(name="另一位顾问")
    assert fetch(client, f"/advisers/{adviser.pk}/")[1] == "hit"
    assert fetch(client, VILLAGE_URL)[1] == "hit"


# --- what the middleware refuses to store, on a view of the test's own ---------------------------


@pytest.fixture
def through_middleware(rf):
    """Run a view through the page cache middleware with a mark, as a registered page would be."""
    from django.http import HttpResponse

    import pagecache
    from pagecache.middleware import PageCacheMiddleware

    def run(change_response, path="/probe/"):
        def view(request):
            pagecache.mark(request, ["probe"])
            response = HttpResponse("<p>probe</p>")
            change_response(request, response)
            return response

        middleware = PageCacheMiddleware(view)
        states = []
        for _ in range(2):
            response = middleware(rf.get(path, HTTP_HOST="testserver"))
            states.append(response.get("X-Page-Cache", ""))
        return states

    return run


def test_a_plain_marked_response_is_stored(through_middleware, db):
    assert through_middleware(lambda request, response: None) == ["miss", "hit"]


@pytest.mark.parametrize(
    "change",
    [
        lambda request, response: response.set_cookie("chosen", "1"),
        lambda request, response: request.META.__setitem__("CSRF_COOKIE_NEEDS_UPDATE", True),
        lambda request, response: response.__setitem__("Cache-Control", "private"),
        lambda request, response: setattr(response, "status_code", 500),
    ],
    ids=["sets-a-cookie", "uses-the-csrf-token", "private", "server-error"],
)
def test_responses_that_must_not_be_shared_are_not_stored(through_middleware, db, change):
    assert through_middleware(change) == ["", ""]


def test_pagecache_clear_makes_every_page_stale(client, served):
    warm(client, VILLAGE_URL)
    warm(client, "/")
    call_command("pagecache_clear", stdout=io.StringIO())
    assert fetch(client, VILLAGE_URL)[1] == "miss"
    assert fetch(client, "/")[1] == "miss"


def test_making_an_article_private_takes_it_out_of_the_cache_at_once(client, divisions, committed):
    """Wagtail's privacy setting saves a view restriction, not the page: that change must bump too."""
    from wagtail.models import PageViewRestriction

    article = make_article(title="宅基地纠纷的处理")
    index_urls = ["/articles/", "/articles/feed/"]
    for url in [article.url, *index_urls]:
        warm(client, url)
    with committed():
        restriction = PageViewRestriction.objects.create(
            page=article, restriction_type=PageViewRestriction.PASSWORD, password="secret-word"
        )
    private = client.get(article.url)
    assert private.get("X-Page-Cache", "") != "hit"
    assert private.status_code == 200
    assert 'name="password"' in private.content.decode()  # the password form, not the article
    assert "article-body" not in private.content.decode()
    assert fetch(client, article.url)[1] != "hit"  # and never stored while restricted
    with committed():
        restriction.delete()
    html, state = fetch(client, article.url)
    assert "宅基地纠纷的处理" in html
    assert state != "hit"
