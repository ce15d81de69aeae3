"""The public search page for the page cache: results may name anything, so any change bumps it.

Search results come from the whole index: a change of a village, adviser, contract, lecture or
article anywhere refreshes them (``in:`` is bumped by every change inside the country). With
Elasticsearch the index follows a save a moment later (the task worker), so cached results are
also kept at most 60 s, as long as browsers were already allowed to keep them.
"""

from __future__ import annotations

from django.http import HttpRequest

import pagecache

SEARCH_SECONDS = 60
# The query parameters search.views.parse understands; any other is not cached.
PARAMS = ("q", "type", "county", "category", "page", "format")
TAGS = ["in:", "lectures-in:", "pages", "divisions", "article-categories", "advisers"]


def search_tags(request: HttpRequest, **kwargs) -> list[str]:
    return TAGS


def connect() -> None:
    pagecache.register("search:search", search_tags, params=PARAMS, timeout=SEARCH_SECONDS)
