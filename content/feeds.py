"""`/articles/feed/` (RSS 2.0) and `/articles/feed/atom/` (Atom) of one site's articles.

The same `?category=` filter as the index applies, so a township's WeChat account can follow just
土地权属, say.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from sites.models import JurisdictionSettings

from .models import ArticleIndexPage, ArticlePage

FEED_ITEMS = 30


class ArticleFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "zh-cn"

    def __init__(self, index: ArticleIndexPage):
        super().__init__()
        self.index = index

    def get_object(self, request: HttpRequest, *args, **kwargs) -> dict:
        articles, category, _tag = self.index.filtered_articles(request)
        jurisdiction = JurisdictionSettings.for_request(request)
        site_name = (jurisdiction.bureau_name if jurisdiction else "") or self.index.get_site().site_name
        return {
            "request": request,
            "articles": list(articles[:FEED_ITEMS]),
            "category": category,
            "site_name": site_name,
            # Links use the host the feed was asked on (a site may answer on several host names).
            "link": request.build_absolute_uri(self.index.get_url(request)),
        }

    def title(self, obj: dict) -> str:
        title = _("%(site)s 普法文章") % {"site": obj["site_name"]}
        if obj["category"]:
            title += f" · {obj['category'].name}"
        return title

    def link(self, obj: dict) -> str:
        return obj["link"]

    def description(self, obj: dict) -> str:
        return self.index.intro or _("通俗易懂的法律知识：婚姻家庭、土地权属、劳动争议等群众身边的法律问题。")

    def items(self, obj: dict) -> list[ArticlePage]:
        self._request = obj["request"]
        return obj["articles"]

    def item_title(self, item: ArticlePage) -> str:
        return item.title

    def item_description(self, item: ArticlePage) -> str:
        return item.intro

    def item_link(self, item: ArticlePage) -> str:
        return self._request.build_absolute_uri(item.get_url(self._request))

    def item_guid(self, item: ArticlePage) -> str:
        return self.item_link(item)

    def item_pubdate(self, item: ArticlePage) -> dt.datetime:
        # The article's own date, at the hour it was first published (or noon) in local time.
        published = item.first_published_at and timezone.localtime(item.first_published_at)
        at = published.timetz() if published and published.date() == item.date else dt.time(12)
        return timezone.make_aware(dt.datetime.combine(item.date, at.replace(tzinfo=None)))

    def item_updateddate(self, item: ArticlePage) -> dt.datetime | None:
        return item.last_published_at

    def item_categories(self, item: ArticlePage) -> list[str]:
        return [item.category.name]


class AtomArticleFeed(ArticleFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj: dict) -> str:
        return self.description(obj)
