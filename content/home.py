"""What the home page shows besides the village lookup: latest articles, next lectures, and the
lectures near the visitor's own village once they have chosen one (remembered in a cookie)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from places import codes
from places.models import Division
from sites.models import JurisdictionSettings

from .models import ArticleIndexPage, ArticlePage, HomePage, Lecture

VILLAGE_COOKIE = "portal_village"
LATEST_ARTICLES = 4
NEXT_LECTURES = 4
NEARBY_LECTURES = 4


def articles_index(home: HomePage) -> ArticleIndexPage | None:
    return ArticleIndexPage.objects.child_of(home).live().first()


def chosen_village(request: HttpRequest) -> Division | None:
    """The village the visitor chose ("设为我的村"), if it is real and inside this site's area."""
    code = request.COOKIES.get(VILLAGE_COOKIE, "")
    if codes.level_of(code) != codes.VILLAGE:
        return None
    jurisdiction = JurisdictionSettings.for_request(request)
    if jurisdiction and not jurisdiction.covers(code):
        return None
    return Division.objects.select_related("parent").filter(code=code).first()


def site_lectures(request: HttpRequest):
    jurisdiction = JurisdictionSettings.for_request(request)
    return Lecture.objects.within(jurisdiction.area_prefixes if jurisdiction else [])


def nearby_lectures(village: Division, limit: int = NEARBY_LECTURES) -> tuple[list[Lecture], str]:
    """Upcoming lectures in the village's township, else its county; and which of the two it was."""
    for length, scope in ((codes.CODE_LENGTHS[codes.TOWNSHIP], "township"), (6, "county")):
        found = list(
            Lecture.objects.within([village.code[:length]])
            .exclude(status=Lecture.Status.CANCELLED)
            .upcoming()
            .for_listing()[:limit]
        )
        if found:
            return found, scope
    return [], ""


def latest_articles(index: ArticleIndexPage | None) -> list[ArticlePage]:
    if index is None:
        return []
    return list(
        ArticlePage.objects.child_of(index)
        .live()
        .public()
        .select_related("category", "cover_image")
        .prefetch_related("cover_image__renditions")
        .order_by("-date", "-first_published_at", "-pk")[:LATEST_ARTICLES]
    )


def home_content(home: HomePage, request: HttpRequest) -> dict:
    """The home page's parts; the shared ones are lazy, read only when their cached fragment misses.

    The articles, lectures and places are the same for every visitor of the site, so the template
    keeps them in one fragment (pagecache/fragments.py) under the page's tags; only the visitor's
    own village is worked out on every request.
    """
    index = SimpleLazyObject(lambda: articles_index(home))
    village = chosen_village(request)
    nearby, nearby_scope = nearby_lectures(village) if village else ([], "")
    return {
        "articles_index": index,
        "latest_articles": SimpleLazyObject(lambda: latest_articles(index if index else None)),
        "next_lectures": SimpleLazyObject(
            lambda: list(site_lectures(request).upcoming().for_listing()[:NEXT_LECTURES])
        ),
        "my_village": village,
        "nearby_lectures": nearby,
        "nearby_scope": nearby_scope,
    }
