"""A villager on a phone reads legal education and puts the next lecture in their calendar.

Also: axe-core finds no serious or critical WCAG 2.1 A/AA violations on the home, article,
lecture and village pages, on both sites' themes.
"""

from __future__ import annotations

import re

import icalendar
import pytest
from django.core.cache import cache
from playwright.sync_api import Page, expect

from tests.conftest import BUZHAI

from .conftest import VIEWPORT
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

ARTICLE_TITLE = "借钱给亲戚朋友，借条怎么写才管用？"
LECTURE_TOPIC = "家门口的法律课：土地承包与宅基地"


@pytest.fixture
def content(portal, buzhai_adviser):
    """Articles with illustrations, and lectures at 卜寨村委会 given by its adviser."""
    from wagtail.models import Collection

    from content.categories import ensure_seed_categories
    from content.models import Lecture
    from tests.content_helpers import articles_index, category, make_article, make_image, make_lecture

    # The transactional test database was flushed: the seed categories and the root collection
    # that migrations create are gone.
    ensure_seed_categories()
    if not Collection.objects.exists():
        Collection.add_root(name="Root")
    index = articles_index()
    cover = make_image("借条插图")
    article = make_article(
        index,
        title=ARTICLE_TITLE,
        slug="jietiao",
        category=category("contract-disputes"),
        intro="一张写清楚的借条，能省掉以后很多麻烦。",
        cover_image=cover,
        cover_alt="一份写满条款、盖了红章的合同和一支笔",
        tags=["借条"],
        body=[
            ("heading", "一张好借条要写清楚"),
            (
                "paragraph",
                "<p>借款人和出借人的真实姓名、借款金额、借款日期和还款日期、利息，以及亲笔签名。</p>",
            ),
            (
                "image",
                {
                    "image": {"image": cover, "decorative": False, "alt_text": "借条示意图"},
                    "caption": "借条上写清金额、日期、利息和签名。",
                },
            ),
            (
                "law_quote",
                {
                    "law": "《中华人民共和国民法典》",
                    "article": "第六百六十八条第一款",
                    "text": "借款合同应当采用书面形式，但是自然人之间借款另有约定的除外。",
                    "source_url": "https://flk.npc.gov.cn/",
                },
            ),
            (
                "case",
                {
                    "title": "没写日期的借条",
                    "facts": "借条上没有写还款时间和利息。",
                    "outcome": "法院判决归还本金。",
                    "analysis": "自然人之间借款没约定利息的，视为没有利息。",
                },
            ),
            (
                "questions",
                {
                    "heading": "常见问题",
                    "items": [{"question": "借条要按手印吗？", "answer": "<p>最好亲笔签名并按手印。</p>"}],
                },
            ),
        ],
    )
    make_article(
        index,
        title="承包地边界被邻居占了，怎么办？",
        category=category("land-rights"),
        cover_image=make_image("田地"),
    )
    lecture = make_lecture(
        BUZHAI,
        days=6,
        topic=LECTURE_TOPIC,
        speaker=buzhai_adviser,
        guest_speaker="",
        venue="卜寨村委会二楼会议室",
    )
    make_lecture(
        BUZHAI,
        days=-20,
        topic="婚姻家庭与彩礼纠纷",
        speaker=buzhai_adviser,
        guest_speaker="",
        status=Lecture.Status.HELD,
        attendance=64,
    )
    cache.clear()
    return {"article": article, "lecture": lecture}


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} scrolls sideways: {width}px wide"


def test_villager_reads_an_article_and_adds_a_lecture_to_the_calendar(page: Page, content, tmp_path):
    page.goto("/")
    articles = page.get_by_role("region", name="普法园地")
    expect(articles).to_be_visible()
    articles.get_by_role("link", name=ARTICLE_TITLE).click()

    expect(page).to_have_url(re.compile(r"/articles/jietiao/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE_TITLE)
    expect(page.get_by_text("以案说法：没写日期的借条")).to_be_visible()
    picture = page.locator(".article-body picture img")
    expect(picture).to_have_attribute("alt", "借条示意图")
    # The phone picks a WebP rendition from the srcset, sized for a 390px screen.
    current = picture.evaluate("img => img.currentSrc")
    assert current.endswith(".webp"), current
    assert_fits_the_phone(page)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="首页").click()
    lectures = page.get_by_role("region", name="近期法制讲座")
    lectures.get_by_role("link", name=LECTURE_TOPIC).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(LECTURE_TOPIC)
    expect(page.get_by_text("卜寨村委会二楼会议室")).to_be_visible()
    assert_fits_the_phone(page)

    add = page.get_by_role("link", name="加入手机日历")
    box = add.bounding_box()
    assert box and box["height"] >= 44, "the calendar button is big enough to tap"
    with page.expect_download() as download_info:
        add.click()
    download = download_info.value
    assert download.suggested_filename == f"lecture-{content['lecture'].pk}.ics"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    calendar = icalendar.Calendar.from_ical(saved.read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == f"法制讲座：{LECTURE_TOPIC}"
    assert event.decoded("DTSTART") == content["lecture"].starts_at
    assert "卜寨村委会二楼会议室" in str(event["LOCATION"])


def test_village_page_lists_its_next_lecture(page: Page, content):
    page.goto(f"/directory/{BUZHAI}/")
    section = page.get_by_role("region", name="近期法制讲座")
    expect(section.get_by_role("link", name=LECTURE_TOPIC)).to_be_visible()
    section.get_by_role("link", name="设为我的村(社区)").click()
    expect(page).to_have_url(re.compile(r"/#my-village$"))
    mine = page.locator("#my-village")
    expect(mine).to_contain_text("我的村(社区)：卜寨村委会")
    expect(mine.get_by_role("link", name=LECTURE_TOPIC)).to_be_visible()


def assert_accessible(page: Page, axe_js, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    violations = axe_violations(page, axe_js)
    assert not violations, f"axe found on {path}:\n{describe(violations)}"


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="home"),
        pytest.param("/articles/", id="article-index"),
        pytest.param("/articles/?category=contract-disputes", id="article-category"),
        pytest.param("/articles/jietiao/", id="article"),
        pytest.param("/lectures/", id="lectures"),
        pytest.param("/lectures/?when=past", id="past-lectures"),
        pytest.param(f"/lectures/?area={BUZHAI[:9]}", id="lectures-in-a-township"),
        pytest.param(f"/directory/{BUZHAI}/", id="village"),
    ],
)
def test_pages_have_no_serious_violations(page: Page, axe_js, content, path):
    assert_accessible(page, axe_js, path)


def test_lecture_page_has_no_serious_violations(page: Page, axe_js, content):
    assert_accessible(page, axe_js, content["lecture"].get_absolute_url())


def test_home_with_a_chosen_village_has_no_serious_violations(page: Page, axe_js, content):
    page.goto(f"/my-village/?code={BUZHAI}")
    violations = axe_violations(page, axe_js)
    assert page.locator("#my-village").count() == 1
    assert not violations, describe(violations)


@pytest.mark.parametrize("theme", ["chongzuo", "chengbei"])
def test_each_theme_keeps_the_pages_accessible(page: Page, axe_js, content, theme):
    """The themes change colours: axe's contrast check runs on each."""
    from wagtail.models import Site

    from sites.models import JurisdictionSettings

    JurisdictionSettings.objects.filter(site=Site.objects.get(is_default_site=True)).update(theme=theme)
    cache.clear()
    for path in ("/", "/articles/jietiao/", content["lecture"].get_absolute_url(), f"/directory/{BUZHAI}/"):
        response = page.goto(path)
        assert response is not None and response.status == 200
        assert f"themes/{theme}/theme.css" in page.content()
        violations = axe_violations(page, axe_js)
        assert not violations, f"axe found on {path} ({theme}):\n{describe(violations)}"
