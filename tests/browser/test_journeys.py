"""A villager's journeys on a phone: find the village's adviser and call them, or call 12348."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import BUZHAI

from .conftest import ADVISER_MOBILE, ADVISER_MOBILE_DIALLED, ADVISER_NAME, UNCOVERED, VIEWPORT

pytestmark = pytest.mark.browser

MIN_TAP_TARGET = 44  # px, WCAG 2.5.5 and the platforms' guidelines


def assert_no_horizontal_scroll(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} scrolls sideways: {width}px wide at {VIEWPORT['width']}px"


def assert_stylesheet_loaded(page: Page) -> None:
    """Contrast and size checks mean nothing if site.css failed to load."""
    colour = page.locator(".site-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(163, 22, 26)", f"site.css did not load on {page.url} (header background {colour})"


def search_for_village(page: Page, query: str) -> None:
    page.goto("/")
    page.get_by_label("输入村(社区)名称").fill(query)
    page.get_by_role("button", name="查找").click()


def test_villager_types_buzhai_and_reaches_the_advisers_phone(page: Page, buzhai_adviser):
    """The issue's journey: from the home page type 卜寨, reach 卜寨村委会, see the number to tap."""
    search_for_village(page, "卜寨")
    assert_stylesheet_loaded(page)

    results = page.locator("#results .card").filter(has_text="江州区太平街道")
    link = results.get_by_role("link", name="卜寨村委会", exact=True)
    expect(link).to_be_visible()
    assert_no_horizontal_scroll(page)
    link.click()

    expect(page).to_have_url(re.compile(rf"/directory/{BUZHAI}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("卜寨村委会")
    expect(page.get_by_role("link", name=ADVISER_NAME)).to_be_visible()

    call = page.locator(f'a[href="tel:{ADVISER_MOBILE_DIALLED}"]')
    expect(call).to_be_visible()
    expect(call).to_contain_text(ADVISER_MOBILE)
    box = call.bounding_box()
    assert box is not None
    assert box["height"] >= MIN_TAP_TARGET, f"tap target is {box['height']}px tall"
    assert_no_horizontal_scroll(page)


def test_search_results_offer_the_advisers_number_directly(page: Page, buzhai_adviser):
    """A villager who only wants to call need not open the village page."""
    search_for_village(page, "卜寨")
    # The search lists the village and its adviser (whose card names the village too): the
    # village's own card carries the number.
    card = page.locator("#results .card.result-village").filter(has_text="卜寨村委会")
    expect(card.get_by_text(ADVISER_NAME)).to_be_visible()
    expect(card.locator("a.phone")).to_have_attribute("href", f"tel:{ADVISER_MOBILE_DIALLED}")


def test_search_works_without_javascript(new_context, base_url, buzhai_adviser):
    context = new_context(java_script_enabled=False)
    page = context.new_page()
    search_for_village(page, "卜寨")
    expect(page).to_have_url(re.compile(r"[?&]q=%E5%8D%9C%E5%AF%A8"))
    page.locator("#results").get_by_role("link", name="卜寨村委会", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/directory/{BUZHAI}/$"))
    expect(page.locator(f'a.phone[href="tel:{ADVISER_MOBILE_DIALLED}"]')).to_be_visible()


def test_search_for_an_unknown_name_says_so(page: Page, portal):
    search_for_village(page, "不存在的村")
    expect(page.get_by_text("没有找到名称或内容包含这些字的村(社区)")).to_be_visible()


def test_uncovered_village_reached_by_browsing_points_to_12348(page: Page, portal):
    page.goto("/directory/")
    assert_stylesheet_loaded(page)
    page.get_by_role("link", name="江州区", exact=True).click()
    page.get_by_role("link", name="太平街道", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("太平街道")
    page.get_by_role("link", name="公益村委会", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/directory/{UNCOVERED}/$"))
    expect(page.get_by_text("暂未聘请法律顾问")).to_be_visible()
    hotline = page.locator('main a[href="tel:12348"]')
    expect(hotline).to_be_visible()
    box = hotline.bounding_box()
    assert box is not None
    assert box["height"] >= MIN_TAP_TARGET
    expect(page.get_by_text("江州区司法局").first).to_be_visible()
    assert_no_horizontal_scroll(page)
