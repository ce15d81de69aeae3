"""The assessment journey in the browser, on a phone (390×844) and at desktop width.

jiangzhou_bureau launches this year's campaign; buzhai_adviser files the self-report;
buzhai_committee gives its opinion and the questionnaires; taiping_office its initial opinion;
the bureau scores, rewards, closes and publishes; the public page shows the result; the renewal
the reward started follows (the committee agrees, the bureau renews). axe finds no
serious or critical violation on the pages visited, and no page scrolls sideways on the phone.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import JIANGZHOU
from tests.workflows.assessment_helpers import good_year_of_work, indicator_pk, township_user
from tests.workflows.people import PASSWORD, make_people
from workflows.assessment.models import Assessment, Campaign
from workflows.renewal.models import Renewal

from .conftest import VIEWPORT
from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def accounts(portal, make_contract, today):
    people = make_people(make_contract, today)
    township_user()
    good_year_of_work(people.adviser.contracts.get(), today.year)
    return people


def log_in(page: Page, username: str) -> None:
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def check(page: Page, axe_js, viewport) -> None:
    if viewport is VIEWPORT:
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= VIEWPORT["width"] + 1, f"{page.url} scrolls sideways: {width}px"
    violations = axe_violations(page, axe_js)
    assert not violations, f"axe found on {page.url}:\n{describe(violations)}"


def as_account(browser: Browser, base_url: str, viewport, username: str) -> Page:
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    log_in(page, username)
    return page


def field(page: Page, assessment: Assessment, key: str):
    return page.locator(f'[name="score_{indicator_pk(assessment.campaign, key)}"]')


def open_task(page: Page, process, *, claim: bool, title: str = "年度考评") -> None:
    page.goto("/admin/workflows/")
    page.get_by_role("link", name=f"{title} #{process.pk}").first.click()
    if claim:
        page.get_by_role("button", name="领取并办理").click()
        expect(page.locator(".messages")).to_contain_text("已领取")


@pytest.mark.parametrize("viewport", [VIEWPORT, DESKTOP], ids=["phone", "desktop"])
def test_a_campaign_from_launch_to_publication(browser: Browser, accounts, base_url, axe_js, today, viewport):
    bureau = as_account(browser, base_url, viewport, "jiangzhou_bureau")
    bureau.goto("/admin/workflows/assessment/")
    check(bureau, axe_js, viewport)
    bureau.get_by_label("考评年度").fill(str(today.year))
    bureau.get_by_role("button", name="发起考评").click()
    expect(bureau.locator(".messages")).to_contain_text("已发起 1 个县(市、区)的年度考评，共 1 项")
    check(bureau, axe_js, viewport)
    assessment = Assessment.objects.get()

    adviser = as_account(browser, base_url, viewport, "buzhai_adviser")
    open_task(adviser, assessment, claim=False)
    adviser.locator('[name="summary"]').fill("全年按时驻点，开展讲座一次。")
    field(adviser, assessment, "self_report").fill("5")
    check(adviser, axe_js, viewport)
    adviser.get_by_role("button", name="提交").click()
    expect(adviser.locator(".messages")).to_contain_text("自评述职已提交")

    committee = as_account(browser, base_url, viewport, "buzhai_committee")
    open_task(committee, assessment, claim=True)
    committee.locator('[name="opinion"]').fill("顾问认真负责。")
    field(committee, assessment, "committee_opinion").fill("14")
    committee.locator(f'[name="na_{indicator_pk(assessment.campaign, "responsiveness")}"]').check()
    committee.locator('[name="questionnaires"]').fill("12")
    committee.locator('[name="satisfied"]').fill("11")
    committee.locator('[name="basically"]').fill("1")
    committee.locator('[name="not_satisfied"]').fill("0")
    check(committee, axe_js, viewport)
    committee.get_by_role("button", name="提交").click()
    expect(committee.locator(".messages")).to_contain_text("评议意见已提交")

    office = as_account(browser, base_url, viewport, "taiping_office")
    open_task(office, assessment, claim=True)
    office.locator('[name="opinion"]').fill("同意村委会意见。")
    field(office, assessment, "notice_board").fill("5")
    office.get_by_role("button", name="提交").click()
    expect(office.locator(".messages")).to_contain_text("初评意见已提交")

    open_task(bureau, assessment, claim=True)
    expect(bureau.locator("body")).to_contain_text("工作台账计算的指标")
    field(bureau, assessment, "fee_filings").fill("5")
    bureau.get_by_label("奖励（以案定补）").check()
    bureau.locator('[name="reward_amount"]').fill("1000")
    check(bureau, axe_js, viewport)
    bureau.get_by_role("button", name="提交").click()
    expect(bureau.locator(".messages")).to_contain_text("已评定等次和处理意见")
    expect(bureau.locator(".workflow-summary")).to_contain_text("优秀")

    campaign = Campaign.objects.get()
    bureau.goto(f"/admin/workflows/assessment/{campaign.pk}/")
    bureau.get_by_role("button", name="结束考评").click()
    expect(bureau.locator(".messages")).to_contain_text("考评已结束")
    bureau.get_by_role("button", name="公示考评结果").click()
    expect(bureau.locator(".messages")).to_contain_text("已公示")
    check(bureau, axe_js, viewport)

    public = browser.new_context(
        base_url=base_url, viewport=viewport, locale="zh-CN", bypass_csp=True
    ).new_page()
    public.goto(f"/directory/{JIANGZHOU}/assessment/{today.year}/")
    expect(public.locator("main")).to_contain_text(accounts.adviser.name)
    expect(public.locator("main")).to_contain_text("优秀")
    check(public, axe_js, viewport)

    # The reward recommendation started the hire renewal: the committee agrees, the bureau renews.
    contract = accounts.adviser.contracts.get()
    renewal = Renewal.objects.get(contract=contract)
    open_task(committee, renewal, claim=True, title="续聘")
    committee.locator('[name="agrees"][value="yes"]').check()
    committee.locator('[name="reasons"]').fill("顾问按时驻点，群众满意。")
    check(committee, axe_js, viewport)
    committee.get_by_role("button", name="提交").click()
    expect(committee.locator(".messages")).to_be_visible()
    renewal.refresh_from_db()
    assert renewal.state == Renewal.State.DECISION and renewal.committee_agrees is True

    open_task(bureau, renewal, claim=True, title="续聘")
    expect(bureau.locator("body")).to_contain_text("村(居)委会同意续聘")
    bureau.locator('[name="decision"][value="renew"]').check()
    start = contract.end_date + dt.timedelta(days=1)
    bureau.locator('[name="start_date"]').fill(start.isoformat())
    bureau.locator('[name="end_date"]').fill(start.replace(year=start.year + 1).isoformat())
    bureau.locator('[name="annual_fee"]').fill(str(contract.annual_fee))
    check(bureau, axe_js, viewport)
    bureau.get_by_role("button", name="提交").click()
    expect(bureau.locator(".messages")).to_be_visible()
    renewal.refresh_from_db()
    assert renewal.state == Renewal.State.RENEWED
    assert renewal.successor.adviser == accounts.adviser and renewal.successor.start_date == start
