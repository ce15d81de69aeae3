"""The JSON API for any division code, and the health probes."""

from __future__ import annotations

import pytest

from tests.conftest import BUZHAI, JIANGZHOU, TAIPING
from tests.test_public_pages import UNCOVERED, served  # noqa: F401 -- shared fixture

MAX_QUERIES = 12


def test_village_json(client, served, django_assert_max_num_queries):  # noqa: F811
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(f"/api/directory/{BUZHAI}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = response.json()
    assert data["code"] == BUZHAI and data["name"] == "卜寨村委会" and data["level"] == "village"
    assert [p["name"] for p in data["parents"]] == ["广西壮族自治区", "崇左市", "江州区", "太平街道"]
    assert data["covered"] is True
    adviser = data["adviser"]
    assert adviser["name"] == "韦明" and adviser["mobile"] == "13807711234"
    assert adviser["phone"] == "13807711234" and adviser["office_phone"] == "0771-7830001"
    assert adviser["on_site_hours"][0]["text"] == "每月第1、3个星期三 9:00–12:00"
    assert adviser["on_site_hours"][0]["rrule"].startswith("FREQ=MONTHLY;BYDAY=1WE,3WE")
    assert adviser["url"].endswith(f"/advisers/{served.pk}/")
    assert data["liaison_officers"][0]["phone"] == "13977100000"
    assert data["service_room"]["six_ones"]["一名法律顾问"] is True
    assert data["notice_board"]["png"].endswith(f"/directory/{BUZHAI}/notice-board.png")
    assert data["bureau"]["name"] == "江州区司法局"
    assert "卜寨" in response.content.decode()  # readable UTF-8, not \\u escapes


def test_village_json_hides_mobile_without_consent(client, served):  # noqa: F811
    served.mobile_consent = False
    served.save()
    adviser = client.get(f"/api/directory/{BUZHAI}").json()["adviser"]
    assert adviser["mobile"] is None and adviser["phone"] == "0771-7830001"
    assert "13807711234" not in client.get(f"/api/directory/{BUZHAI}").content.decode()


def test_uncovered_village_json(client, served):  # noqa: F811
    data = client.get(f"/api/directory/{UNCOVERED}").json()
    assert data["covered"] is False and data["adviser"] is None
    assert data["bureau"]["phone"] == "0771-7821234"


def test_township_json_lists_villages_with_advisers(client, served, django_assert_max_num_queries):  # noqa: F811
    with django_assert_max_num_queries(MAX_QUERIES):
        data = client.get(f"/api/directory/{TAIPING}").json()
    assert data["level"] == "township"
    by_code = {c["code"]: c for c in data["children"]}
    assert by_code[BUZHAI]["adviser"]["name"] == "韦明"
    assert by_code[UNCOVERED]["covered"] is False
    assert data["coverage"] == {
        "villages": len(by_code),
        "covered": 1,
        "percent": round(100 / len(by_code), 1),
    }


def test_county_and_province_json(client, served):  # noqa: F811
    county = client.get(f"/api/directory/{JIANGZHOU}").json()
    taiping = next(c for c in county["children"] if c["code"] == TAIPING)
    assert taiping["coverage"]["covered"] == 1
    assert county["coverage"]["villages"] == 143
    province = client.get("/api/directory/45").json()
    assert province["level"] == "province" and province["children"][0]["name"] == "崇左市"
    assert province["coverage"]["villages"] == 931


@pytest.mark.parametrize("code", ["abc", "1234567", "999999999999"])
def test_bad_codes_answer_json_404(client, divisions, code):
    response = client.get(f"/api/directory/{code}")
    assert response.status_code == 404 and "error" in response.json()


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_reports_database_and_search(client, db):
    data = client.get("/readyz").json()
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["search"]["backend"] == "database"
