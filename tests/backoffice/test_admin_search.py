"""The programme's admin search (advisers/admin_search.py): the sidebar search of a bureau lands on
it, it finds villages, advisers, contracts and firms by name, code or licence, and never a record
outside the account's scope."""

from __future__ import annotations

from django.test import Client, RequestFactory
from wagtail.admin.search import admin_search_areas

from tests.conftest import BUZHAI

from .conftest import MINGXIANG


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sidebar_search_url(user) -> str:
    """Where Wagtail's sidebar search box sends this user: the first search area shown."""
    request = RequestFactory().get("/admin/")
    request.user = user
    return admin_search_areas.search_items_for_request(request)[0].url


def test_a_bureaus_sidebar_search_lands_on_the_programme_search(accounts, staff):
    from backoffice import roles

    assert sidebar_search_url(accounts["county"]) == "/admin/programme-search/"
    assert sidebar_search_url(accounts["committee"]) == "/admin/programme-search/"
    # A content editor of 崇左 has no programme records: the page search stays first.
    editor = staff("chongzuo_editor", roles.CONTENT_EDITOR, "4514")
    assert sidebar_search_url(editor) == "/admin/pages/search/"


def test_it_finds_each_kind_by_name_code_or_licence_in_scope(accounts, world):
    county = as_user(accounts["county"])
    page = county.get("/admin/programme-search/", {"q": "卜寨"}).content.decode()
    assert "顾问-卜寨" in page and "机构-卜寨" in page and "卜寨村委会" in page
    assert page.count("聘用合同") >= 1
    adviser = world.advisers[BUZHAI]
    by_licence = county.get("/admin/programme-search/", {"q": adviser.licence_no[:10]}).content.decode()
    assert "顾问-卜寨" in by_licence
    by_code = county.get("/admin/programme-search/", {"q": BUZHAI}).content.decode()
    assert "卜寨村委会" in by_code and f"/admin/villages/inspect/{BUZHAI}/" in by_code


def test_it_never_shows_another_countys_records(accounts, world):
    county = as_user(accounts["county"])
    page = county.get("/admin/programme-search/", {"q": "明祥"}).content.decode()
    assert "顾问-明祥" not in page and "机构-明祥" not in page and "明祥社区" not in page
    assert "本辖区没有与“明祥”相符" in page
    page = county.get("/admin/programme-search/", {"q": MINGXIANG}).content.decode()
    assert "明祥社区" not in page
    # The city sees both of its counties.
    city = as_user(accounts["city"]).get("/admin/programme-search/", {"q": "明祥"}).content.decode()
    assert "顾问-明祥" in city


def test_an_account_without_programme_records_is_refused(accounts):
    response = as_user(accounts["editor"]).get("/admin/programme-search/", {"q": "卜寨"})
    assert response.status_code == 403
