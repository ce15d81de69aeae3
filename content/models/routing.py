"""Wagtail's page routing with one query per level instead of two.

`Page.route` finds the child page by slug (one query) and then its specific page (a second).
The site's tree has a fixed shape — home, its article index, the articles — so a parent that knows
the type of its children reads the child as that type at once, with what its page shows joined in.
Any other child (a page type added later) is routed by Wagtail's own code, unchanged.

Serving a page, Wagtail then reads the view restrictions (privacy) of the page and of its
ancestors, two more queries, although a public site seldom has any. When this process knows
that no page of any site is restricted (`sites.memo.view_restrictions_possible`), the routed page
is told so and answers that it has none; otherwise Wagtail checks as always.
"""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.models import Page, PageViewRestriction
from wagtail.url_routing import RouteResult

from sites import memo


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
    child = (
        child_model.objects.child_of(parent).select_related(*related).filter(slug=path_components[0]).first()
    )
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
