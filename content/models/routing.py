"""Wagtail's page routing with one query per level instead of two.

`Page.route` finds the child page by slug (one query) and then its specific page (a second).
The site's tree has a fixed shape — home, its article index, the articles — so a parent that knows
the type of its children reads the child as that type at once, with what its page shows joined in.
Any other child (a page type added later) is routed by Wagtail's own code, unchanged.

The pages read on the way (a site's article index, an article, with its category and cover) are
also kept by each web process, under the versions of the page cache's tags that every change to
them bumps when it commits (the site's pages, the categories, the images: the tags of the
article's own fragment, so the check costs no extra cache read). A request after a change reads
new versions and so misses the copy: it sees the change exactly when the page cache and the
fragments do. Each request gets its own copy of the page and of its related objects; at most
`ROUTE_MEMO_SIZE` pages are kept, least recently used first out; previews, and the page cache
switched off or unreachable, read the database as before.

Serving a page, Wagtail then reads the view restrictions (privacy) of the page and of its
ancestors, two more queries, although a public site seldom has any. When this process knows
that no page of any site is restricted (`sites.memo.view_restrictions_possible`), the routed page
is told so and answers that it has none; otherwise Wagtail checks as always.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict

from django.http import HttpRequest
from wagtail.models import Page, PageViewRestriction
from wagtail.url_routing import RouteResult

from content.cachetags import article_tags
from pagecache import fragments
from sites import memo

ROUTE_MEMO_SIZE = 512

_route_lock = threading.Lock()
_route_memo: OrderedDict[tuple, Page | None] = OrderedDict()


def _copy(child: Page, related: tuple[str, ...]) -> Page:
    """This request's own copy of a kept page and of its related objects."""
    clone = copy.copy(child)  # Model.__getstate__ copies the related-object cache as well
    for name in related:
        value = child._state.fields_cache.get(name)
        if value is not None:
            clone._state.fields_cache[name] = copy.copy(value)
    return clone


def _child(parent: Page, request: HttpRequest, slug: str, child_model: type[Page], related: tuple[str, ...]):
    def read():
        return child_model.objects.child_of(parent).select_related(*related).filter(slug=slug).first()

    # The tags of what a routed page holds: those of the article's own fragment.
    versions = fragments.versions(request, article_tags(parent.path))
    if versions is None:
        return read()
    key = (parent.pk, slug, child_model._meta.label, related, tuple(sorted(versions.items())))
    with _route_lock:
        found = _route_memo.get(key, False)
        if found is not False:
            _route_memo.move_to_end(key)
    if found is False:
        found = read()
        with _route_lock:
            _route_memo[key] = None if found is None else _copy(found, related)
            while len(_route_memo) > ROUTE_MEMO_SIZE:
                _route_memo.popitem(last=False)
    return None if found is None else _copy(found, related)


def route_to_child(
    parent: Page,
    request: HttpRequest,
    path_components: list[str],
    child_model: type[Page],
    related: tuple[str, ...] = (),
):
    """`Page.route` for `parent`, reading a child of `child_model` (and `related`) in one query."""
    if not path_components:
        return Page.route(parent, request, path_components)
    child = _child(parent, request, path_components[0], child_model, related)
    if child is None:
        return Page.route(parent, request, path_components)  # another page type, or a 404
    child._cached_parent_obj = parent  # as Page.route does: get_parent() needs no query
    return child.route(request, path_components[1:])


class KnownRestrictionsMixin:
    """A page that answers "no view restrictions" without a query when routing found none exist."""

    def get_view_restrictions(self):
        if self.__dict__.get("_portal_unrestricted"):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


def mark_unrestricted(request: HttpRequest, result):
    """Tell the routed page that no restriction exists anywhere, when this process knows it."""
    if isinstance(result, RouteResult) and not memo.view_restrictions_possible(request):
        result.page.__dict__["_portal_unrestricted"] = True
    return result
