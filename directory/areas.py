"""The places a site serves, from its JurisdictionSettings (blank means the whole country)."""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.models import Site

from content.models import JurisdictionSettings


def settings_for(request: HttpRequest) -> JurisdictionSettings | None:
    """The jurisdiction of the Wagtail Site serving this request, memoised on the request."""
    if not hasattr(request, "_jurisdiction"):
        site = Site.find_for_request(request)
        request._jurisdiction = JurisdictionSettings.for_site(site) if site else None
    return request._jurisdiction


def area_prefixes(request: HttpRequest) -> list[str]:
    jurisdiction = settings_for(request)
    return jurisdiction.area_prefixes if jurisdiction else []
