"""Values every public template needs: the hotline and the name of the bureau running the site."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .areas import settings_for


def portal(request: HttpRequest) -> dict:
    jurisdiction = settings_for(request) if not request.path.startswith("/admin/") else None
    return {
        "hotline": (jurisdiction.hotline if jurisdiction else "") or settings.PORTAL_HOTLINE,
        "bureau_name": jurisdiction.bureau_name if jurisdiction else "",
        "site_title": settings.WAGTAIL_SITE_NAME,
    }
