"""The site's theme and its footer items (主办单位, ICP 备案号, 网站标识码) for every public template."""

from __future__ import annotations

from django.http import HttpRequest

from directory.areas import settings_for

from .themes import UNTHEMED_PATHS, get_theme


def theme(request: HttpRequest) -> dict:
    if request.path.startswith(UNTHEMED_PATHS):
        return {}
    jurisdiction = settings_for(request)
    context = {"theme": get_theme(jurisdiction.theme if jurisdiction else None), "jurisdiction": jurisdiction}
    if jurisdiction and jurisdiction.site_title:
        context["site_title"] = jurisdiction.site_title
    return context
