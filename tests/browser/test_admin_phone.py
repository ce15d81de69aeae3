"""The ledger and compliance pages on a 390×844 phone (issue 11): the place filter box can be seen
and the compliance title is not clipped by the export buttons."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from backoffice import roles
from backoffice.models import StaffProfile
from tests.conftest import BUZHAI, JIANGZHOU
from tests.factories import AdviserFactory, FirmFactory

pytestmark = pytest.mark.browser

PASSWORD = "demo12348"  # noqa: S105 -- the demo accounts' documented password

# A box a user can see: it has a border or a background that differs from the page behind it.
BOX_IS_VISIBLE = """
el => {
  const style = getComputedStyle(el);
  const border = ['Top', 'Right', 'Bottom', 'Left'].some(
    side => parseFloat(style[`border${side}Width`]) > 0 && style[`border${side}Style`] !== 'none');
  const page = getComputedStyle(document.body).backgroundColor;
  const filled = style.backgroundColor !== 'rgba(0, 0, 0, 0)' && style.backgroundColor !== page;
  return el.getBoundingClientRect().height >= 30 && (border || filled);
}
"""

# The title's text fits its box, inside the screen, and no header button covers it.
TITLE_IS_WHOLE = """
title => {
  const t = title.getBoundingClientRect();
  const overlaps = [...document.querySelectorAll('#w-slim-header-buttons a, #w-slim-header-buttons button')]
    .map(b => b.getBoundingClientRect())
    .filter(b => b.width > 0 && b.left < t.right && b.right > t.left && b.top < t.bottom && b.bottom > t.top);
  return {clipped: title.scrollWidth > title.clientWidth + 1, overlaps: overlaps.length,
          right: Math.round(t.right), width: window.innerWidth};
}
"""


@pytest.fixture
def jiangzhou(portal, make_contract):
    roles.ensure_roles()
    user = get_user_model().objects.create_user(username="jiangzhou_bureau", password=PASSWORD)
    user.groups.add(Group.objects.get(name=roles.COUNTY_BUREAU))
    StaffProfile.objects.create(user=user, scope_id=JIANGZHOU, organisation="江州区司法局")
    make_contract(AdviserFactory(name="韦卜寨", firm=FirmFactory(county_id=JIANGZHOU)), BUZHAI)
    return user


def log_in(page: Page) -> None:
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill("jiangzhou_bureau")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_the_ledger_place_filter_can_be_seen_and_used(page: Page, jiangzhou, screenshots):
    log_in(page)
    page.goto("/admin/ledger/")
    box = page.locator("#id_place")
    expect(box).to_be_visible()
    assert box.evaluate(BOX_IS_VISIBLE)
    page.screenshot(path=str(screenshots / "admin-ledger-390.png"), full_page=True)
    box.fill(JIANGZHOU)
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"place={JIANGZHOU}"))


def test_the_compliance_title_is_not_clipped_and_the_exports_are_reachable(
    page: Page, jiangzhou, screenshots
):
    log_in(page)
    page.goto("/admin/ledger/compliance/")
    # The visible title is the last breadcrumb; the page's h1 is for screen readers.
    title = page.locator("[data-w-breadcrumbs]").get_by_text("履职统计", exact=True)
    expect(title).to_be_visible()
    result = title.evaluate(TITLE_IS_WHOLE)
    page.screenshot(path=str(screenshots / "admin-compliance-390.png"), full_page=True)
    assert not result["clipped"] and result["overlaps"] == 0 and result["right"] <= result["width"], result
    page.locator("#w-slim-header-buttons").get_by_role("button", name="操作").click()
    expect(page.get_by_role("link", name="导出 CSV")).to_be_visible()
