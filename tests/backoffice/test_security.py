"""Account security: lockout per (account, address), per account and per address, the client
address behind proxies, idle expiry, passwords, TOTP."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

from backoffice import roles
from backoffice.models import LoginFailure
from backoffice.security import client_address, is_locked

from .conftest import PASSWORD, make_staff

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_cache():
    """The lockout notice is sent once per lockout, remembered in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def officer(divisions):
    return make_staff("jiangzhou_bureau", roles.COUNTY_BUREAU, "451402", email="officer@example.org")


def login(client, username, password, address="10.0.0.1", **headers):
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def logged_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def locked(response) -> bool:
    return response.status_code == 200 and "已被暂时锁定" in response.content.decode()


def test_five_failures_lock_the_pair_of_account_and_address(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            assert not logged_in(login(client, "jiangzhou_bureau", "wrong", "10.0.0.1"))
        # The right password is refused from this address now...
        assert locked(login(client, "jiangzhou_bureau", PASSWORD, "10.0.0.1"))
        assert LoginFailure.objects.filter(username="jiangzhou_bureau").count() == 5
        # ...while the owner, from their own address, still logs in.
        assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.9.9.9"))
    client.logout()
    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.0.0.1"))


def test_the_real_user_logs_in_while_an_attacker_fails_from_many_addresses(client, officer):
    # 9 addresses x 5 failures = 45, below the account-wide limit of 50.
    for host in range(1, 10):
        for _ in range(5):
            login(client, "jiangzhou_bureau", "guess", f"198.51.100.{host}")
        assert locked(login(client, "jiangzhou_bureau", PASSWORD, f"198.51.100.{host}"))
    assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.20.30.40"))
    assert not mail.outbox


def test_the_account_locks_for_everyone_after_the_high_count_and_its_owner_is_told(client, officer, caplog):
    caplog.set_level(logging.INFO, logger="backoffice.security")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for host in range(1, 11):  # 10 addresses x 5 failures = 50
            for _ in range(5):
                login(client, "jiangzhou_bureau", "guess", f"198.51.100.{host}")
        # Locked for every address, the owner's own included.
        assert locked(login(client, "jiangzhou_bureau", PASSWORD, "10.20.30.40"))
        # Other accounts are not affected.
        other = make_staff("ningming_bureau", roles.COUNTY_BUREAU, "451422")
        assert logged_in(login(client, other.username, PASSWORD, "10.20.30.40"))
        client.logout()
        # More failures from new addresses do not send a second notice.
        for _ in range(3):
            login(client, "jiangzhou_bureau", "guess", "198.51.100.200")

    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["officer@example.org"]
    assert "锁定" in notice.subject and "jiangzhou_bureau" in notice.body
    # The operator's log names the account by id, never by name or address.
    assert f"id={officer.pk}" in caplog.text
    assert "jiangzhou_bureau" not in caplog.text and "198.51.100" not in caplog.text

    with time_machine.travel(start + dt.timedelta(minutes=16), tick=False):
        assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.20.30.40"))


@override_settings(PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT=8)
def test_the_account_wide_limit_is_a_setting_and_unknown_names_send_no_mail(client, officer):
    for host in range(1, 5):
        for _ in range(2):
            login(client, "jiangzhou_bureau", "guess", f"198.51.100.{host}")
            login(client, "nobody_here", "guess", f"198.51.100.{host}")
    assert locked(login(client, "jiangzhou_bureau", PASSWORD, "10.20.30.40"))
    assert len(mail.outbox) == 1  # the real account's owner; the unknown name has nobody to tell


def test_one_address_trying_many_accounts_is_locked_for_all_of_them(client, officer, staff):
    other = staff("ningming_bureau", roles.COUNTY_BUREAU, "451422")
    for n in range(30):  # credential stuffing: one address, 30 names, one guess each
        login(client, f"user{n}", "guess", "10.6.6.6")
    assert locked(login(client, other.username, PASSWORD, "10.6.6.6"))
    assert logged_in(login(client, other.username, PASSWORD, "10.7.7.7"))


def test_a_successful_login_resets_the_pair(client, officer):
    for _ in range(4):
        login(client, "jiangzhou_bureau", "wrong", "10.1.1.1")
    assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.1.1.1"))
    client.logout()
    for _ in range(4):
        login(client, "jiangzhou_bureau", "wrong", "10.1.1.1")
    assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "10.1.1.1"))


def test_username_case_does_not_escape_the_lockout(client, officer):
    for name in (
        "Jiangzhou_Bureau",
        "JIANGZHOU_BUREAU",
        "jiangzhou_bureau",
        "jiangZHOU_bureau",
        "jiangzhou_BUREAU",
    ):
        login(client, name, "wrong", "10.2.2.2")
    assert locked(login(client, "jiangzhou_bureau", PASSWORD, "10.2.2.2"))


# --- the client address behind proxies ----------------------------------------------------------


def address_of(remote: str = "10.0.0.2", **meta) -> str | None:
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **meta))


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1)
def test_the_rightmost_hop_added_by_our_proxy_is_the_client():
    assert address_of(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7") == "203.0.113.7"
    assert address_of(HTTP_X_FORWARDED_FOR="203.0.113.7") == "203.0.113.7"
    assert address_of(HTTP_X_FORWARDED_FOR="[2001:db8::1]:443") == "2001:db8::1"
    assert address_of(HTTP_X_FORWARDED_FOR="203.0.113.7:5555") == "203.0.113.7"
    # No header (a request that bypassed the proxy) or a hop that is not an address: the peer.
    assert address_of() == "10.0.0.2"
    assert address_of(HTTP_X_FORWARDED_FOR="6.6.6.6, not-an-address") == "10.0.0.2"


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=2)
def test_with_two_proxies_the_second_hop_from_the_right_is_the_client():
    assert address_of(HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 172.16.0.5") == "203.0.113.7"
    # Fewer hops than proxies: it did not come through both, so the header is not trusted.
    assert address_of(HTTP_X_FORWARDED_FOR="203.0.113.7") == "10.0.0.2"


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=0)
def test_without_trusted_proxies_the_header_is_ignored():
    assert address_of(HTTP_X_FORWARDED_FOR="203.0.113.7") == "10.0.0.2"


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1, PORTAL_CLIENT_IP_HEADER="X-Real-IP")
def test_the_header_is_configurable():
    assert address_of(HTTP_X_REAL_IP="203.0.113.8", HTTP_X_FORWARDED_FOR="6.6.6.6") == "203.0.113.8"


@override_settings(PORTAL_TRUSTED_PROXY_COUNT=1)
def test_spoofed_leftmost_entries_neither_escape_nor_aim_the_lockout(client, officer):
    # The attacker forges a new leftmost entry with every try (once naming the owner's address);
    # our proxy appends the address it really saw.
    for forged in ("10.20.30.40", "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"):
        login(client, "jiangzhou_bureau", "guess", "10.0.0.2", HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9")
    assert set(LoginFailure.objects.values_list("address", flat=True)) == {"203.0.113.9"}
    assert locked(
        login(client, "jiangzhou_bureau", PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    )
    # The owner's address, which the attacker named on the left of every try, is not locked.
    assert logged_in(
        login(client, "jiangzhou_bureau", PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="10.20.30.40")
    )


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
    request = RequestFactory().post("/", REMOTE_ADDR="10.4.4.4")
    assert is_locked("jiangzhou_bureau", request)
    assert not is_locked("ningming_bureau", request)
    assert not is_locked("jiangzhou_bureau", RequestFactory().post("/", REMOTE_ADDR="10.4.4.5"))


@pytest.mark.parametrize(
    "username",
    ["jiangzhou\x00bureau", "x" * 10_000, "\u202ejiangzhou", ""],
    ids=["nul", "10kb", "bidi", "empty"],
)
def test_malformed_login_input_is_a_form_error_not_a_500(client, officer, username):
    response = login(client, username, "wrong", "10.8.8.8")
    assert response.status_code == 200
    # A name the form refused before authenticating, or one recorded in a storable form.
    assert all(
        "\x00" not in name and len(name) <= 150
        for name in LoginFailure.objects.values_list("username", flat=True)
    )


def test_a_failure_with_a_nul_in_the_name_is_stored(officer):
    from backoffice.security import record_failure

    record_failure("jiangzhou\x00_bureau", RequestFactory().post("/", REMOTE_ADDR="10.8.8.9"))
    assert LoginFailure.objects.get().username == "jiangzhou_bureau"


def test_ipv6_clients_are_counted_per_64(client, officer):
    for host in range(1, 6):  # five addresses of one /64: one subscriber
        login(client, "jiangzhou_bureau", "guess", f"2001:db8:1:2::{host}")
    assert locked(login(client, "jiangzhou_bureau", PASSWORD, "2001:db8:1:2::99"))
    assert logged_in(login(client, "jiangzhou_bureau", PASSWORD, "2001:db8:1:3::1"))
