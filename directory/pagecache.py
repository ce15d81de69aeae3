"""Tags of the directory's public pages, for the page cache (`pagecache`).

A place page (`/directory/<code>/`, any level) and the API shows everything inside the division
and what is attached to its ancestors (``places.pagecache.page_tags``); the county index shows
the coverage of the site's whole area; an adviser's page shows the adviser, their firm and the
names of the villages they serve (``adviser:<id>`` and any renamed division).
"""

from __future__ import annotations

from django.http import HttpRequest

import pagecache
from advisers.pagecache import adviser_tag
from places.pagecache import RENAMED, area_tags, page_tags
from sites.models import area_prefixes


def place_tags(request: HttpRequest, code: str = "", **kwargs) -> list[str]:
    return page_tags(code)


def index_tags(request: HttpRequest, **kwargs) -> list[str]:
    return [*area_tags(area_prefixes(request)), RENAMED]


def adviser_tags(request: HttpRequest, adviser_id: int = 0, **kwargs) -> list[str]:
    return [adviser_tag(adviser_id), RENAMED]


def connect() -> None:
    pagecache.register("directory:index", index_tags)
    pagecache.register("directory:place", place_tags)
    pagecache.register("directory:api", place_tags)
    pagecache.register("directory:adviser", adviser_tags)
