"""What every public template needs from the site serving it: hotline, bureau, theme and footer.

`portal` gives the hotline and the bureau's name (主办单位); `theme` the site's theme and its
JurisdictionSettings, whose footer items (ICP 备案号, 网站标识码, 公安机关备案号) the base template shows.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from sites.models import JurisdictionSettings
from sites.themes import UNTHEMED_PATHS, get_theme


def portal(request: HttpRequest) -> dict:
    jurisdiction = (
        JurisdictionSettings.for_request(request) if not request.path.startswith("/admin/") else None
    )
    return {
        "hotline": (jurisdiction.hotline if jurisdiction else "") or settings.PORTAL_HOTLINE,
        "bureau_name": jurisdiction.bureau_name if jurisdiction else "",
        "site_title": settings.WAGTAIL_SITE_NAME,
    }


def theme(request: HttpRequest) -> dict:
    if request.path.startswith(UNTHEMED_PATHS):
        return {}
    jurisdiction = JurisdictionSettings.for_request(request)
    context = {"theme": get_theme(jurisdiction.theme if jurisdiction else None), "jurisdiction": jurisdiction}
    if jurisdiction and jurisdiction.site_title:
        context["site_title"] = jurisdiction.site_title
    return context
