"""The layout on a 390×844 phone: nothing sticks out sideways, buttons are big enough to tap.

The screenshots land in .cache/screenshots/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.conftest import BUZHAI, JIANGZHOU, TAIPING

from .conftest import UNCOVERED, VIEWPORT

pytestmark = pytest.mark.browser

MIN_TAP_TARGET = 44  # px

# Elements whose right edge is past the viewport, ignoring the off-screen skip link and the
# visually-hidden labels (1px boxes clipped on purpose).
OVERFLOWING = """
width => [...document.querySelectorAll('body *')]
  .filter(el => {
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.right > width + 0.5 && !el.closest('.skip-link');
  })
  .map(el => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}" right=${Math.round(el.getBoundingClientRect().right)}`)
"""

# Controls meant to be tapped: call links, buttons, the search box, list links.
SMALL_TARGETS = """
min => [...document.querySelectorAll(
    'a.phone, a.button, button, input, .hotline-button, .site-nav a, .place-list a, .link-grid a')]
  .filter(el => el.getBoundingClientRect().height < min)
  .map(el => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim()}" ${Math.round(el.getBoundingClientRect().height)}px`)
"""

PAGES = [
    pytest.param("/", id="home"),
    pytest.param("/?q=卜寨", id="home-results"),
    pytest.param("/directory/", id="directory"),
    pytest.param(f"/directory/{JIANGZHOU}/", id="county"),
    pytest.param(f"/directory/{TAIPING}/", id="township"),
    pytest.param(f"/directory/{BUZHAI}/", id="covered-village"),
    pytest.param(f"/directory/{UNCOVERED}/", id="uncovered-village"),
]


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_phone_and_its_controls_are_big_enough(page: Page, buzhai_adviser, path):
    page.goto(path)
    assert page.evaluate("document.scrollingElement.scrollWidth") <= VIEWPORT["width"]
    assert page.evaluate(OVERFLOWING, VIEWPORT["width"]) == []
    assert page.evaluate(SMALL_TARGETS, MIN_TAP_TARGET) == []


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_a_small_old_phone(page: Page, buzhai_adviser, path):
    """320px wide (older and budget Android phones): still nothing to scroll sideways."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(path)
    assert page.evaluate(OVERFLOWING, 320) == []


@pytest.mark.parametrize(
    "name, path",
    [
        pytest.param("home", "/", id="home"),
        pytest.param("home-results", "/?q=卜寨", id="home-results"),
        pytest.param("village", f"/directory/{BUZHAI}/", id="covered-village"),
        pytest.param("village-uncovered", f"/directory/{UNCOVERED}/", id="uncovered-village"),
    ],
)
def test_screenshot(page: Page, buzhai_adviser, screenshots, name, path):
    page.goto(path)
    page.screenshot(path=screenshots / f"{name}.png", full_page=True)
    above_the_fold = screenshots / f"{name}-390x844.png"
    page.screenshot(path=above_the_fold)
    assert above_the_fold.stat().st_size > 0
