"""`/api/directory/<code>`: JSON for any division code, for mini-programs, 12348 and open data.

A village answers with its adviser (personal mobile only with recorded consent); any other level
answers with its children and their coverage.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from backoffice.ratelimits import rate_limit
from places import codes
from places.models import Division

from . import queries

LEVEL_KEYS = {
    codes.PROVINCE: "province",
    codes.CITY: "city",
    codes.COUNTY: "county",
    codes.TOWNSHIP: "township",
    codes.VILLAGE: "village",
}


def _place(division: Division, request: HttpRequest) -> dict:
    return {
        "code": division.code,
        "name": division.name,
        "level": LEVEL_KEYS[division.level],
        "url": request.build_absolute_uri(reverse("directory:place", args=[division.code])),
        "api": request.build_absolute_uri(reverse("directory:api", args=[division.code])),
    }


def adviser_json(contract, request: HttpRequest, schedules: list | None = None) -> dict:
    adviser = contract.adviser
    data = {
        "id": adviser.pk,
        "name": adviser.name,
        "kind": adviser.get_kind_display(),
        "firm": adviser.firm.name,
        "phone": adviser.public_phone,
        "office_phone": adviser.public_office_phone,
        "mobile": adviser.published_mobile or None,
        "url": request.build_absolute_uri(reverse("directory:adviser", args=[adviser.pk])),
        "contract": {
            "start": contract.start_date.isoformat(),
            "end": contract.end_date.isoformat(),
            "selection": contract.get_selection_display(),
        },
    }
    if schedules is not None:
        data["specialties"] = [s.name for s in adviser.specialties.all()]
        data["on_site_hours"] = [
            {"text": s.describe(), "rrule": s.rrule(), "place": s.place} for s in schedules
        ]
    return data


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status, json_dumps_params={"ensure_ascii": False})


@rate_limit("api", json=True)
@require_safe
@cache_control(public=True, max_age=300)
def directory_api(request: HttpRequest, code: str) -> JsonResponse:
    if not codes.is_valid_code(code):
        return _error("malformed division code", 404)
    division = Division.objects.filter(code=code).first()
    if division is None:
        return _error("unknown division code", 404)
    data = _place(division, request)
    if division.level == codes.VILLAGE:
        view = queries.village_view(division)
        data["parents"] = [_place(a, request) for a in view.ancestors]
        data["covered"] = view.contract is not None
        data["adviser"] = adviser_json(view.contract, request, view.schedules) if view.contract else None
        data["liaison_officers"] = [
            {"name": o.name, "title": o.title, "phone": o.published_phone or None} for o in view.liaisons
        ]
        data["service_room"] = (
            {
                "name": view.room.name,
                "address": view.room.address,
                "opening_hours": view.room.opening_hours,
                "six_ones": {str(label): ok for label, ok in view.six_ones},
            }
            if view.room
            else None
        )
        data["notice_board"] = {
            "png": request.build_absolute_uri(reverse("directory:notice-board-png", args=[code])),
            "pdf": request.build_absolute_uri(reverse("directory:notice-board-pdf", args=[code])),
        }
    else:
        view = queries.place_view(division)
        data["parents"] = [_place(a, request) for a in view.ancestors]
        data["coverage"] = view.coverage.as_dict()
        children = []
        for row in view.children:
            child = _place(row.division, request)
            if row.coverage is not None:
                child["coverage"] = row.coverage.as_dict()
            if division.level == codes.TOWNSHIP:
                child["covered"] = row.contract is not None
                child["adviser"] = adviser_json(row.contract, request) if row.contract else None
            children.append(child)
        data["children"] = children
    if view.bureau is not None:
        data["bureau"] = {
            "name": view.bureau.name,
            "phone": view.bureau.phone,
            "address": view.bureau.address,
        }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
