"""`/search/?q=`: one search box over villages, advisers, articles and lectures.

HTML for people, JSON for programs (`Accept: application/json` or `?format=json`), and
`/search/suggest?q=` for the home page's autocomplete. Results are limited to the site's
jurisdiction (JurisdictionSettings) and its own articles; `?type=`, `?county=` and
`?category=` narrow them (the facets). Bad input is a 400 with a message in Chinese, never a 500;
an Elasticsearch outage is answered from the database with a notice.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from wagtail.models import Site

from backoffice.ratelimits import rate_limit
from sites.models import area_prefixes

from . import service, text
from .models import Kind
from .results import MAX_PAGE, SearchRequest, SearchResults

SUGGESTIONS = 8


class BadSearch(ValueError):
    """The request cannot be answered as asked; the message is shown to the user."""


def _wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _site_tree_path(request: HttpRequest) -> str:
    site = Site.find_for_request(request)
    return site.root_page.path if site else ""


def parse(request: HttpRequest, facets: bool = True, page_size: int | None = None) -> SearchRequest:
    """A validated SearchRequest from the query string; raises BadSearch with a user message."""
    raw = request.GET.get("q", "")
    try:
        query = text.parse_query(raw)
    except text.QueryTooLong as exc:
        raise BadSearch(
            _("搜索词太长了，请不超过 %(limit)d 个字。") % {"limit": text.MAX_QUERY_LENGTH}
        ) from exc
    kind = request.GET.get("type", "")
    if kind and kind not in Kind.values:
        raise BadSearch(_("没有这种搜索类型。"))
    county = request.GET.get("county", "")
    if county and not (county.isascii() and county.isdigit() and len(county) == 6):
        raise BadSearch(_("县(市、区)代码应为 6 位数字。"))
    category = text.normalise(request.GET.get("category", ""))
    if len(category) > 50:
        raise BadSearch(_("分类名称太长。"))
    page_value = request.GET.get("page", "1") or "1"
    if not (page_value.isascii() and page_value.isdigit()) or not 1 <= int(page_value) <= MAX_PAGE:
        raise BadSearch(_("页码应为 1 到 %(max)d 之间的数字。") % {"max": MAX_PAGE})
    search = SearchRequest(
        query=query,
        kind=kind,
        county=county,
        category=request.GET.get("category", "")[:50],
        page=int(page_value),
        areas=area_prefixes(request),
        tree_path=_site_tree_path(request),
        facets=facets,
    )
    if page_size:
        search.page_size = page_size
    return search


def notice(results: SearchResults) -> str:
    if results.degraded:
        return _("搜索服务暂时不可用，以下结果来自备用检索，可能不够完整。")
    if results.total_is_lower_bound:
        return _("符合条件的结果很多，以下只列出一部分。请输入更完整的名称，或按地区、类型筛选。")
    return ""


def _payload(results: SearchResults) -> dict:
    search = results.request
    return {
        "query": search.query.text,
        "total": results.total,
        "total_is_lower_bound": results.total_is_lower_bound,
        "page": search.page,
        "pages": results.pages,
        "page_size": search.page_size,
        "backend": results.backend,
        "degraded": results.degraded,
        "notice": notice(results),
        "filters": {"type": search.kind, "county": search.county, "category": search.category},
        "results": [hit.as_dict() for hit in results.hits],
        "facets": {
            name: [
                {"value": v.value, "label": v.label, "count": v.count, "selected": v.selected} for v in values
            ]
            for name, values in results.facets.items()
        },
    }


@rate_limit("search", json=_wants_json)
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    as_json = _wants_json(request)
    try:
        search = parse(request)
    except BadSearch as exc:
        if as_json:
            return JsonResponse({"error": str(exc)}, status=400, json_dumps_params={"ensure_ascii": False})
        context = {
            "error": str(exc),
            "query": text.normalise(request.GET.get("q", ""))[: text.MAX_QUERY_LENGTH],
        }
        return render(request, "search/results.html", context, status=400)
    results = service.run(search)
    if as_json:
        response = JsonResponse(_payload(results), json_dumps_params={"ensure_ascii": False})
    else:
        response = render(
            request,
            "search/results.html",
            {"results": results, "search": search, "query": search.query.text, "notice": notice(results)},
        )
    response["Vary"] = "Accept"
    return response


@rate_limit("search", json=True)
@require_GET
def suggest_view(request: HttpRequest) -> JsonResponse:
    """Up to eight names for the search box as the user types (no facets, first page only)."""
    try:
        search = parse(request, facets=False, page_size=SUGGESTIONS)
    except BadSearch as exc:
        return JsonResponse({"error": str(exc)}, status=400, json_dumps_params={"ensure_ascii": False})
    search.page = 1
    results = service.run(search)
    suggestions = [
        {
            "title": hit.title,
            "title_html": str(hit.title_html),
            "type": hit.kind,
            "type_label": hit.kind_label,
            "subtitle": hit.data.get("where") or hit.subtitle,
            "url": hit.url,
        }
        for hit in results.hits
    ]
    response = JsonResponse(
        {"query": search.query.text, "suggestions": suggestions, "degraded": results.degraded},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=60"
    return response
