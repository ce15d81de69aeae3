"""Wagtail's page routing with one query per level instead of two.

`Page.route` finds the child page by slug (one query) and then its specific page (a second).
The site's tree has a fixed shape — home, its article index, the articles — so a parent that knows
the type of its children reads the child as that type at once, with what its page shows joined in.
Any other child (a page type added later) is routed by Wagtail's own code, unchanged.
"""

from __future__ import annotations

from django.http import HttpRequest
from wagtail.models import Page


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
