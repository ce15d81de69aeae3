"""The superuser's page for one account's second factor: issue an enrolment code, or reset the
authenticator (lost phone) and issue a code for the new one.

Only superusers may bind someone else's second factor: the code is the out-of-band step that
replaces trust on first use (see `backoffice.enrolment`). The code is shown once, on the page
answering the POST, and never again (only its hash is kept).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import enrolment
from ..security import holds_second_factor_role
from ..viewsets import forbid_as_403


@never_cache
@login_required(login_url="wagtailadmin_login")
@forbid_as_403
def issue_enrolment(request: HttpRequest, user_id: int) -> HttpResponse:
    if not request.user.is_superuser:
        raise PermissionDenied
    account = get_object_or_404(get_user_model(), pk=user_id)
    issued = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "reset":
            enrolment.reset(account, reset_by=request.user)
        elif action != "issue":
            return render(
                request,
                "backoffice/enrolment_code.html",
                _context(account, error=_("请选择要执行的操作。")),
                status=400,
            )
        code, record = enrolment.issue(account, issued_by=request.user)
        issued = {"code": code, "expires_at": record.expires_at, "reset": action == "reset"}
    return render(request, "backoffice/enrolment_code.html", _context(account, issued=issued))


def _context(account, *, issued=None, error: str = "") -> dict:
    return {
        "page_title": _("身份验证器绑定码"),
        "account": account,
        "has_device": TOTPDevice.objects.filter(user=account, confirmed=True).exists(),
        "has_pending_code": enrolment.has_pending_code(account),
        "requires_second_factor": holds_second_factor_role(account),
        "lifetime_hours": int(enrolment.code_lifetime().total_seconds() // 3600),
        "issued": issued,
        "error": error,
    }
