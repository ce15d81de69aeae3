"""One-time enrolment codes for the second factor: the out-of-band step before a TOTP device binds.

Trust on first use let anyone holding a bureau account's password bind their own authenticator,
so the password alone became enough. Now a superuser issues a code for one account (the admin's
user list, or `manage.py issue_2fa_enrolment <username>` for the first superuser) and hands it
over in person or by telephone; the enrolment page asks for it before it shows the QR code.

- The code is 16 characters from an alphabet without look-alikes (80 bits), so guessing it is
  hopeless within its lifetime; it is shown once and only its keyed hash (HMAC-SHA256 with
  SECRET_KEY) is stored: a database dump does not reveal usable codes.
- It expires after `PORTAL_2FA_ENROLMENT_CODE_HOURS` (72), is used once (an atomic update marks
  it), and issuing a new code for the account revokes the older unused ones.
- Issue, use and reset are in the audit log (Wagtail's log, on the account); the code never is.

This is the single place for these rules: the admin view, the enrolment page and the management
commands all call it.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import LazyObject, empty
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.log_actions import log

from .models import EnrolmentCode

logger = logging.getLogger("backoffice.security")

# No 0/O, 1/I/L: the code is read aloud or copied from paper.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
HASH_SALT = "backoffice.enrolment.code"

ACTION_ISSUED = "backoffice.2fa_enrolment_issued"
ACTION_USED = "backoffice.2fa_enrolment_used"
ACTION_RESET = "backoffice.2fa_reset"
LOG_ACTIONS = {
    ACTION_ISSUED: (_("签发验证器绑定码"), _("签发了验证器绑定码")),
    ACTION_USED: (_("使用验证器绑定码"), _("使用绑定码绑定了身份验证器")),
    ACTION_RESET: (_("重置身份验证器"), _("重置了身份验证器")),
}


def _concrete(user):
    """The user object itself: Wagtail's log finds no log model for a (nested) `request.user` proxy
    and would silently drop the entry."""
    while isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def code_lifetime() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "PORTAL_2FA_ENROLMENT_CODE_HOURS", 72)))


def normalise_code(value: str | None) -> str:
    """What the user typed, without spaces and dashes, in capitals ("abcd-efgh" -> "ABCDEFGH")."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:64]


def hash_code(code: str) -> str:
    return salted_hmac(HASH_SALT, normalise_code(code), algorithm="sha256").hexdigest()


def format_code(code: str) -> str:
    """Groups of four for reading aloud: "ABCD-EFGH-JKMN-PQRS"."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def issue(user, issued_by=None) -> tuple[str, EnrolmentCode]:
    """A fresh code for `user` (returned once, formatted), revoking the account's unused codes."""
    user, issued_by = _concrete(user), _concrete(issued_by)
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    now = timezone.now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        record = EnrolmentCode.objects.create(
            user=user,
            code_hash=hash_code(code),
            issued_by=issued_by if getattr(issued_by, "pk", None) else None,
            issued_at=now,
            expires_at=now + code_lifetime(),
        )
        log(
            instance=user,
            action=ACTION_ISSUED,
            user=issued_by if getattr(issued_by, "pk", None) else None,
            data={"expires_at": record.expires_at.isoformat(), "code_id": record.pk},
        )
    logger.info("second-factor enrolment code issued for back-office account id=%s", user.pk)
    return format_code(code), record


def redeem(user, code: str) -> EnrolmentCode | None:
    """Use a code of `user` if it is valid now (unexpired, unused, not revoked); None otherwise.

    Marking it used is one conditional UPDATE, so two requests racing with the same code cannot
    both succeed.
    """
    user = _concrete(user)
    value = normalise_code(code)
    if len(value) != CODE_LENGTH:
        return None
    digest = hash_code(value)
    now = timezone.now()
    candidates = EnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    for record in candidates:
        if not constant_time_compare(record.code_hash, digest):
            continue
        with transaction.atomic():
            if not EnrolmentCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now):
                return None
            record.used_at = now
            log(instance=user, action=ACTION_USED, user=user, data={"code_id": record.pk})
        logger.info("second-factor enrolment code used by back-office account id=%s", user.pk)
        return record
    logger.warning("refused second-factor enrolment code for back-office account id=%s", user.pk)
    return None


def has_pending_code(user) -> bool:
    return EnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).exists()


def reset(user, reset_by=None) -> int:
    """Remove the account's authenticators and revoke its unused codes: re-enrolment needs a new code."""
    user, reset_by = _concrete(user), _concrete(reset_by)
    with transaction.atomic():
        deleted, _counts = TOTPDevice.objects.filter(user=user).delete()
        EnrolmentCode.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        log(
            instance=user,
            action=ACTION_RESET,
            user=reset_by if getattr(reset_by, "pk", None) else None,
            data={"devices_removed": deleted},
        )
    logger.info("second factor reset for back-office account id=%s", user.pk)
    return deleted
