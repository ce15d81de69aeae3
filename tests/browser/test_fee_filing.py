"""The fee filing journey on a phone: the adviser files a waiver, the bureau finds it from the
Wagtail admin's home and approves it, the adviser sees the decision."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.workflows.people import PASSWORD, make_people
from workflows.fee_filing.models import FeeFiling

from .conftest import VIEWPORT
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser


@pytest.fixture
def accounts(portal, make_contract, today):
    return make_people(make_contract, today)


def log_in(page: Page, username: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def assert_fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= VIEWPORT["width"] + 1, f"{page.url} scrolls sideways: {width}px"


def assert_usable(page: Page, axe_js) -> None:
    """No sideways scrolling on the phone, no serious or critical WCAG 2.1 A/AA violation."""
    assert_fits_the_phone(page)
    violations = axe_violations(page, axe_js)
    assert not violations, f"axe found on {page.url}:\n{describe(violations)}"


def test_adviser_files_a_waiver_and_the_bureau_approves_it(
    page: Page, browser: Browser, accounts, base_url, screenshots, axe_js
):
    # buzhai_adviser files a waiver from its inbox.
    log_in(page, "buzhai_adviser")
    page.goto("/admin/workflows/")
    page.get_by_role("link", name="提交收费/减免备案").first.click()
    expect(page.get_by_role("heading", level=2, name="提交收费/减免备案")).to_be_visible()
    page.get_by_label("服务对象类型").select_option(label="村(居)民个人")
    page.get_by_label("服务类型").select_option(label="代写、修改法律文书")
    page.get_by_label("服务时长（小时）").fill("2")
    page.get_by_label("事项简述").fill("代写赡养纠纷起诉状。")
    page.get_by_label("免收").check()
    page.get_by_label("收费标准（元）").fill("800")
    page.get_by_label("实收金额（元）").fill("0")
    page.get_by_label("减免理由").select_option(label="经济困难")
    assert_usable(page, axe_js)
    page.screenshot(path=str(screenshots / "fee-filing-form.png"), full_page=True)
    page.get_by_role("button", name="提交备案").click()
    expect(page.locator(".messages")).to_contain_text("备案已提交")
    expect(page.locator("body")).to_contain_text("待司法局审核")
    filing = FeeFiling.objects.get()
    process_url = page.url
    assert process_url.endswith(f"/admin/workflows/processes/{filing.pk}/")

    # jiangzhou_bureau finds it from the Wagtail admin's home and approves it.
    bureau_context = browser.new_context(base_url=base_url, viewport=VIEWPORT, locale="zh-CN")
    officer = bureau_context.new_page()
    log_in(officer, "jiangzhou_bureau")
    panel = officer.locator("#workflow-tasks-section")
    expect(panel).to_contain_text("待领取 1 件")
    panel.get_by_role("link", name="进入待办事项").click()
    expect(officer).to_have_url(re.compile(r"/admin/workflows/$"))
    officer.get_by_role("link", name=f"收费/减免备案 #{filing.pk}").click()
    expect(officer.locator("body")).to_contain_text("代写赡养纠纷起诉状")
    officer.get_by_role("button", name="领取并办理").click()
    expect(officer.locator(".messages")).to_contain_text("已领取")
    officer.get_by_label("通过备案").check()
    assert_usable(officer, axe_js)
    officer.screenshot(path=str(screenshots / "fee-filing-review.png"), full_page=True)
    officer.get_by_role("button", name="提交审核意见").click()
    expect(officer.locator(".messages")).to_contain_text("已通过备案")
    bureau_context.close()

    # The adviser sees the decision, and the service in the work ledger.
    page.goto(process_url)
    expect(page.locator(".workflow-summary")).to_contain_text("已备案通过")
    expect(page.locator(".workflow-summary")).to_contain_text("已于")
    assert_usable(page, axe_js)  # the process page, with its history and flow chart
    page.goto("/admin/workflows/processes/?state=all")
    expect(page.locator("table.listing")).to_contain_text("已备案通过")
    page.goto("/admin/ledger/")
    expect(page.locator("table.listing")).to_contain_text("起草/审核文书")
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.APPROVED and filing.ledger_entry is not None
