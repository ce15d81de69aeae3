"""A county bureau officer on a phone: sees the coverage of 江州区 only and fixes an uncovered
village by signing a contract, through the Wagtail admin."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from advisers.models import ServiceContract
from backoffice import roles
from backoffice.models import StaffProfile
from tests.conftest import BUZHAI, JIANGZHOU
from tests.factories import AdviserFactory, FirmFactory

from .conftest import UNCOVERED

pytestmark = pytest.mark.browser

PASSWORD = "demo12348"  # noqa: S105 -- the demo accounts' documented password
MINGXIANG = "451422100001"  # 宁明县: another county of the same city


@pytest.fixture
def jiangzhou(portal, make_contract):
    roles.ensure_roles()
    user = get_user_model().objects.create_user(username="jiangzhou_bureau", password=PASSWORD)
    user.groups.add(Group.objects.get(name=roles.COUNTY_BUREAU))
    StaffProfile.objects.create(user=user, scope_id=JIANGZHOU, organisation="江州区司法局")
    make_contract(AdviserFactory(name="韦卜寨", firm=FirmFactory(county_id=JIANGZHOU)), BUZHAI)
    AdviserFactory(name="黄新聘", firm=FirmFactory(name="广西左江律师事务所", county_id=JIANGZHOU))
    make_contract(AdviserFactory(name="宁明顾问", firm=FirmFactory(county_id="451422")), MINGXIANG)
    return user


def test_jiangzhou_bureau_sees_its_coverage_and_covers_an_uncovered_village(
    page: Page, jiangzhou, screenshots
):
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill("jiangzhou_bureau")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()

    panel = page.locator("#coverage-panel-heading").locator("..")
    expect(panel).to_contain_text("江州区")
    expect(panel).to_contain_text("太平街道")
    expect(panel).not_to_contain_text("宁明县")
    expect(panel).not_to_contain_text("凭祥市")
    summary = panel.locator(".backoffice-coverage__summary")
    expect(summary).to_contain_text("1 个已有法律顾问")
    page.screenshot(path=str(screenshots / "backoffice-dashboard.png"), full_page=True)

    row = panel.locator("tr.backoffice-uncovered").filter(has_text="公益村委会")
    expect(row).to_be_visible()
    row.get_by_role("link", name=re.compile("签订聘用合同")).click()

    expect(page).to_have_url(re.compile(rf"/admin/contracts/new/\?village={UNCOVERED}$"))
    expect(page.locator("#w-editor-form")).to_contain_text("公益村委会")
    page.get_by_role("button", name="选择法律顾问").click()
    modal = page.locator(".modal-content")
    expect(modal).to_contain_text("黄新聘")
    expect(modal).not_to_contain_text("宁明顾问")
    modal.get_by_role("link", name="黄新聘").click()
    expect(modal).to_be_hidden()
    expect(page.locator("#w-editor-form")).to_contain_text("黄新聘")
    expect(page.get_by_role("spinbutton", name=re.compile("年度服务费"))).to_have_value("3000.00")
    page.get_by_role("button", name="创建").click()

    expect(page.locator(".messages")).to_contain_text("已创建")
    contract = ServiceContract.objects.get(village_id=UNCOVERED)
    assert contract.adviser.name == "黄新聘" and contract.is_in_force()

    page.goto("/admin/")
    panel = page.locator("#coverage-panel-heading").locator("..")
    expect(panel.locator(".backoffice-coverage__summary")).to_contain_text("2 个已有法律顾问")
    expect(panel.locator("tr.backoffice-uncovered").filter(has_text="公益村委会")).to_have_count(0)
