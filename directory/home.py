"""What the home page shows: village lookup by part of its name, and browsing by place."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from places import codes
from places.models import Division
from search import text
from search.villages import find_villages, normalise
from sites.models import area_prefixes

from . import queries

MAX_RESULTS = 20
MAX_BROWSE_COUNTIES = 60
EXAMPLE_CACHE_SECONDS = 3600


def browse_places(areas: list[str]) -> list[Division]:
    """Counties when the site (or the database) has few, otherwise provinces (a national deployment)."""
    if areas:
        counties = []
        for prefix in areas:
            qs = Division.objects.counties()
            qs = qs.filter(code=prefix[:6]) if len(prefix) >= 6 else qs.within(prefix)
            counties.extend(qs.order_by("code")[: MAX_BROWSE_COUNTIES + 1])
        if len(counties) <= MAX_BROWSE_COUNTIES:
            return counties
        return list(Division.objects.filter(code__in=sorted({p[:2] for p in areas})))
    counties = list(Division.objects.counties().order_by("code")[: MAX_BROWSE_COUNTIES + 1])
    if len(counties) <= MAX_BROWSE_COUNTIES:
        return counties
    return list(Division.objects.filter(level=codes.PROVINCE).order_by("code"))


def search_example(areas: list[str]) -> dict[str, str] | None:
    """A village of this site to show in the search box's hint ("如“卜寨”或“buzhai”").

    Each site needs its own: a 城北区 villager told to type 卜寨 (a village of 崇左市) would find
    nothing there. The example is a covered village whose short name has exactly one pinyin
    reading, so the hint never teaches a wrong spelling of a polyphonic name. Cached per site.
    """
    key = "home:search-example:" + ",".join(sorted(areas))
    found = cache.get(key)
    if found is None:
        found = {}
        contracts = queries.contracts_in_force().order_by("village_id")
        if areas:
            condition = Q()
            for prefix in areas:
                condition |= Q(village__code__startswith=prefix)
            contracts = contracts.filter(condition)
        for name in contracts.values_list("village__name", flat=True)[:200]:
            core = text.core_name(name)
            spelled = text.name_pinyin(core).full
            if len(core) == 2 and len(spelled) == 1:
                found = {"name": core, "pinyin": spelled[0]}
                break
        cache.set(key, found, EXAMPLE_CACHE_SECONDS)
    return found or None


def home_context(request: HttpRequest) -> dict:
    query = normalise(request.GET.get("q", ""))
    areas = area_prefixes(request)
    results = []
    if query:
        villages = list(find_villages(query, areas, limit=MAX_RESULTS))
        in_force = {
            c.village_id: c
            for c in queries.contracts_in_force().filter(village__in=villages).order_by("-start_date")
        }
        wanted = (
            {v.code[:6] for v in villages} | {v.code[:9] for v in villages} | {v.code[:4] for v in villages}
        )
        names = dict(Division.objects.filter(code__in=wanted).values_list("code", "name"))
        for village in villages:
            where = "".join(
                names.get(village.code[:n], "") for n in (4, 6, 9) if names.get(village.code[:n]) != "市辖区"
            )
            results.append({"village": village, "where": where, "contract": in_force.get(village.code)})
    return {
        "query": query,
        "results": results,
        "result_limit_reached": len(results) >= MAX_RESULTS,
        # Lazy: the home page reads it inside a cached fragment (content/home.py).
        "browse": SimpleLazyObject(lambda: browse_places(areas)),
        "search_example": search_example(areas),
    }
