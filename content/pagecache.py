"""Tags of the content pages (home, articles, feeds, lectures, calendars) for the page cache.

- Wagtail pages of one site (home, article index and its feeds, articles) carry
  ``pages:<site root path>``: publishing, unpublishing, moving or deleting an article refreshes
  its site's home, index, feeds and the other articles (their "related" lists), and
  ``pages`` (any site). Categories are shown everywhere: ``article-categories``.
- The home page also shows the next lectures and, for `?q=`, villages with their advisers; it is
  never cached for a visitor who has chosen a village (the "my village" cookie changes it).
- Lectures bump ``lecture:<id>``, ``lectures-in:<each prefix of the place>`` and the place's
  change tags (village and township pages list their next lectures).
- A site's 辖区设置 (JurisdictionSettings: theme, footer, area) bumps ``site:<id>``.
- Privacy (Wagtail's page view restrictions) is saved as a restriction row, not as the page: adding
  or removing one bumps the sites of the restricted page and of everything below it, so a page
  made private is never served from the cache again, and one made public again is rendered afresh.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save
from django.http import HttpRequest
from wagtail import hooks
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

import pagecache
from advisers.pagecache import ADVISERS
from places import codes
from places.pagecache import RENAMED, area_tags, change_tags
from sites.models import JurisdictionSettings, area_prefixes

from . import cachetags
from .cachetags import CATEGORIES, PAGES, root_tag
from .home import VILLAGE_COOKIE
from .models import ArticleCategory, ArticleIndexPage, ArticlePage, HomePage, Lecture
from .models.lectures import LecturePhoto

LECTURE_PARAMS = ("area", "when", "page")
ARTICLE_PARAMS = ("category", "tag", "page")


def lecture_change_tags(lecture_id, place_code: str) -> list[str]:
    prefixes = (
        ["", *codes.ancestor_codes(place_code), place_code] if codes.is_valid_code(place_code) else [""]
    )
    return [f"lecture:{lecture_id}", *(f"lectures-in:{p}" for p in prefixes), *change_tags(place_code)]


def site_lecture_tags(request: HttpRequest) -> list[str]:
    prefixes = [p for p in area_prefixes(request) if p] or [""]
    return [*(f"lectures-in:{p}" for p in prefixes), RENAMED, CATEGORIES, ADVISERS]


def lecture_list_tags(request: HttpRequest, **kwargs) -> list[str]:
    return site_lecture_tags(request)


def lecture_tags(request: HttpRequest, pk: int = 0, **kwargs) -> list[str]:
    return [f"lecture:{pk}", RENAMED, CATEGORIES, ADVISERS]


def article_tags(page) -> list[str]:
    """What an article shows: its site's pages (itself, its related articles) and categories."""
    return cachetags.article_tags(page.path)


def home_tags(page, request: HttpRequest) -> list[str]:
    """What a site's home page shows: its pages, categories, lectures and places of its area."""
    return [root_tag(page.path), CATEGORIES, *site_lecture_tags(request), *area_tags(area_prefixes(request))]


def before_serve_page(page, request: HttpRequest, serve_args, serve_kwargs) -> None:
    """Mark the site's public pages as cacheable before they render (Wagtail's serve hook)."""
    specific = page.specific_class
    if specific not in (HomePage, ArticleIndexPage, ArticlePage) or len(page.path) < 8:
        return None
    if getattr(request, "_pagecache_key", None) is None or page.get_view_restrictions().exists():
        return None
    tags = [root_tag(page.path), CATEGORIES]
    if specific is HomePage:
        pagecache.mark(request, home_tags(page, request), params=("q",), skip_cookies=(VILLAGE_COOKIE,))
    elif specific is ArticleIndexPage:
        pagecache.mark(request, tags, params=ARTICLE_PARAMS)
    else:
        pagecache.mark(request, tags)
    return None


def page_changed(sender, instance, **kwargs) -> None:
    if instance.path:
        pagecache.bump(PAGES, root_tag(instance.path))


def page_moved(
    sender, instance, parent_page_before=None, parent_page_after=None, url_path_before="", **kwargs
):
    tags = [PAGES, root_tag(instance.path)]
    if parent_page_before is not None:
        tags.append(root_tag(parent_page_before.path))
    pagecache.bump(*tags)


def restriction_changed(sender, instance: PageViewRestriction, **kwargs) -> None:
    path = Page.objects.filter(pk=instance.page_id).values_list("path", flat=True).first()
    if not path:
        return
    if len(path) >= 8:
        roots = [path]
    else:  # the tree's root (or above every site): each site below it
        roots = list(Page.objects.filter(depth=2, path__startswith=path).values_list("path", flat=True))
    pagecache.bump(PAGES, *(root_tag(root) for root in roots))


def remember_place(sender, instance: Lecture, raw: bool = False, **kwargs) -> None:
    if instance.pk and not raw:
        instance._pagecache_place = (
            Lecture.objects.filter(pk=instance.pk).values_list("place_id", flat=True).first()
        )


def lecture_changed(sender, instance: Lecture, **kwargs) -> None:
    tags = lecture_change_tags(instance.pk, instance.place_id or "")
    before = getattr(instance, "_pagecache_place", None)
    if before and before != instance.place_id:
        tags += lecture_change_tags(instance.pk, before)
    pagecache.bump(*tags)


def lecture_photo_changed(sender, instance: LecturePhoto, **kwargs) -> None:
    pagecache.bump(f"lecture:{instance.lecture_id}")


def category_changed(sender, instance, **kwargs) -> None:
    pagecache.bump(CATEGORIES, PAGES)


def jurisdiction_changed(sender, instance: JurisdictionSettings, **kwargs) -> None:
    pagecache.bump(f"site:{instance.site_id}")


def connect() -> None:
    uid = "content_pagecache"
    hooks.register("before_serve_page", before_serve_page)
    for model in (HomePage, ArticleIndexPage, ArticlePage):
        name = model._meta.model_name
        post_save.connect(page_changed, sender=model, dispatch_uid=f"{uid}_{name}_save")
        post_delete.connect(page_changed, sender=model, dispatch_uid=f"{uid}_{name}_delete")
        page_published.connect(page_changed, sender=model, dispatch_uid=f"{uid}_{name}_published")
        page_unpublished.connect(page_changed, sender=model, dispatch_uid=f"{uid}_{name}_unpublished")
    post_page_move.connect(page_moved, dispatch_uid=f"{uid}_page_moved")
    post_save.connect(restriction_changed, sender=PageViewRestriction, dispatch_uid=f"{uid}_restriction_save")
    post_delete.connect(
        restriction_changed, sender=PageViewRestriction, dispatch_uid=f"{uid}_restriction_delete"
    )
    pre_save.connect(remember_place, sender=Lecture, dispatch_uid=f"{uid}_lecture_pre")
    post_save.connect(lecture_changed, sender=Lecture, dispatch_uid=f"{uid}_lecture_save")
    post_delete.connect(lecture_changed, sender=Lecture, dispatch_uid=f"{uid}_lecture_delete")
    post_save.connect(lecture_photo_changed, sender=LecturePhoto, dispatch_uid=f"{uid}_photo_save")
    post_delete.connect(lecture_photo_changed, sender=LecturePhoto, dispatch_uid=f"{uid}_photo_delete")
    post_save.connect(category_changed, sender=ArticleCategory, dispatch_uid=f"{uid}_category_save")
    post_delete.connect(category_changed, sender=ArticleCategory, dispatch_uid=f"{uid}_category_delete")
    post_save.connect(jurisdiction_changed, sender=JurisdictionSettings, dispatch_uid=f"{uid}_site_save")
    pagecache.register("lectures:list", lecture_list_tags, params=LECTURE_PARAMS)
    pagecache.register("lectures:calendar", lecture_list_tags, params=("area",))
    pagecache.register("lectures:detail", lecture_tags)
    pagecache.register("lectures:ics", lecture_tags)
