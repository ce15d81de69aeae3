"""A shared page cache for anonymous visitors, invalidated by tags (the platform knows no domain).

Public pages here are mostly plain views over ordinary models (620k villages are not Wagtail
pages), so wagtail-cache 3.0.0, which only knows Wagtail pages and is cleared whole or per URL, does
not fit: a contract change must reach exactly the village page, its township and county listings
and the adviser's page. This app is hand-written for that, around *tags*:

- a view (or a hook before it runs) calls :func:`mark` with the tags of what the page shows, e.g.
  ``in:451402001201`` (anything inside that village) or ``adviser:80``;
- the middleware stores the response under a key of host, path and normalised query string, with
  the version of each tag read *before* the view ran;
- a save calls :func:`bump` with the tags it touches; after the transaction commits each tag gets
  a new version, so every entry stored with the old one is stale. Nothing scans keys.

A cached hit is two cache reads (the entry, then its tags' versions in one ``get_many``) and no
SQL on a Redis or local-memory cache. Domain apps say which tags their pages carry and which
changes bump which tags, each in its own ``pagecache.py`` module.
"""

from .core import bump, bump_now, mark, register, site_tags

__all__ = ["bump", "bump_now", "mark", "register", "site_tags"]
