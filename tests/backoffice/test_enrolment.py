"""Second-factor enrolment needs a one-time code from a superuser, never the password alone."""

from __future__ import annotations

import datetime as dt
import time
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from backoffice import enrolment, roles
from backoffice.models import EnrolmentCode

from .conftest import PASSWORD, make_staff

pytestmark = pytest.mark.django_db

TWO_FACTOR = "backoffice_two_factor"


@pytest.fixture
def officer(divisions):
    return make_staff("jiangzhou_bureau", roles.COUNTY_BUREAU, "451402")


@pytest.fixture
def superuser(db):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)


def login(client, username="jiangzhou_bureau", password=PASSWORD):
    response = client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})
    assert response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return str(totp.token()).zfill(device.digits)


def enter_code(client, code: str):
    return client.post(reverse(TWO_FACTOR), {"code": code, "next": reverse("contracts:index")})


def shows_qr(response) -> bool:
    return "backoffice-qr" in response.content.decode()


@override_settings(PORTAL_REQUIRE_2FA_FOR_BUREAUS=True)
def test_without_a_code_the_password_alone_binds_no_authenticator(client, officer):
    login(client)
    response = client.get(reverse("contracts:index"))
    assert response.status_code == 302 and response.url.startswith(reverse(TWO_FACTOR))
    page = client.get(response.url)
    assert page.status_code == 200
    assert not shows_qr(page) and "密钥" not in page.content.decode()
    assert 'name="code"' in page.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()

    # A TOTP guess instead of a code, an empty code, a made-up code: all refused, no secret shown.
    for data in ({"token": "123456"}, {"code": ""}, {"code": "ABCD-EFGH-JKMN-PQRS"}):
        refused = client.post(reverse(TWO_FACTOR), data)
        assert refused.status_code == 200 and not shows_qr(refused)
    assert "绑定码不正确" in enter_code(client, "ABCD-EFGH-JKMN-PQRS").content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert client.get(reverse("contracts:index")).status_code == 302
    # The admin's icon sprite, inlined by script into this very page, is not redirected.
    assert client.get(reverse("wagtailadmin_sprite")).status_code == 200


@override_settings(PORTAL_REQUIRE_2FA_FOR_BUREAUS=True)
def test_expired_used_and_replaced_codes_are_refused(client, officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        expired, _record = enrolment.issue(officer)
    with time_machine.travel(start + dt.timedelta(hours=73), tick=False):
        login(client)
        assert not shows_qr(client.get(reverse(TWO_FACTOR)))
        assert "绑定码不正确" in enter_code(client, expired).content.decode()
    client.logout()
    login(client)

    replaced, _record = enrolment.issue(officer)
    newest, _record = enrolment.issue(officer)  # a newer code revokes the older unused one
    assert "绑定码不正确" in enter_code(client, replaced).content.decode()

    # The newest is accepted once (lower case and without dashes is fine) ...
    assert enter_code(client, newest.replace("-", "").lower()).status_code == 302
    assert shows_qr(client.get(reverse(TWO_FACTOR)))
    # ... and not again, from another session.
    other = Client()
    login(other)
    assert "绑定码不正确" in enter_code(other, newest).content.decode()
    assert not shows_qr(other.get(reverse(TWO_FACTOR)))


@override_settings(PORTAL_REQUIRE_2FA_FOR_BUREAUS=True)
def test_a_valid_code_shows_the_qr_code_and_then_totp_is_required(client, officer, superuser):
    code, record = enrolment.issue(officer, issued_by=superuser)
    assert EnrolmentCode.objects.get().code_hash != code.replace("-", "")  # only a hash is stored
    login(client)
    response = enter_code(client, code)
    assert response.status_code == 302 and response.url.startswith(reverse(TWO_FACTOR))
    page = client.get(response.url)
    assert shows_qr(page) and "密钥" in page.content.decode()
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed

    wrong = client.post(reverse(TWO_FACTOR), {"token": "000000", "next": reverse("contracts:index")})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the failure above throttles the next try by a second
    device.throttling_failure_timestamp = None
    device.save()

    ok = client.post(
        reverse(TWO_FACTOR), {"token": current_token(device), "next": reverse("contracts:index")}
    )
    assert ok.status_code == 302 and ok.url == reverse("contracts:index")
    assert client.get(reverse("contracts:index")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    record.refresh_from_db()
    assert record.used_at is not None

    # Audit log: issued by the superuser, used by the account; the code itself is never logged.
    entries = ModelLogEntry.objects.filter(object_id=str(officer.pk))
    assert entries.get(action=enrolment.ACTION_ISSUED).user_id == superuser.pk
    assert entries.get(action=enrolment.ACTION_USED).user_id == officer.pk
    assert not any(code.replace("-", "") in str(e.data) or code in str(e.data) for e in entries)

    # Next login: the device is known, so a TOTP is asked for and no QR code is shown again.
    client.logout()
    login(client)
    page = client.get(reverse(TWO_FACTOR))
    assert not shows_qr(page) and 'name="token"' in page.content.decode()
    assert client.get(reverse("wagtailadmin_home")).status_code == 302
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=60), tick=False):
        ok = client.post(reverse(TWO_FACTOR), {"token": current_token(device)})
        assert ok.status_code == 302
        assert client.get(reverse("wagtailadmin_home")).status_code == 200


@override_settings(PORTAL_REQUIRE_2FA_FOR_BUREAUS=True)
def test_reset_2fa_removes_the_device_and_re_enrolment_needs_a_new_code(client, officer):
    code, _record = enrolment.issue(officer)
    login(client)
    enter_code(client, code)
    device = TOTPDevice.objects.get(user=officer)
    client.post(reverse(TWO_FACTOR), {"token": current_token(device)})
    assert TOTPDevice.objects.get(user=officer).confirmed
    pending, _record = enrolment.issue(officer)  # an unused code outstanding at reset time

    out = StringIO()
    call_command("reset_2fa", "jiangzhou_bureau", stdout=out)
    assert "Removed 1 authenticator" in out.getvalue()
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert ModelLogEntry.objects.filter(object_id=str(officer.pk), action=enrolment.ACTION_RESET).exists()

    client.logout()
    login(client)
    assert not shows_qr(client.get(reverse(TWO_FACTOR)))
    assert "绑定码不正确" in enter_code(client, code).content.decode()  # used
    assert "绑定码不正确" in enter_code(client, pending).content.decode()  # revoked by the reset

    out = StringIO()
    call_command("reset_2fa", "jiangzhou_bureau", "--issue-code", stdout=out)
    fresh = out.getvalue().split("Enrolment code for jiangzhou_bureau: ")[1].split()[0]
    assert enter_code(client, fresh).status_code == 302
    assert shows_qr(client.get(reverse(TWO_FACTOR)))


def test_issue_2fa_enrolment_prints_a_working_code_once(officer):
    out = StringIO()
    call_command("issue_2fa_enrolment", "jiangzhou_bureau", stdout=out)
    code = out.getvalue().split("Enrolment code for jiangzhou_bureau: ")[1].split()[0]
    assert len(code.replace("-", "")) == enrolment.CODE_LENGTH
    assert enrolment.redeem(officer, code) is not None
    assert enrolment.redeem(officer, code) is None
    with pytest.raises(CommandError):
        call_command("issue_2fa_enrolment", "nobody", stdout=StringIO())


def test_a_superuser_issues_a_code_from_the_user_list(client, officer, superuser):
    client.force_login(superuser)
    listing = client.get(reverse("wagtailusers_users:index")).content.decode()
    url = reverse("backoffice_issue_enrolment", args=[officer.pk])
    assert url in listing

    page = client.get(url)
    assert page.status_code == 200 and "签发绑定码" in page.content.decode()
    issued = client.post(url, {"action": "issue"})
    assert issued.status_code == 200
    text = issued.content.decode()
    code = text.split('class="backoffice-enrolment-code"')[1].split(">", 1)[1].split("<", 1)[0]
    assert enrolment.redeem(officer, code) is not None
    # Shown once: the page does not show it again.
    assert code not in client.get(url).content.decode()
    assert client.post(url, {"action": "bogus"}).status_code == 400


def test_only_superusers_issue_codes(client, officer, staff):
    city = staff("city_bureau", roles.CITY_BUREAU, "4514")
    client.force_login(city)
    url = reverse("backoffice_issue_enrolment", args=[officer.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "issue"}).status_code == 403
    assert not EnrolmentCode.objects.exists()
    assert url not in client.get(reverse("wagtailadmin_home")).content.decode()


@override_settings(PORTAL_REQUIRE_2FA_FOR_BUREAUS=True)
def test_an_unverified_superuser_cannot_issue_codes(client, superuser, officer):
    login(client, "root")
    url = reverse("backoffice_issue_enrolment", args=[officer.pk])
    response = client.post(url, {"action": "issue"})
    assert response.status_code == 302 and response.url.startswith(reverse(TWO_FACTOR))
    assert not EnrolmentCode.objects.exists()
