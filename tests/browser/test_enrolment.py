"""A county bureau officer on a phone binds an authenticator: the password alone is not enough,
the enrolment code a superuser issued is; then the TOTP code is asked for at every login."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from backoffice import enrolment, roles
from backoffice.models import StaffProfile
from tests.conftest import JIANGZHOU

from .test_accessibility import axe_violations, describe

pytestmark = pytest.mark.browser

PASSWORD = "Zuo-jiang 2025!"  # noqa: S105 -- test account only


@pytest.fixture
def officer(portal, settings):
    settings.PORTAL_REQUIRE_2FA_FOR_BUREAUS = True
    roles.ensure_roles()
    user = get_user_model().objects.create_user(username="jiangzhou_bureau", password=PASSWORD)
    user.groups.add(Group.objects.get(name=roles.COUNTY_BUREAU))
    StaffProfile.objects.create(user=user, scope_id=JIANGZHOU, organisation="江州区司法局")
    return user


def token_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return str(totp.token()).zfill(device.digits)


def log_in(page: Page) -> None:
    page.goto("/admin/login/")
    page.get_by_label("用户名").fill("jiangzhou_bureau")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("登录")).click()


def test_officer_enrols_with_the_code_a_superuser_issued(page: Page, officer, axe_js):
    log_in(page)
    expect(page).to_have_url(re.compile(r"/admin/2fa/"))
    expect(page.get_by_label("绑定码")).to_be_visible()
    expect(page.locator(".backoffice-qr")).to_have_count(0)
    violations = axe_violations(page, axe_js)
    assert not violations, describe(violations)

    page.get_by_label("绑定码").fill("ABCD-EFGH-JKMN-PQRS")
    page.get_by_role("button", name="下一步").click()
    expect(page.locator("main")).to_contain_text("绑定码不正确")
    expect(page.locator(".backoffice-qr")).to_have_count(0)

    code, _record = enrolment.issue(officer)
    page.get_by_label("绑定码").fill(code.lower())
    page.get_by_role("button", name="下一步").click()
    expect(page.locator(".backoffice-qr svg")).to_be_visible()
    violations = axe_violations(page, axe_js)
    assert not violations, describe(violations)

    device = TOTPDevice.objects.get(user=officer)
    page.get_by_label("动态验证码").fill(token_for(device))
    page.get_by_role("button", name="绑定并登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    assert TOTPDevice.objects.get(user=officer).confirmed
