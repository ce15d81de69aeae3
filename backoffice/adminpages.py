"""Pages inside the Wagtail admin for any app: its header, breadcrumbs, side menu, and a 403 page.

Domain-free (the platform layer): the ledger's pages and the workflows' pages build on these, so
neither imports the other for them.
"""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin


def home_crumb() -> dict[str, str]:
    return {"url": reverse("wagtailadmin_home"), "label": _("首页")}


def forbidden(request, message: str | None = None):
    """The back office's 403 page (Wagtail's own answer is a silent redirect to the dashboard)."""
    from .viewsets import forbidden as back_office_forbidden

    return back_office_forbidden(request, message)


def forbid_as_403(view):
    """PermissionDenied raised by `view` becomes the 403 page, with the refusal's message."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) or None)

    return wrapped


class ForbiddenAs403Mixin:
    """Refusals are a 403 page inside the admin, so users and tests can tell what happened.

    Wraps the whole view (not `dispatch`), so a refusal raised by any subclass's dispatch counts.
    """

    @classmethod
    def as_view(cls, **initkwargs):
        return forbid_as_403(super().as_view(**initkwargs))


class AdminPageMixin(ForbiddenAs403Mixin, WagtailAdminTemplateMixin):
    """A page inside the Wagtail admin: its header, breadcrumbs and side menu."""

    header_icon = "tasks"
    crumbs: list[dict[str, str]] = []

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [home_crumb(), *self.get_crumbs(), {"url": "", "label": self.get_page_title()}]

    def get_crumbs(self) -> list[dict[str, str]]:
        return list(self.crumbs)
