"""Account security: lockout per account and per address, idle expiry, passwords, TOTP."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from backoffice import roles
from backoffice.models import LoginFailure
from backoffice.security import is_locked

from .conftest import PASSWORD, make_staff

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def officer(divisions):
    return make_staff("jiangzhou_bureau", roles.COUNTY_BUREAU, "451402")


def login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("wagtailadmin_login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def test_five_failures_lock_the_account_from_any_address(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert not logged_in(login(client, "jiangzhou_bureau", "wrong"))
        # The right password is refused now, from this address and any other.
        for address in ("10.0.0.1", "10.9.9.9"):
            response = login(client, "jiangzhou_bureau", PASSWORD, address)
            assert not logged_in(response)
            assert "已被暂时锁定" in response.content.decode()
        assert LoginFailure.objects.filter(username="jiangzhou_bureau").count() == 5
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert logged_in(login(client, "jiangzhou_bureau", PASSWORD))


def test_five_failures_from_one_address_lock_that_address(client, officer, staff):
    other = staff("ningming_bureau", roles.COUNTY_BUREAU, "451422")
    for name in ("a", "b", "c", "d", "e"):
        login(client, name, "guess", "10.6.6.6")
    response = login(client, other.username, PASSWORD, "10.6.6.6")
    assert not logged_in(response) and "已被暂时锁定" in response.content.decode()
    assert logged_in(login(client, other.username, PASSWORD, "10.7.7.7"))


def test_a_successful_login_resets_the_account_count(client, officer):
    for _ in range(4):
        login(client, "jiangzhou_bureau", "wrong", "10.1.1.1")
    assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.1.1.2"))
    client.logout()
    for _ in range(4):
        login(client, "jiangzhou_bureau", "wrong", "10.1.1.3")
    assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.1.1.4"))


def test_username_case_does_not_escape_the_lockout(client, officer):
    for name in (
        "Jiangzhou_Bureau",
        "JIANGZHOU_BUREAU",
        "jiangzhou_bureau",
        "jiangZHOU_bureau",
        "jiangzhou_BUREAU",
    ):
        login(client, name, "wrong", f"10.2.2.{len(name) + ord(name[0])}")
    assert not logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.3.3.3"))


def test_idle_session_expires_after_30_minutes(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert logged_in(login(client, "jiangzhou_bureau", PASSWORD))
        assert client.get(reverse("wagtailadmin_home")).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get(reverse("wagtailadmin_home")).status_code == 200  # activity keeps it alive
    with time_machine.travel(start + dt.timedelta(minutes=29 + 31), tick=False):
        response = client.get(reverse("contracts:index"))
        assert response.status_code == 302 and response.url.startswith(reverse("wagtailadmin_login"))
        response = client.get(reverse("wagtailadmin_home"))
        assert response.status_code == 302, "the session must be gone, not only this request refused"
        page = client.get(reverse("wagtailadmin_login")).content.decode()
        assert "未操作" in page


def test_no_remember_me_and_the_session_ends_with_the_browser(client, officer):
    page = client.get(reverse("wagtailadmin_login")).content.decode()
    assert 'name="remember"' not in page
    login(client, "jiangzhou_bureau", PASSWORD)
    assert client.session.get_expire_at_browser_close()


@pytest.mark.parametrize("password", ["demo12348", "password1234", "abcdefghijk", "12345678901", "Short1!"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_strong_password_is_accepted():
    validate_password("Zuo-jiang 2025!")


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return str(totp.token()).zfill(device.digits)


@override_settings(PORTAL_REQUIRE_2FA_FOR_BUREAUS=True)
def test_bureau_account_enrols_then_verifies_a_totp_second_factor(client, officer):
    assert logged_in(login(client, "jiangzhou_bureau", PASSWORD))
    response = client.get(reverse("contracts:index"))
    assert response.status_code == 302 and response.url.startswith(reverse("backoffice_two_factor"))

    page = client.get(response.url)
    assert page.status_code == 200
    assert "<svg" in page.content.decode() and "密钥" in page.content.decode()
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed

    wrong = client.post(
        reverse("backoffice_two_factor"), {"token": "000000", "next": reverse("contracts:index")}
    )
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the failure above throttles the next try by a second
    device.throttling_failure_timestamp = None
    device.save()

    ok = client.post(
        reverse("backoffice_two_factor"), {"token": current_token(device), "next": reverse("contracts:index")}
    )
    assert ok.status_code == 302 and ok.url == reverse("contracts:index")
    assert client.get(reverse("contracts:index")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    # Next login: the device is known, so a code is asked for without showing the QR code again.
    client.logout()
    assert logged_in(login(client, "jiangzhou_bureau", PASSWORD))
    page = client.get(reverse("backoffice_two_factor")).content.decode()
    assert "<svg" not in page
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60), tick=False):
        ok = client.post(reverse("backoffice_two_factor"), {"token": current_token(device)})
        assert ok.status_code == 302
        assert client.get(reverse("wagtailadmin_home")).status_code == 200


@override_settings(PORTAL_REQUIRE_2FA_FOR_BUREAUS=True)
def test_second_factor_is_not_required_of_content_editors(client, staff):
    editor = staff("editor", roles.CONTENT_EDITOR)
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_second_factor_is_off_unless_the_setting_is_on(client, officer):
    client.force_login(officer)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_production_settings_require_the_second_factor():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.org",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/db",
    }
    code = "import django; from django.conf import settings; print(settings.PORTAL_REQUIRE_2FA_FOR_BUREAUS)"
    result = subprocess.run(  # noqa: S603 -- fixed interpreter and arguments
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'site'}"},
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert result.stdout.strip() == "True"


def test_lockout_survives_across_processes_because_it_is_in_the_database(officer):
    """The state is rows, not memory: a fresh query (another web process) sees the failures."""
    for _ in range(5):
        LoginFailure.objects.create(username="jiangzhou_bureau", address="10.4.4.4", at=timezone.now())
    assert is_locked("jiangzhou_bureau", None)
    assert not is_locked("ningming_bureau", None)
