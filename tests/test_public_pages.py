"""Every public directory page, for a covered and an uncovered village, with query budgets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from advisers.models import CountyBureau
from places.models import Division
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING, village_codes
from tests.factories import AdviserFactory, LiaisonFactory, RoomFactory, ScheduleFactory

UNCOVERED = "451402001202"  # a village of 太平街道 left without a contract in these tests
MAX_QUERIES = 12


@pytest.fixture
def served(divisions, make_contract):
    """卜寨村委会 served by an adviser who consented to publish a mobile; bureau and room set up."""
    CountyBureau.objects.create(
        county_id=JIANGZHOU, name="江州区司法局", phone="0771-7821234", address="江州区新民路1号"
    )
    adviser = AdviserFactory(
        name="韦明",
        mobile="13807711234",
        mobile_consent=True,
        office_phone="0771-7830001",
        bio="擅长土地纠纷。",
    )
    contract = make_contract(adviser, BUZHAI)
    ScheduleFactory(contract=contract)
    LiaisonFactory(village_id=BUZHAI, name="农秀英", phone="13977100000", phone_consent=True)
    RoomFactory(village_id=BUZHAI, address="卜寨村委会办公楼一楼")
    return adviser


def test_home_page_finds_a_village_by_part_of_its_name(client, served):
    response = client.get("/", {"q": "卜寨"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/directory/{BUZHAI}/"' in html
    assert "卜寨村委会" in html and "崇左市江州区太平街道" in html
    assert "韦明" in html and 'href="tel:13807711234"' in html


def test_home_page_without_a_match_says_so(client, divisions):
    response = client.get("/", {"q": "不存在的村"})
    assert response.status_code == 200
    assert "没有找到" in response.content.decode()


@pytest.mark.parametrize("query", ["'\"; DROP TABLE x; --", "\x00\x07卜", "卜" * 5000, "%_%", "  "])
def test_home_page_survives_odd_queries(client, divisions, query):
    assert client.get("/", {"q": query}).status_code == 200


def test_home_page_offers_browsing_and_hotline(client, divisions):
    html = client.get("/").content.decode()
    assert 'href="tel:12348"' in html
    assert f'href="/directory/{JIANGZHOU}/"' in html and "江州区" in html
    assert 'href="/directory/630105/"' in html


def test_directory_index_lists_counties_with_coverage(client, served):
    response = client.get(reverse("directory:index"))
    html = response.content.decode()
    assert response.status_code == 200
    for name in ["江州区", "宁明县", "凭祥市", "城北区"]:
        assert name in html
    assert "1/143 个村(社区)已聘" in html  # 江州区: only 卜寨 is covered in this test


def test_county_page_lists_townships_with_coverage(client, served):
    html = client.get(reverse("directory:place", args=[JIANGZHOU])).content.decode()
    assert "太平街道" in html and f'href="/directory/{TAIPING}/"' in html
    assert "江州区司法局" in html and 'href="tel:0771-7821234"' not in html  # dialled without dashes
    assert 'href="tel:07717821234"' in html


def test_township_page_lists_villages_and_advisers(client, served, django_assert_max_num_queries):
    url = reverse("directory:place", args=[TAIPING])
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("暂未聘请法律顾问") == len(village_codes(TAIPING, 1000)) - 1
    assert "韦明" in html and 'href="tel:13807711234"' in html


def test_township_listing_queries_do_not_grow_with_contracts(
    client, divisions, make_contract, django_assert_max_num_queries
):
    # No demo township has 30 villages; add synthetic ones so the listing is long.
    Division.objects.bulk_create(
        Division(
            code=f"{TAIPING}{300 + n}",
            name=f"测试{n}村委会",
            level=5,
            parent_id=TAIPING,
            county_code=JIANGZHOU,
        )
        for n in range(30)
    )
    villages = village_codes(TAIPING, 40)
    assert len(villages) == 40
    for start in range(0, len(villages), 5):
        adviser = AdviserFactory()
        for code in villages[start : start + 5]:
            contract = make_contract(adviser, code)
            ScheduleFactory(contract=contract)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("directory:place", args=[TAIPING]))
    assert response.content.decode().count('class="phone"') == len(villages)


def test_covered_village_page_shows_the_notice_board_facts(client, served, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("directory:place", args=[BUZHAI]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "韦明" in html and "测试律师事务所" in html
    assert 'href="tel:13807711234"' in html and 'href="tel:07717830001"' in html
    assert "每月第1、3个星期三 9:00–12:00" in html
    assert "开展法治宣传" in html  # duties
    assert "农秀英" in html and 'href="tel:13977100000"' in html  # liaison with consent
    assert "卜寨村委会办公楼一楼" in html and "六个一" in html
    assert f"/directory/{BUZHAI}/notice-board.pdf" in html


def test_village_page_queries_do_not_grow(client, served, make_contract, django_assert_max_num_queries):
    contract = served.contracts.get()
    for _ in range(5):
        ScheduleFactory(contract=contract)
    for _ in range(3):
        LiaisonFactory(village_id=BUZHAI, phone_consent=True)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(reverse("directory:place", args=[BUZHAI])).status_code == 200


def test_personal_mobile_needs_recorded_consent(client, served):
    served.mobile_consent = False
    served.save()
    assert served.mobile_consent_at is None
    html = client.get(reverse("directory:place", args=[BUZHAI])).content.decode()
    assert "13807711234" not in html
    assert 'href="tel:07717830001"' in html  # office phone instead
    html = client.get(reverse("directory:adviser", args=[served.pk])).content.decode()
    assert "13807711234" not in html


def test_liaison_phone_needs_consent(client, served):
    served_liaison = served.contracts.get().village.liaison_officers.get()
    served_liaison.phone_consent = False
    served_liaison.save()
    html = client.get(reverse("directory:place", args=[BUZHAI])).content.decode()
    assert "农秀英" in html and "13977100000" not in html


def test_uncovered_village_says_so_with_bureau_and_hotline(client, served, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("directory:place", args=[UNCOVERED]))
    html = response.content.decode()
    assert "本村(社区)暂未聘请法律顾问" in html
    assert 'href="tel:12348"' in html
    assert "江州区司法局" in html and 'href="tel:07717821234"' in html


def test_expired_contract_leaves_village_uncovered(client, divisions, make_contract, today):
    make_contract(
        AdviserFactory(),
        UNCOVERED,
        start_date=today - dt.timedelta(days=400),
        end_date=today - dt.timedelta(days=1),
    )
    html = client.get(reverse("directory:place", args=[UNCOVERED])).content.decode()
    assert "暂未聘请法律顾问" in html


def test_adviser_page(client, served):
    response = client.get(reverse("directory:adviser", args=[served.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "韦明" in html and "卜寨村委会" in html and "擅长土地纠纷" in html
    assert "执业 " in html and 'href="tel:13807711234"' in html


def test_an_adviser_no_longer_in_post_has_no_public_page(client, served):
    """不在岗: the page, with its name and mobile number, is gone (and so is its search entry)."""
    served.is_active = False
    served.save(update_fields=["is_active"])
    response = client.get(reverse("directory:adviser", args=[served.pk]))
    assert response.status_code == 404
    assert "13807711234" not in response.content.decode()


def test_province_and_city_pages(client, served):
    assert "崇左市" in client.get("/directory/45/").content.decode()
    html = client.get("/directory/4514/").content.decode()
    assert "江州区" in html and "宁明县" in html


BAD_CODES = ["abc", "45140200120", "4514020012011", "999999999999", "99", "0", "-1", "４５", "%00"]


@pytest.mark.parametrize("code", BAD_CODES)
@pytest.mark.parametrize(
    "pattern",
    [
        "/directory/{}/",
        "/directory/{}/notice-board.png",
        "/directory/{}/notice-board.pdf",
        "/api/directory/{}",
    ],
)
def test_unknown_or_malformed_codes_are_404(client, divisions, code, pattern):
    response = client.get(pattern.format(code))
    assert response.status_code == 404


def test_404_page_is_ours_and_helpful(client, divisions):
    response = client.get("/directory/999999999999/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and 'href="tel:12348"' in html


@pytest.mark.parametrize("path", ["/advisers/999999/", "/advisers/abc/"])
def test_unknown_adviser_is_404(client, db, path):
    assert client.get(path).status_code == 404


def test_notice_board_only_for_villages(client, divisions):
    assert client.get(f"/directory/{TAIPING}/notice-board.png").status_code == 404


def test_pages_are_public_and_cacheable(client, served):
    response = client.get(reverse("directory:place", args=[BUZHAI]))
    assert "public" in response["Cache-Control"]


def test_post_is_not_allowed_on_public_pages(client, divisions):
    assert client.post(reverse("directory:place", args=[BUZHAI])).status_code == 405
