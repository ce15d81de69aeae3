"""The home page of each site: find your village's adviser, 12348, latest articles, next lectures."""

from __future__ import annotations

from django.db import models
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.models import Page

from sites.limits import length_constraint, limited

from .routing import KnownRestrictionsMixin, mark_unrestricted, route_to_child


class HomePage(KnownRestrictionsMixin, Page):
    """`/`: find your village's adviser, call 12348, read the latest articles, see the next lectures.

    Villages and advisers are not pages (620k villages must not enter the page tree); the home page
    only links into the directory, which plain views render.
    """

    heading = models.CharField(_("标题"), max_length=100, default=_("找到您村(社区)的法律顾问"))
    intro = models.TextField(
        _("简介"),
        blank=True,
        **limited(500),
        default=_("每个村(社区)都有一名律师或基层法律服务工作者担任法律顾问，免费为村(居)民解答法律问题。"),
    )

    content_panels = [*Page.content_panels, FieldPanel("heading"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.ArticleIndexPage"]
    max_count = None

    class Meta:
        verbose_name = _("首页")
        constraints = [length_constraint("intro", 500, "homepage_intro_length", _("简介不能超过 500 个字。"))]

    def route(self, request, path_components):
        # Its article index read as such in one query, not two (content/models/routing.py).
        from .articles import ArticleIndexPage

        # Every page of a site is routed from here: the place to say whether any is restricted.
        return mark_unrestricted(request, route_to_child(self, request, path_components, ArticleIndexPage))

    def get_context(self, request, *args, **kwargs):
        from content.home import home_content
        from directory.home import home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(request))
        context.update(home_content(self, request))
        # The parts every visitor sees are one cached fragment under the page's own tags.
        from content.pagecache import home_tags

        context["fragment_tags"] = home_tags(self, request)
        return context

    def serve(self, request, *args, **kwargs):
        if request.GET.get("q"):
            # A village search from the home page's box counts against the search limit.
            from backoffice.ratelimits import retry_after, too_many_requests

            seconds = retry_after(request, "search")
            if seconds is not None:
                return too_many_requests(request, seconds, as_json=False)
        response = super().serve(request, *args, **kwargs)
        # The chosen village lives in a cookie, so caches must keep one copy per cookie.
        patch_vary_headers(response, ["Cookie"])
        return response
