"""The places a site serves, from its JurisdictionSettings (blank means the whole country)."""

from __future__ import annotations

from django.http import HttpRequest

from content import site_settings
from content.models import JurisdictionSettings


def settings_for(request: HttpRequest) -> JurisdictionSettings | None:
    """The jurisdiction of the Wagtail Site serving this request, memoised on the request.

    Across requests, each process keeps the settings it looked up until a save announces a
    change (content/site_settings.py).
    """
    if not hasattr(request, "_jurisdiction"):
        request._jurisdiction = site_settings.for_request(request)
    return request._jurisdiction


def area_prefixes(request: HttpRequest) -> list[str]:
    jurisdiction = settings_for(request)
    return jurisdiction.area_prefixes if jurisdiction else []
