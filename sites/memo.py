"""The JurisdictionSettings of the site serving a request, without two queries on every page.

Every public page needs its site's settings (area, theme, footer) and Wagtail's routing starts at
the site's root page, read as its own type (the home page). Looking them up costs
Wagtail's site match (`Site.find_for_request`, a query joining the root page) and the settings
row (another query) on each request; on the village page that was about a fifth of the server's
time. Sites and their settings change a few times a year, so each web process keeps what it
looked up, and a *version* in the shared cache says whether that is still current: every save or
delete of a Site or of JurisdictionSettings gives the version a new value once the transaction
commits (receivers in `sites/models.py`), and each request reads the version once
(one cache read: a Redis round trip, or one query on the database cache) before trusting its
copy. A process therefore sees a change on its next request after the save, like the page cache.

Each request gets its own copy of the settings object, so a related object loaded by one request
(the logo image) is never carried into the next. When the shared cache cannot be read, the
lookup goes to the database as before. `PORTAL_SITE_SETTINGS_MEMO = False` switches the copies off.

Callers never use this module directly: `JurisdictionSettings.for_request` (Wagtail's own
per-request settings) asks `prepare` first, and Wagtail's page serving is handed the copy by
`sites.loaders.ThemeMiddleware`.
"""

from __future__ import annotations

import copy
import logging
import threading
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.models import Site

logger = logging.getLogger(__name__)

VERSION_KEY = "portal:site-settings:version"

_lock = threading.Lock()
_memo: dict[str, object] = {"version": None, "entries": {}, "restrictions": None}


def _current_version() -> str | None:
    """The shared version, created when the cache has none; None when the cache is unreachable."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
    except Exception:  # a cache outage must not take the public pages down with it
        logger.warning("Shared cache unreachable; site settings read from the database")
        return None
    return version


def _lookup(request: HttpRequest, model: type) -> tuple[Site | None, object]:
    site = Site.find_for_request(request)
    if site is not None and site.root_page_id:
        # Kept as its own type (the site's home page), so that Wagtail's routing, which starts
        # with `site.root_page.specific`, costs no query either; a save of a site's root page
        # changes the version like a save of the site (`sites.models.root_page_changed`).
        site.root_page = site.root_page.specific
    return site, (model.for_site(site) if site else None)


def _copy_site(site: Site | None) -> Site | None:
    """A copy of the site and of its root page, so nothing a request loads on them is shared."""
    if site is None:
        return None
    clone = copy.copy(site)  # Model.__getstate__ copies the related-object cache too
    root = site._state.fields_cache.get("root_page")
    if root is not None:
        clone.root_page = copy.copy(root)
    return clone


def _copy(entry: tuple) -> tuple:
    site, jurisdiction = entry
    return _copy_site(site), (copy.copy(jurisdiction) if jurisdiction is not None else None)


def enabled() -> bool:
    # Off in the test settings: a test's save never commits, so its bump would never be seen.
    return bool(getattr(settings, "PORTAL_SITE_SETTINGS_MEMO", True))


def _entry(request: HttpRequest, model: type) -> tuple | None:
    """(site, settings) for the request's host, private copies; None when the memo is unusable."""
    version = _current_version() if enabled() else None
    if version is None:
        return None
    request._portal_memo_version = version  # what `view_restrictions_possible` trusts
    # Wagtail matches a site by host name and port alone, so they are the key.
    key = (split_domain_port(request._get_raw_host())[0], request.get_port())
    with _lock:
        if _memo["version"] != version:
            _memo["version"] = version
            _memo["entries"] = {}
            _memo["restrictions"] = None
        found = _memo["entries"].get(key)  # type: ignore[union-attr]
    if found is None:
        looked_up = _lookup(request, model)
        found = _copy(looked_up)  # stored without anything this request loads on its own objects
        with _lock:
            if _memo["version"] == version:
                _memo["entries"][key] = found  # type: ignore[index]
    return _copy(found)


def prepare(request: HttpRequest, model: type) -> None:
    """Put this process's copy of the site and its settings where Wagtail looks first.

    `Site.find_for_request` reads `request._wagtail_site` and `BaseSiteSetting.for_request` the
    attribute named by `model.get_cache_attr_name()`; with both set, neither queries. Nothing is
    set when the memo is off or the shared cache is unreachable: Wagtail then looks them up.
    """
    attr = model.get_cache_attr_name()
    if hasattr(request, attr):
        return
    entry = _entry(request, model)
    if entry is None:
        return
    site, jurisdiction = entry
    if not hasattr(request, "_wagtail_site"):
        request._wagtail_site = site
    if jurisdiction is not None:
        jurisdiction._request = request  # as Wagtail's for_request does, for page URLs
        setattr(request, attr, jurisdiction)


def view_restrictions_possible(request: HttpRequest | None) -> bool:
    """Whether any page may carry Wagtail's privacy (a view restriction); True when unknown.

    Wagtail checks every page it serves for restrictions on it and its ancestors (two queries),
    although most installations never restrict a public page. Whether any restriction exists at
    all is part of this process's copy, under the version this request read when it began
    (`prepare`): adding or removing one changes the version (`sites.models`), so a page made
    private is checked on the next request after the commit, like every other change here.
    A request that read no version (memo off, cache unreachable) is always checked.
    """
    version = getattr(request, "_portal_memo_version", None)
    if version is None:
        return True
    with _lock:
        if _memo["version"] != version:
            return True
        known = _memo.get("restrictions")
    if known is None:
        from wagtail.models import PageViewRestriction

        known = PageViewRestriction.objects.exists()
        with _lock:
            if _memo["version"] == version:
                _memo["restrictions"] = known
    return bool(known)


def changed() -> None:
    """Make every process look its sites' settings up again, once the current transaction commits."""

    def bump() -> None:
        try:
            cache.set(VERSION_KEY, uuid.uuid4().hex, None)
        except Exception:
            logger.exception("Could not announce a change of site settings; processes keep their copy")

    transaction.on_commit(bump)
