"""Public pages of the directory. Unknown or malformed codes are 404s, never 500s."""

from __future__ import annotations

from itertools import groupby

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from advisers.duties import DUTIES
from advisers.models import Adviser
from places import codes
from places.models import Division
from places.pagecache import page_tags
from sites.models import area_prefixes

from . import extensions, queries

PUBLIC_CACHE = cache_control(public=True, max_age=300)


def get_place(code: str) -> Division:
    """The division with this code, or 404 for a malformed or unknown one."""
    if not codes.is_valid_code(code):
        raise Http404(_("区划代码格式不正确。"))
    place = queries.place_with_lineage(code)
    if place is None:
        raise Http404(_("没有这个区划代码。"))
    return place


@require_safe
@PUBLIC_CACHE
def directory_index(request: HttpRequest) -> HttpResponse:
    """All counties of the deployment with their coverage, grouped by city."""
    prefixes = area_prefixes(request) or [""]
    counties: list[Division] = []
    for prefix in prefixes:
        qs = Division.objects.counties()
        if prefix:
            # A county-level area is itself a county; a wider one contains counties.
            qs = qs.within(prefix[:6]) if len(prefix) >= 6 else qs.within(prefix)
        counties.extend(qs.order_by("code"))
    city_codes = sorted({c.code[:4] for c in counties} | {c.code[:2] for c in counties})
    names = dict(Division.objects.filter(code__in=city_codes).values_list("code", "name"))
    coverage = queries.cached_coverage_by([p[:6] if len(p) > 6 else p for p in prefixes], 6)
    groups = []
    for city_code, items in groupby(counties, key=lambda c: c.code[:4]):
        rows = [queries.ChildRow(c, coverage.get(c.code, queries.Coverage())) for c in items]
        province = names.get(city_code[:2], "")
        city = names.get(city_code, "")
        # Municipalities list their districts under "市辖区"; the province name reads better.
        title = province if city in ("市辖区", "县", "") else f"{province} {city}".strip()
        groups.append({"code": city_code, "title": title, "rows": rows})
    context = {
        "groups": groups,
        "coverage": queries.total(coverage),
        "county_count": len(counties),
        "collapse": len(groups) > 3,
    }
    return render(request, "directory/index.html", context)


@require_safe
@PUBLIC_CACHE
def place_detail(request: HttpRequest, code: str) -> HttpResponse:
    place = get_place(code)
    ancestors, bureau = queries.ancestors_with_bureau(place)  # no query: loaded with the place
    # The page's parts that come from the database are cached fragments (pagecache/fragments.py)
    # under the tags of everything they show, the same tags as the whole page's; `view` is read
    # only inside them, so a fragment hit skips its queries and a change is seen at once.
    context = {"ancestors": ancestors, "bureau": bureau, "fragment_tags": page_tags(place.code)}
    if place.level == codes.VILLAGE:
        # specialties=False: the page does not list them.
        view = SimpleLazyObject(lambda: queries.village_view(place, specialties=False))
        context.update({"view": view, "village": place, "duties": DUTIES})
        return render(request, "directory/village.html", context)
    context.update({"view": SimpleLazyObject(lambda: queries.place_view(place)), "place": place})
    return render(request, "directory/place.html", context)


@require_safe
@PUBLIC_CACHE
def adviser_detail(request: HttpRequest, adviser_id: int) -> HttpResponse:
    adviser = get_object_or_404(
        # An adviser no longer in post (不在岗) has no public page: nor name, photo nor number.
        Adviser.objects.filter(is_active=True)
        .select_related("firm", "photo")
        .prefetch_related("specialties", "photo__renditions"),
        pk=adviser_id,
    )
    contracts = queries.adviser_contracts(adviser.pk)
    return render(
        request,
        "directory/adviser.html",
        {
            "adviser": adviser,
            "contracts": contracts,
            "directory_url": reverse("directory:index"),
            "sections": extensions.adviser_sections(adviser),
        },
    )
