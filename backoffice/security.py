"""Account security of the back office (等保 2.0 level 3 expectations, the brief's decisions).

- Lockout, counted over the last `PORTAL_LOGIN_LOCKOUT_MINUTES` (15) and lasting as long:
  * the pair (account, client address) after `PORTAL_LOGIN_FAILURE_LIMIT` (5) failures: a real
    user's typos, or one attacker guessing one password;
  * the account for every address only after `PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT` (50) failures
    (a distributed guess), with a notice to the account's e-mail address; an attacker who knows
    a user name can no longer lock its owner out with five wrong passwords;
  * a client address for every account after `PORTAL_LOGIN_ADDRESS_FAILURE_LIMIT` (30) failures
    (credential stuffing: one address trying many names).
  An IPv6 client counts as its /64 (`lockout_address`). Failures are rows in the database, so
  every web process enforces the same lockout.
- The client address is the rightmost hop of the proxy header (`PORTAL_CLIENT_IP_HEADER`,
  X-Forwarded-For by default) that our own `PORTAL_TRUSTED_PROXY_COUNT` proxies did not add; the
  entries to its left are written by the client and never trusted (`client_address`).
- Idle sessions end after `PORTAL_IDLE_TIMEOUT_SECONDS` (30 minutes) without a request.
- Passwords: Django's validators plus `CharacterClassesValidator`.
- Second factor: bureau roles (and superusers) must pass a TOTP check when
  `PORTAL_REQUIRE_2FA_FOR_BUREAUS` is on (production settings); see `SecondFactorMiddleware`.
  Enrolling an authenticator needs a one-time code from a superuser (`backoffice.enrolment`).

Why hand-written and not django-axes (8.3.1): axes counts attempts per combination of
`AXES_LOCKOUT_PARAMETERS` (e.g. `[["username", "ip_address"]]`), but with one
`AXES_FAILURE_LIMIT` for every combination, so "the pair after 5, the account after 50, the
address after 30" is not expressible without replacing its handler; its `user_locked_out` signal
fires for the pair, not for the account-wide threshold that should e-mail the owner; it keeps an
`AccessLog` of user agents and user names on every login (personal data we would have to purge);
and it needs its own backend and middleware in front of Wagtail's login view, which already goes
through our `LoginForm` and `LockoutModelBackend`. The rules here are some forty lines on one
table with one aggregate query per check, and the proxy-hop rule is shared with the rate limits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

logger = logging.getLogger("backoffice.security")


# --- client address --------------------------------------------------------------------------

DEFAULT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"


def trusted_proxy_count() -> int:
    """How many proxies of our own stand in front of the web process (0: clients connect directly)."""
    return max(0, int(getattr(settings, "PORTAL_TRUSTED_PROXY_COUNT", 0) or 0))


def client_ip_header() -> str:
    """The request.META key of the proxy header; "X-Forwarded-For" and "HTTP_X_FORWARDED_FOR" both work."""
    name = (getattr(settings, "PORTAL_CLIENT_IP_HEADER", "") or DEFAULT_CLIENT_IP_HEADER).strip()
    name = name.upper().replace("-", "_")
    return name if name.startswith("HTTP_") else f"HTTP_{name}"


def _parse_address(value: str) -> str | None:
    """A bare IP address from one hop ("1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443"), or None."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]  # IPv4 with a port
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


_warned_untrusted_header = False


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address as far as our own proxies vouch for it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so with N
    trusted proxies the Nth entry from the right was written by our outermost proxy and is the
    client; everything to its left came from the client and may be forged. Without trusted
    proxies (N = 0) the header is ignored and REMOTE_ADDR is the client. A request that carries
    fewer hops than N did not pass through all our proxies: REMOTE_ADDR is used then too.
    """
    global _warned_untrusted_header
    if request is None:
        return None
    remote = _parse_address(request.META.get("REMOTE_ADDR") or "")
    count = trusted_proxy_count()
    header = client_ip_header()
    raw = request.META.get(header, "")
    if count == 0:
        if raw and not _warned_untrusted_header:
            _warned_untrusted_header = True
            logger.warning(
                "requests carry %s but PORTAL_TRUSTED_PROXY_COUNT is 0: the header is ignored and "
                "every client behind the proxy shares its address; set the number of proxies",
                header,
            )
        return remote
    hops = [hop for hop in raw.split(",") if hop.strip()]
    if len(hops) < count:
        return remote
    return _parse_address(hops[-count]) or remote


# --- lockout -------------------------------------------------------------------------------


def lockout_address(request: HttpRequest | None) -> str | None:
    """The address failures are counted by: the client's IPv4 address, or its IPv6 /64.

    One IPv6 subscriber is routed a whole /64 (or more), so counting single IPv6 addresses would
    give an attacker 2^64 fresh "addresses"; the /64 is what one household or office holds.
    """
    address = client_address(request)
    if address and ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return address


def failure_limit() -> int:
    """Failures of one account from one address that lock that pair."""
    return int(getattr(settings, "PORTAL_LOGIN_FAILURE_LIMIT", 5))


def account_failure_limit() -> int:
    """Failures of one account from all addresses that lock the account for everyone."""
    return int(getattr(settings, "PORTAL_LOGIN_ACCOUNT_FAILURE_LIMIT", 50))


def address_failure_limit() -> int:
    """Failures from one address over all account names that lock the address."""
    return int(getattr(settings, "PORTAL_LOGIN_ADDRESS_FAILURE_LIMIT", 30))


def lockout_window() -> dt.timedelta:
    return dt.timedelta(minutes=int(getattr(settings, "PORTAL_LOGIN_LOCKOUT_MINUTES", 15)))


def normalise_username(username: str | None) -> str:
    # NUL cannot be stored in a PostgreSQL text column; it is never part of a real user name.
    return (username or "").replace("\x00", "").strip().lower()[:150]


def failure_counts(username: str | None, address: str | None) -> dict[str, int]:
    """Recent failures of the pair, the account and the address, in one query."""
    from .models import LoginFailure

    name = normalise_username(username)
    counts = {"pair": 0, "account": 0, "address": 0}
    filters = {}
    if name:
        filters["account"] = Q(username=name)
    if address:
        filters["address"] = Q(address=address)
    if not filters:
        return counts
    either = filters.get("account") or filters["address"]
    if name and address:
        either = filters["account"] | filters["address"]
        filters["pair"] = filters["account"] & filters["address"]
    since = timezone.now() - lockout_window()
    # Aggregate aliases must not shadow the fields the filters name ("address").
    found = (
        LoginFailure.objects.filter(at__gte=since)
        .filter(either)
        .aggregate(**{f"n_{key}": Count("pk", filter=q) for key, q in filters.items()})
    )
    counts.update({key.removeprefix("n_"): int(value or 0) for key, value in found.items()})
    return counts


def lock_reason(username: str | None, request: HttpRequest | None) -> str | None:
    """Which lock holds for this login attempt: "pair", "account", "address", or None."""
    address = lockout_address(request)
    counts = failure_counts(username, address)
    if counts["account"] >= account_failure_limit():
        return "account"
    if address and counts["pair"] >= failure_limit():
        return "pair"
    if address and counts["address"] >= address_failure_limit():
        return "address"
    return None


def is_locked(username: str | None, request: HttpRequest | None) -> bool:
    """Whether this account may not log in from this request's address just now."""
    return lock_reason(username, request) is not None


def record_failure(username: str | None, request: HttpRequest | None) -> None:
    from .models import LoginFailure

    now = timezone.now()
    name = normalise_username(username)
    LoginFailure.objects.create(username=name, address=lockout_address(request), at=now)
    # Forget failures older than the window; the table never grows past recent attempts.
    LoginFailure.objects.filter(at__lt=now - lockout_window()).delete()
    if name and failure_counts(name, None)["account"] >= account_failure_limit():
        notify_account_locked(name)


def notify_account_locked(username: str) -> None:
    """E-mail the owner once per lockout that their account is locked for every address.

    `cache.add` is atomic in every shared cache backend, so concurrent failures in several web
    processes send one notice, not one each.
    """
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    if not cache.add(f"backoffice:lockout-notice:{digest}", 1, int(lockout_window().total_seconds())):
        return
    User = get_user_model()
    users = list(User.objects.filter(**{f"{User.USERNAME_FIELD}__iexact": username}).exclude(email=""))
    minutes = int(lockout_window().total_seconds() // 60)
    for user in users:
        subject = _("【一村一法律顾问】您的后台账号已被暂时锁定")
        body = _(
            "您好：\n\n您的后台账号 %(username)s 在 %(minutes)d 分钟内登录失败达 %(count)d 次，"
            "为防止密码被猜中，该账号已在所有网络地址暂时锁定 %(minutes)d 分钟。\n\n"
            "如果这些登录不是您本人所为，说明有人在尝试您的账号，请在解锁后尽快修改密码，"
            "并告知系统管理员。如果是您本人忘记了密码，请联系系统管理员重置。\n\n"
            "本邮件由系统自动发送，请勿回复。"
        ) % {"username": user.get_username(), "minutes": minutes, "count": account_failure_limit()}
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:  # noqa: BLE001 -- a broken mail relay must not turn a login into a 500
            logger.exception("could not send the lockout notice of back-office account id=%s", user.pk)
        else:
            logger.warning("back-office account id=%s locked for every address; notice e-mailed", user.pk)
    if not users:
        logger.warning("an account name was locked for every address (no such account or no e-mail)")


def clear_failures(username: str | None, request: HttpRequest | None = None) -> None:
    """A successful login forgets that pair's failures, not the account's from other addresses
    (an attacker's count towards the account-wide lock must not reset because the owner logged
    in) nor the address's over other accounts (an attacker could reset it by logging in to an
    account of their own)."""
    from .models import LoginFailure

    address = lockout_address(request)
    LoginFailure.objects.filter(username=normalise_username(username), address=address).delete()


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
    clear_failures(user.get_username(), request)
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
    return holds_second_factor_role(user)


def holds_second_factor_role(user) -> bool:
    """Whether the account is of a kind that must use a second factor (bureau roles, superusers)."""
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
                target = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('backoffice_two_factor')}?{target}")
        return self.get_response(request)

    @staticmethod
    def _guarded(path: str) -> bool:
        admin = reverse("wagtailadmin_home")
        if not path.startswith(admin):
            return False
        if path == reverse("backoffice_two_factor"):
            return False
        open_paths = (
            reverse("wagtailadmin_login"),
            reverse("wagtailadmin_logout"),
            f"{admin}jsi18n/",
            # The icon sprite, fetched by script and inlined into every admin page (the second
            # factor's own included); redirected, the whole page would be inlined instead.
            reverse("wagtailadmin_sprite"),
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
    return LoginFailure.objects.filter(username=normalise_username(username), at__gte=since).count()
