"""Account security of the back office (等保 2.0 level 3 expectations, the brief's decisions).

- Lockout: after `PORTAL_LOGIN_FAILURE_LIMIT` (5) failed logins within the lockout window, the
  account *and* the client address are refused for `PORTAL_LOGIN_LOCKOUT_MINUTES` (15). Failures
  are rows in the database, so every web process enforces the same lockout.
- Idle sessions end after `PORTAL_IDLE_TIMEOUT_SECONDS` (30 minutes) without a request.
- Passwords: Django's validators plus `CharacterClassesValidator`.
- Second factor: bureau roles (and superusers) must pass a TOTP check when
  `PORTAL_REQUIRE_2FA_FOR_BUREAUS` is on (production settings); see `SecondFactorMiddleware`.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger("backoffice.security")


# --- lockout -------------------------------------------------------------------------------


def failure_limit() -> int:
    return int(getattr(settings, "PORTAL_LOGIN_FAILURE_LIMIT", 5))


def lockout_window() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "PORTAL_LOGIN_LOCKOUT_MINUTES", 15)))


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address: REMOTE_ADDR, or the proxy's header when one is configured."""
    if request is None:
        return None
    header = getattr(settings, "PORTAL_CLIENT_IP_HEADER", "")
    value = request.META.get(header) if header else None
    value = (value or request.META.get("REMOTE_ADDR") or "").split(",")[0].strip()
    return value or None


def normalise_username(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def record_failure(username: str | None, request: HttpRequest | None) -> None:
    from .models import LoginFailure

    now = timezone.now()
    LoginFailure.objects.create(
        username=normalise_username(username), address=client_address(request), at=now
    )
    # Forget failures older than the window; the table never grows past recent attempts.
    LoginFailure.objects.filter(at__lt=now - lockout_window()).delete()


def is_locked(username: str | None, request: HttpRequest | None) -> bool:
    """Whether the account or the client address has reached the failure limit in the window."""
    from .models import LoginFailure

    since = timezone.now() - lockout_window()
    recent = LoginFailure.objects.filter(at__gte=since)
    limit = failure_limit()
    name = normalise_username(username)
    if name and recent.filter(username=name).count() >= limit:
        return True
    address = client_address(request)
    return bool(address and recent.filter(address=address).count() >= limit)


def clear_failures(username: str | None) -> None:
    """A successful login resets the account's count (not the address's: that would let an
    attacker reset it by logging in to an account of their own)."""
    from .models import LoginFailure

    LoginFailure.objects.filter(username=normalise_username(username)).delete()


def lockout_message() -> str:
    return _("登录失败次数过多，账号或当前网络地址已被暂时锁定，请 %(minutes)d 分钟后再试。") % {
        "minutes": int(lockout_window().total_seconds() // 60)
    }


class LockoutModelBackend(ModelBackend):
    """Django's model backend that refuses locked accounts and addresses before checking passwords.

    Raising PermissionDenied stops Django from trying other backends; the login form shows
    `lockout_message()` instead of "wrong password".
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if is_locked(username, request):
            raise PermissionDenied(lockout_message())
        return super().authenticate(request, username=username, password=password, **kwargs)


def _on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    record_failure(credentials.get("username"), request)
    logger.warning("failed back-office login (address recorded for lockout)")


def _on_logged_in(sender, request, user, **kwargs) -> None:
    clear_failures(user.get_username())
    if request is not None and hasattr(request, "session"):
        request.session[LAST_SEEN_KEY] = int(time.time())


def connect_signals() -> None:
    user_login_failed.connect(_on_login_failed, dispatch_uid="backoffice.login_failed")
    user_logged_in.connect(_on_logged_in, dispatch_uid="backoffice.logged_in")


# --- idle sessions ---------------------------------------------------------------------------

LAST_SEEN_KEY = "portal_last_seen"
# Writing the session on every request would cost a database write per click; a minute's
# resolution is plenty for a 30-minute limit.
LAST_SEEN_RESOLUTION = 60


class IdleTimeoutMiddleware:
    """Log staff out after `PORTAL_IDLE_TIMEOUT_SECONDS` without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_KEY)
            limit = int(getattr(settings, "PORTAL_IDLE_TIMEOUT_SECONDS", 1800))
            if last_seen is not None and now - int(last_seen) > limit:
                logout(request)
                messages.warning(
                    request,
                    _("您已超过 %(minutes)d 分钟未操作，为保护数据安全已自动退出，请重新登录。")
                    % {"minutes": limit // 60},
                )
                if request.path.startswith(reverse("wagtailadmin_home")):
                    return redirect(f"{reverse('wagtailadmin_login')}?next={request.path}")
            elif last_seen is None or now - int(last_seen) >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


# --- second factor ---------------------------------------------------------------------------


def second_factor_required(user) -> bool:
    """Bureau roles and superusers need a verified TOTP device when the setting is on."""
    if not getattr(settings, "PORTAL_REQUIRE_2FA_FOR_BUREAUS", False):
        return False
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    from .roles import BUREAU_ROLES

    return user.groups.filter(name__in=BUREAU_ROLES).exists()


class SecondFactorMiddleware:
    """Send bureau staff who have not passed the second factor to the TOTP page.

    Runs after django-otp's OTPMiddleware (which sets `user.is_verified()`); only admin pages are
    guarded, and the login, logout and second-factor pages themselves stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self._guarded(request.path):
            verified = getattr(user, "is_verified", lambda: False)()
            if not verified and second_factor_required(user):
                return redirect(f"{reverse('backoffice_two_factor')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _guarded(path: str) -> bool:
        admin = reverse("wagtailadmin_home")
        if not path.startswith(admin):
            return False
        open_paths = (
            reverse("wagtailadmin_login"),
            reverse("wagtailadmin_logout"),
            reverse("backoffice_two_factor"),
            f"{admin}jsi18n/",
        )
        return not any(path.startswith(p) for p in open_paths)


# --- passwords -------------------------------------------------------------------------------


class CharacterClassesValidator:
    """At least three of: upper-case letters, lower-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("密码须至少包含大写字母、小写字母、数字、符号中的 %(count)d 类。"),
                code="password_too_simple",
                params={"count": self.min_classes},
            )

    def get_help_text(self) -> str:
        return _("密码须至少包含大写字母、小写字母、数字、符号中的 %(count)d 类。") % {
            "count": self.min_classes
        }


def failures_for(username: str) -> int:
    """Recent failures of an account (for the admin's account list and the tests)."""
    from .models import LoginFailure

    since = timezone.now() - lockout_window()
    return LoginFailure.objects.filter(Q(username=normalise_username(username)) & Q(at__gte=since)).count()
