"""Admin addresses of the sites app.

辖区设置 (JurisdictionSettings) belonged to the content app until issue 10, and Wagtail's settings
addresses carry the app's label: the old ones (bookmarks, operators' notes) are sent on to the
new ones rather than ending in a 404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import path, reverse
from wagtail import hooks


def settings_moved(request: HttpRequest, site_pk: int | None = None) -> HttpResponsePermanentRedirect:
    args = ["sites", "jurisdictionsettings", *([site_pk] if site_pk is not None else [])]
    return HttpResponsePermanentRedirect(reverse("wagtailsettings:edit", args=args))


@hooks.register("register_admin_urls")
def register_moved_settings_urls() -> list:
    return [
        path("settings/content/jurisdictionsettings/", settings_moved),
        path("settings/content/jurisdictionsettings/<int:site_pk>/", settings_moved),
    ]
