"""One-time form tokens: a form that creates a record creates it once, however often it is posted.

A double click, a browser's "resend" or two tabs posting the same form made two fee filings, two
ledger entries or two contracts (issue 11). Every GET of a wrapped view puts a hidden
`form_token` into each POST form of the page; a POST consumes it by inserting it into
`UsedFormToken`, whose primary key makes the insert succeed once. The insert runs in the same
transaction as the view, so:

- a post the view refuses (the form re-rendered with its errors, or an exception) rolls the
  insert back, and the corrected form can be posted again with the same token;
- the second of two simultaneous posts waits for the first to commit (PostgreSQL's unique index,
  SQLite's IMMEDIATE transactions: portal.settings.base.SQLITE_OPTIONS), then finds the token used
  and is sent to the page the first post led to, with a message; it never runs the view again.

A token is signed with the user and the form's name, so it cannot be carried to another form or
account, and expires after `PORTAL_FORM_TOKEN_HOURS`; a forged or expired one is refused with a
clear message. A POST without any token (a client that never loaded the page, such as a test or a
script) is handled as before, without the guard: every page the browser loads carries one.

Why hand-written: the Django packages for idempotency keys (django-idempotency-key and the like)
read a client-chosen header for APIs; admin forms need a server-issued hidden field, bound to the
user, that the form pages carry without each template knowing about it.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import secrets
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from .models import UsedFormToken

logger = logging.getLogger(__name__)

FIELD = "form_token"
SALT = "backoffice.idempotency"
# A form's start tag, reading quoted attribute values whole (Wagtail's hold "->" and the like).
FORM_TAG = re.compile(r"""<form\b(?:"[^"]*"|'[^']*'|[^'">])*>""", re.IGNORECASE)
POST_METHOD = re.compile(r"""\smethod\s*=\s*["']?post\b""", re.IGNORECASE)


class _Refused(Exception):
    """Raised inside the transaction to roll the token back when the view did not succeed."""

    def __init__(self, response: HttpResponse) -> None:
        self.response = response


def issue(request: HttpRequest, purpose: str) -> str:
    """A new token for `purpose` (a form's name) and the signed-in user."""
    return signing.dumps({"p": purpose, "u": request.user.pk, "n": secrets.token_hex(16)}, salt=SALT)


def _nonce(request: HttpRequest, purpose: str, token: str) -> str | None:
    """The token's random part if it was issued for this form and user and has not expired."""
    max_age = getattr(settings, "PORTAL_FORM_TOKEN_HOURS", 24) * 3600
    try:
        value = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("p") != purpose or value.get("u") != request.user.pk:
        return None
    nonce = value.get("n")
    return nonce if isinstance(nonce, str) and len(nonce) == 32 else None


def add_to_forms(response: HttpResponse, token: str) -> HttpResponse:
    """Put the hidden token field into every POST form of an HTML response."""
    if response.streaming or "text/html" not in response.get("Content-Type", ""):
        return response
    if getattr(response, "is_rendered", True) is False:
        response.render()
    field = f'<input type="hidden" name="{FIELD}" value="{escape(token)}">'
    content = response.content.decode(response.charset or "utf-8")
    response.content = FORM_TAG.sub(
        lambda match: match.group(0) + field if POST_METHOD.search(match.group(0)) else match.group(0),
        content,
    )
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    return response


def _prune() -> None:
    """Forget tokens older than their validity: a replay of one is refused by its signature."""
    hours = getattr(settings, "PORTAL_FORM_TOKEN_HOURS", 24)
    UsedFormToken.objects.filter(used_at__lt=timezone.now() - dt.timedelta(hours=hours)).delete()


def _replay(request: HttpRequest, nonce: str) -> HttpResponse:
    used = UsedFormToken.objects.filter(pk=nonce).only("result_url").first()
    target = used.result_url if used and used.result_url else request.path
    messages.warning(request, _("这张表单已经提交过，没有再次保存。下面是第一次提交的结果。"))
    logger.info("form token replayed: %s", request.path)
    return HttpResponseRedirect(target)


def one_time_submission(purpose: str) -> Callable:
    """Decorate a view whose successful POST creates a record and answers with a redirect."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method != "POST":
                response = view(request, *args, **kwargs)
                if getattr(response, "status_code", None) == 200:
                    add_to_forms(response, issue(request, purpose))
                return response
            token = request.POST.get(FIELD, "")
            if not token:
                return view(request, *args, **kwargs)
            nonce = _nonce(request, purpose, token)
            if nonce is None:
                messages.error(request, _("表单已过期或无效，请重新打开页面后再提交。"))
                return HttpResponseRedirect(request.get_full_path())
            try:
                with transaction.atomic():
                    try:
                        with transaction.atomic():
                            UsedFormToken.objects.create(
                                pk=nonce, purpose=purpose[:100], user_id=request.user.pk
                            )
                    except IntegrityError:
                        return _replay(request, nonce)
                    response = view(request, *args, **kwargs)
                    if not (300 <= response.status_code < 400 and response.has_header("Location")):
                        raise _Refused(response)
                    UsedFormToken.objects.filter(pk=nonce).update(result_url=response["Location"][:500])
                    _prune()
                    return response
            except _Refused as refused:
                # The view did not create anything (errors shown again): the token stays valid.
                return add_to_forms(refused.response, token)

        return wrapped

    return decorate
