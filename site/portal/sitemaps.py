"""``/sitemap.xml`` and ``/robots.txt``: every public page of the site that serves the request.

Built on Django's sitemaps framework through Wagtail's wrapper, which hands each sitemap the
request: every Wagtail Site (崇左市司法局, 西宁市城北区司法局, ...) lists its own pages and its own
area (``JurisdictionSettings.area_codes``; blank means the whole country).

``/sitemap.xml`` is a sitemap *index*; each section is at ``/sitemap-<section>.xml`` in pages of
at most 50,000 addresses (``?p=2``, ...), the protocol's limit. A national deployment has about
665,000 divisions, so the places section has 14 pages: each page is read from the database by
its slice of the code index (``ORDER BY code LIMIT 50000 OFFSET ...``, codes only), never the
whole table into memory.

Listed: the site's live, public Wagtail pages (home, 普法园地 and its articles), the directory
index, the lecture list, every division of the site's area (province or city, counties,
townships, villages), the advisers serving there under a contract in force, and the lectures
held there. Not listed: the back office, the search, the JSON API, the health probes,
``/my-village/`` (a per-visitor choice), feeds and files; ``robots.txt`` asks crawlers to keep
out of the first ones.
"""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap as DjangoSitemap
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap
from wagtail.contrib.sitemaps import views as wagtail_sitemap_views

from advisers.models import Adviser, ServiceContract
from content.models import Lecture
from places import codes
from places.models import Division
from sites.models import area_prefixes

# Crawlers may keep a copy for an hour: new villages and advisers are not urgent for them.
SITEMAP_CACHE = cache_control(public=True, max_age=3600)


def under(field: str, prefixes: list[str]) -> Q:
    """Codes under any of ``prefixes`` as ranges on the key (index-friendly); none means all."""
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{field}__gte": prefix, f"{field}__lt": codes.prefix_upper_bound(prefix)})
    return condition


class SiteSitemap(WagtailSitemap):
    """A sitemap of the site serving the request, limited to its area."""

    # Records have no publication date to offer; a callable here would also make the index
    # read every item of the section (Django's get_latest_lastmod) instead of counting them.
    lastmod = None
    # Django's own address building from location(); Wagtail's version asks pages for theirs.
    _urls = DjangoSitemap._urls

    def area(self) -> list[str]:
        return area_prefixes(self.request) if self.request is not None else []


class PagesSitemap(WagtailSitemap):
    """The site's live, public Wagtail pages: home, the article index and the articles.

    Their addresses take the request's host and scheme like the other sections (a sitemap names
    one host), rather than the Site record's port, which says http behind a TLS proxy.
    """

    _urls = DjangoSitemap._urls

    def location(self, obj) -> str:
        return obj.get_url(self.request)


class ListingsSitemap(SiteSitemap):
    """Public listings that are views, not Wagtail pages."""

    changefreq = "daily"

    def items(self) -> list[str]:
        return ["directory:index", "lectures:list"]

    def location(self, item: str) -> str:
        return reverse(item)


class PlacesSitemap(SiteSitemap):
    """Every division of the site's area, by code: its directory page (a village's page for a
    12-digit code). Codes only, one slice of the primary key index per sitemap page."""

    changefreq = "weekly"

    def items(self) -> QuerySet:
        return (
            Division.objects.filter(under("code", self.area()))
            .order_by("code")
            .values_list("code", flat=True)
        )

    def location(self, item: str) -> str:
        return f"/directory/{item}/"


class AdvisersSitemap(SiteSitemap):
    """Advisers serving a village of the area under a contract in force today.

    A former adviser's page stays reachable from old links, but is not offered to crawlers.
    """

    changefreq = "weekly"

    def items(self) -> QuerySet:
        contracts = ServiceContract.objects.in_force(timezone.localdate()).filter(
            under("village_id", self.area())
        )
        return (
            Adviser.objects.filter(pk__in=contracts.values("adviser_id"))
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    def location(self, item: int) -> str:
        return reverse("directory:adviser", args=[item])


class LecturesSitemap(SiteSitemap):
    """Lectures held in the area (each lecture's page; the site answers 404 for other areas)."""

    changefreq = "weekly"

    def items(self) -> QuerySet:
        return Lecture.objects.within(self.area()).order_by("pk").values_list("pk", flat=True)

    def location(self, item: int) -> str:
        return reverse("lectures:detail", args=[item])


SECTIONS: dict[str, type[WagtailSitemap]] = {
    "pages": PagesSitemap,
    "listings": ListingsSitemap,
    "places": PlacesSitemap,
    "advisers": AdvisersSitemap,
    "lectures": LecturesSitemap,
}


@require_safe
@SITEMAP_CACHE
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """The sitemap index: one entry per section page (at most 50,000 addresses each)."""
    return wagtail_sitemap_views.index(request, SECTIONS, sitemap_url_name="sitemap-section")


@require_safe
@SITEMAP_CACHE
def sitemap_section(request: HttpRequest, section: str) -> HttpResponse:
    """One page (``?p=``) of one section; an unknown section or page is a 404."""
    return wagtail_sitemap_views.sitemap(request, SECTIONS, section=section)


# Crawlers keep out of the back office, the search (endless query addresses), the JSON API,
# the per-visitor village choice, the health probes and uploaded documents.
ROBOTS_DISALLOW = ("/admin/", "/search/", "/api/", "/my-village/", "/healthz", "/readyz", "/documents/")


@require_safe
@SITEMAP_CACHE
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt for the site of the request, pointing at its sitemap index."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOW)]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
