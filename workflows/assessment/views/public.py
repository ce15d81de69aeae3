"""The public page of a county's published results (公示): per village, adviser, firm, grade and
recommendation. Nothing before the bureau publishes (a 404), no scores, no personal data beyond the
adviser's public details (name and firm, linked to the adviser's public page)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from places import codes
from places.models import Division
from sites.models import area_prefixes

from .. import reports
from ..models import Campaign


@require_safe
def published_results(request: HttpRequest, code: str, year: str) -> HttpResponse:
    if codes.level_of(code) != codes.COUNTY or not year.isdigit() or len(year) != 4:
        raise Http404(_("没有这项公示。"))
    # Each site publishes its own area's results only (城北's site shows no 崇左 county).
    prefixes = area_prefixes(request)
    if prefixes and not any(code.startswith(p) or p.startswith(code) for p in prefixes):
        raise Http404(_("没有这项公示。"))
    campaign = (
        Campaign.objects.filter(county_id=code, year=int(year), state=Campaign.State.PUBLISHED)
        .select_related("county")
        .first()
    )
    if campaign is None:
        raise Http404(_("没有这项公示。"))
    rows = [
        {
            "township": a.village.parent.name if a.village.parent_id else "",
            "village": a.village,
            "adviser": a.contract.adviser,
            "firm": a.contract.adviser.firm.name,
            "grade": a.get_grade_display(),
            "recommendation": a.get_recommendation_display(),
        }
        for a in reports.result_rows(campaign)
    ]
    city = Division.objects.filter(code=code[:4]).values_list("name", flat=True).first() or ""
    return render(
        request,
        "assessment/public.html",
        {"campaign": campaign, "rows": rows, "city": city, "open": campaign.objections_open},
    )
