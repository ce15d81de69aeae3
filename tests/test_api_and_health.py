"""The JSON API for any division code, and the health probes."""

from __future__ import annotations

import json

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


READYZ_TOKEN = "readyz-test-token"  # noqa: S105 -- a test value


@pytest.fixture
def readyz_token(settings):
    settings.PORTAL_READYZ_TOKEN = READYZ_TOKEN
    return {"HTTP_AUTHORIZATION": f"Bearer {READYZ_TOKEN}"}


def test_readyz_tells_the_public_only_ok(client, db, readyz_token):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    for wrong in ("Bearer wrong-token", f"Basic {READYZ_TOKEN}", "Bearer "):
        assert client.get("/readyz", HTTP_AUTHORIZATION=wrong).json() == {"status": "ok"}


def test_readyz_without_a_configured_token_accepts_none(client, db, settings):
    settings.PORTAL_READYZ_TOKEN = ""
    assert client.get("/readyz", HTTP_AUTHORIZATION="Bearer ").json() == {"status": "ok"}


def test_readyz_reports_database_and_search_to_a_token(client, db, readyz_token):
    data = client.get("/readyz", **readyz_token).json()
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["search"]["backend"] == "database"
    assert data["static"] == {"ok": True, "manifest": None}  # test settings: no manifest storage


def test_readyz_reports_details_to_staff_only(client, db, django_user_model):
    villager = django_user_model.objects.create_user("villager", password="x-Pass-12345")
    client.force_login(villager)
    assert client.get("/readyz").json() == {"status": "ok"}
    staff = django_user_model.objects.create_user("operator", password="x-Pass-12345", is_staff=True)
    client.force_login(staff)
    assert client.get("/readyz").json()["database"]["ok"] is True


@pytest.fixture
def manifest_storage(settings, tmp_path):
    """Production's manifest storage over an empty STATIC_ROOT (the storage reloads on change)."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "portal.storage.PortalStaticFilesStorage"},
    }
    return tmp_path


def test_readyz_is_unavailable_without_the_static_manifest(client, db, manifest_storage, readyz_token):
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json() == {"status": "unavailable"}
    data = client.get("/readyz", **readyz_token).json()
    assert data["static"] == {"ok": False, "manifest": "staticfiles.json", "entries": 0}
    assert data["database"]["ok"] is True


def test_readyz_is_ready_with_the_static_manifest(client, db, settings, manifest_storage, readyz_token):
    manifest = {"paths": {"portal/site.css": "portal/site.0123456789ab.css"}, "version": "1.1", "hash": "x"}
    (manifest_storage / "staticfiles.json").write_text(json.dumps(manifest))
    # A process loads the manifest once, when its storage is created: switch it anew.
    settings.STATIC_ROOT = str(manifest_storage)
    response = client.get("/readyz", **readyz_token)
    assert response.status_code == 200 and response.json()["static"]["entries"] == 1


def test_readyz_keeps_the_search_probe_for_a_few_seconds(client, db, settings, monkeypatch, readyz_token):
    """A hanging Elasticsearch costs one probe per process and period, not one per poll."""
    from directory import health
    from search import es

    probes = []
    real_state = es.state

    def counted_state():
        probes.append(1)
        return real_state()

    monkeypatch.setattr(es, "state", counted_state)
    settings.PORTAL_READYZ_SEARCH_PROBE_SECONDS = 300
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # the discard port: nothing answers
    health.forget_search_probe()
    try:
        first = client.get("/readyz", **readyz_token).json()
        second = client.get("/readyz", **readyz_token).json()
        assert len(probes) == 1
        assert first["search"] == second["search"]
        assert first["search"]["backend"] == "database-fallback" and first["status"] == "ok"
        assert first["search"]["elasticsearch"]["reachable"] is False
        settings.PORTAL_READYZ_SEARCH_PROBE_SECONDS = 0
        client.get("/readyz", **readyz_token)
        assert len(probes) == 2
    finally:
        health.forget_search_probe()
