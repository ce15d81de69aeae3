"""The second factor (TOTP) for bureau accounts: enrol with a one-time code and a QR code, then
verify at each login.

等保 2.0 level 3 expects two factors for administrators; the brief asks for it for bureau roles
when PORTAL_REQUIRE_2FA_FOR_BUREAUS is on (production settings). An account without a confirmed
authenticator first enters the enrolment code a superuser issued (`backoffice.enrolment`); only
then is a fresh secret made and its QR code shown, so a stolen password alone cannot bind the
thief's phone. The accepted code is used up at once; the session remembers, until the TOTP is
confirmed, which device it may bind.
"""

from __future__ import annotations

import logging
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import enrolment
from ..forms import EnrolmentCodeForm, TokenForm

logger = logging.getLogger("backoffice.security")

DEVICE_NAME = "身份验证器"
# Session key: the pk of the unconfirmed device this session may bind (set when a code is accepted).
ENROLMENT_SESSION_KEY = "backoffice_2fa_enrolment_device"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def qr_svg(text: str) -> str:
    """An inline SVG QR code (no image file, no JavaScript)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _enrolment_device(request: HttpRequest) -> TOTPDevice | None:
    """The unconfirmed device this session was allowed to bind by an accepted code, if any."""
    pk = request.session.get(ENROLMENT_SESSION_KEY)
    if pk is None:
        return None
    return TOTPDevice.objects.filter(pk=pk, user=request.user, confirmed=False).first()


def _code_step(request: HttpRequest) -> HttpResponse:
    """Ask for the enrolment code; on a valid one, make a fresh secret for this session."""
    form = EnrolmentCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if enrolment.redeem(request.user, form.cleaned_data["code"]) is not None:
            # A fresh secret: one made before the code (the old first-use flow) may have been seen.
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            device = TOTPDevice.objects.create(user=request.user, name=DEVICE_NAME, confirmed=False)
            request.session[ENROLMENT_SESSION_KEY] = device.pk
            return redirect(f"{reverse('backoffice_two_factor')}?{urlencode({'next': _safe_next(request)})}")
        form.add_error("code", _("绑定码不正确、已使用或已过期。请向系统管理员重新申请。"))
    return render(
        request,
        "backoffice/two_factor.html",
        {"code_form": form, "step": "code", "next": _safe_next(request)},
    )


@never_cache
@login_required(login_url="wagtailadmin_login")
def two_factor(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = _enrolment_device(request)
        if device is None:
            return _code_step(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            form.add_error("token", _("尝试次数过多，请稍等片刻再输入。"))
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop(ENROLMENT_SESSION_KEY, None)
                logger.info("authenticator bound to back-office account id=%s", user.pk)
            otp_login(request, device)
            return redirect(_safe_next(request))
        else:
            logger.warning("failed second-factor check for a back-office account")
            form.add_error("token", _("验证码不正确或已过期，请输入验证器当前显示的数字。"))
    context = {
        "form": form,
        "step": "enrol" if enrolling else "verify",
        "enrolling": enrolling,
        "next": _safe_next(request),
    }
    if enrolling:
        context["qr_svg"] = mark_safe(qr_svg(device.config_url))  # noqa: S308 -- SVG built by qrcode from our own URL
        secret = b32encode(device.bin_key).decode()
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "backoffice/two_factor.html", context)
