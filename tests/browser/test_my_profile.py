"""On a phone, an adviser publishes their mobile from the admin home and villagers can tap it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from advisers.models import Adviser
from tests.conftest import BUZHAI
from tests.workflows.people import make_people

from .test_fee_filing import assert_usable, log_in

pytestmark = pytest.mark.browser

MOBILE = "13977112345"


@pytest.fixture
def accounts(portal, make_contract, today):
    return make_people(make_contract, today)


def test_adviser_publishes_and_withdraws_the_mobile(page: Page, accounts, screenshots, axe_js):
    log_in(page, "buzhai_adviser")
    page.get_by_role("link", name="修改我的联系方式和公开设置").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的公开信息")
    expect(page.locator("body")).to_contain_text(accounts.adviser.licence_no)

    # A number that is not a mobile is refused in Chinese and nothing changes.
    page.get_by_label("个人手机", exact=True).fill("0771-123")
    page.get_by_label("同意公开个人手机").check()
    page.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("请输入11位手机号码")
    assert not Adviser.objects.get(pk=accounts.adviser.pk).mobile_consent
    assert_usable(page, axe_js)

    page.get_by_label("个人手机", exact=True).fill(MOBILE)
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    expect(page.locator("body")).to_contain_text("同意公开个人手机。取消勾选并保存即撤回同意")
    assert_usable(page, axe_js)
    page.screenshot(path=str(screenshots / "adviser-my-profile.png"), full_page=True)

    village = page.context.new_page()
    village.goto(f"/directory/{BUZHAI}/")
    expect(village.locator(f'a[href="tel:{MOBILE}"]')).to_be_visible()

    page.get_by_label("同意公开个人手机").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已保存")
    village.reload()
    expect(village.locator("body")).to_contain_text(accounts.adviser.name)
    expect(village.locator(f'a[href="tel:{MOBILE}"]')).to_have_count(0)
