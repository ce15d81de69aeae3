"""Public views of lectures (`/lectures/`, `/lectures/calendar.ics`) and the "my village" choice.

Lectures belong to places by division code; each site shows those inside its own area. The
`?area=` filter takes any division code: a malformed one is answered 400, an unknown one or one
outside the site's area 404 — never a 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from backoffice.ratelimits import rate_limit
from directory.home import browse_places
from places import codes
from places.models import Division
from sites.models import JurisdictionSettings, area_prefixes

from .calendar import lectures_calendar
from .home import VILLAGE_COOKIE
from .models import Lecture

PUBLIC_CACHE = cache_control(public=True, max_age=300)
LECTURES_PER_PAGE = 20
FEED_PAST_DAYS = 180
FEED_MAX_EVENTS = 1000
VILLAGE_COOKIE_AGE = 365 * 24 * 3600


class BadArea(Exception):
    """A malformed `?area=` code: the visitor's input is wrong, so the answer is 400."""


@dataclass
class AreaFilter:
    division: Division | None  # what the visitor asked for, None for the whole site
    prefixes: list[str]  # the code prefixes to filter on (empty: everywhere)

    @property
    def code(self) -> str:
        return self.division.code if self.division else ""


def lecture_area(request: HttpRequest) -> AreaFilter:
    """The area of `?area=`, clipped to the site's own area."""
    site = area_prefixes(request)
    raw = request.GET.get("area", "").strip()
    if not raw:
        return AreaFilter(None, site)
    if not codes.is_valid_code(raw):
        raise BadArea(raw)
    division = Division.objects.filter(code=raw).first()
    if division is None:
        raise Http404(_("没有这个地区。"))
    if not site or any(raw.startswith(prefix) for prefix in site):
        return AreaFilter(division, [raw])
    inside = [prefix for prefix in site if prefix.startswith(raw)]
    if inside:  # a wider area (the province) than the site serves: the site's own part of it
        return AreaFilter(division, inside)
    raise Http404(_("这个地区不在本网站的服务范围内。"))


def bad_area(request: HttpRequest) -> HttpResponse:
    message = _("地区代码格式不正确：请使用 2、4、6、9 或 12 位数字的行政区划代码，例如 451402。")
    return render(request, "400.html", {"message": message}, status=400)


def area_choices(request: HttpRequest, area: AreaFilter) -> list[Division]:
    """Counties of the site (or provinces for a national one), then the chosen area's subdivisions.

    Choosing a province or city offers its next level down; choosing a county (or anything in it)
    offers the county's townships, so the select drills down one level per choice.
    """
    choices = browse_places(area_prefixes(request))
    if area.division:
        parent = area.code[:6] if area.division.level >= codes.COUNTY else area.code
        children = list(Division.objects.filter(parent_id=parent).order_by("code"))
        at = next((i for i, d in enumerate(choices) if d.code == parent), None)
        if at is None:
            parent_division = (
                Division.objects.filter(code=parent).first() if parent != area.code else area.division
            )
            choices = choices + ([parent_division] if parent_division else [])
            at = len(choices) - 1
        known = {d.code for d in choices}
        children = [d for d in children if d.code not in known]
        choices = choices[: at + 1] + children + choices[at + 1 :]
    if area.division and area.code not in {d.code for d in choices}:
        choices.append(area.division)
    return choices


def area_name(division: Division | None) -> str:
    if division is None:
        return ""
    if division.level == codes.VILLAGE:
        parent = Division.objects.filter(code=division.code[:9]).values_list("name", flat=True).first()
        return f"{parent or ''}{division.name}"
    return division.name


@require_safe
@PUBLIC_CACHE
def lecture_list(request: HttpRequest) -> HttpResponse:
    try:
        area = lecture_area(request)
    except BadArea:
        return bad_area(request)
    past = request.GET.get("when") == "past"
    lectures = Lecture.objects.within(area.prefixes).for_listing()
    lectures = lectures.past() if past else lectures.upcoming()
    paginator = Paginator(lectures, LECTURES_PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page", 1))
    except (PageNotAnInteger, EmptyPage) as error:
        raise Http404(_("没有这一页。")) from error
    return render(
        request,
        "content/lecture_list.html",
        {
            "lectures": page,
            "paginator": paginator,
            "past": past,
            "area": area.division,
            "area_name": area_name(area.division),
            "choices": area_choices(request, area),
        },
    )


def site_lecture(request: HttpRequest, pk: int) -> Lecture:
    lecture = get_object_or_404(
        Lecture.objects.for_listing().prefetch_related("photos__image__renditions"), pk=pk
    )
    jurisdiction = JurisdictionSettings.for_request(request)
    if jurisdiction and not jurisdiction.covers(lecture.place_id):
        raise Http404(_("这个讲座不在本网站的服务范围内。"))
    return lecture


@require_safe
@PUBLIC_CACHE
def lecture_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lecture = site_lecture(request, pk)
    return render(request, "content/lecture_detail.html", {"lecture": lecture})


def calendar_response(body: bytes, filename: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@require_safe
@PUBLIC_CACHE
def lecture_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """One lecture as a file phones open in their calendar app ("加入日历")."""
    lecture = site_lecture(request, pk)
    body = lectures_calendar([lecture], request, lecture.topic)
    return calendar_response(body, f"lecture-{lecture.pk}.ics", attachment=True)


@require_safe
@PUBLIC_CACHE
def calendar_feed(request: HttpRequest) -> HttpResponse:
    """Lectures of the site (or of `?area=`) from half a year ago on, for calendar subscriptions."""
    try:
        area = lecture_area(request)
    except BadArea:
        return bad_area(request)
    since = timezone.now() - dt.timedelta(days=FEED_PAST_DAYS)
    lectures = (
        Lecture.objects.within(area.prefixes)
        .filter(starts_at__gte=since)
        .select_related("place__parent", "speaker", "category")
        .order_by("starts_at", "pk")[:FEED_MAX_EVENTS]
    )
    jurisdiction = JurisdictionSettings.for_request(request)
    owner = (jurisdiction.bureau_name if jurisdiction else "") or _("法律顾问")
    name = " ".join(filter(None, [owner, area_name(area.division), _("法制讲座")]))
    return calendar_response(lectures_calendar(lectures, request, name), "lectures.ics", attachment=False)


@rate_limit("form", json=False)
@require_safe
def choose_village(request: HttpRequest) -> HttpResponse:
    """Remember the visitor's village so the home page shows what is near them ("设为我的村")."""
    response = HttpResponseRedirect("/#my-village")
    response["Cache-Control"] = "private, no-store"
    if request.GET.get("clear"):
        response.delete_cookie(VILLAGE_COOKIE)
        return response
    code = request.GET.get("code", "").strip()
    if codes.level_of(code) != codes.VILLAGE:
        message = _("请选择一个村(社区)：村(社区)的代码是 12 位数字。")
        return render(request, "400.html", {"message": message}, status=400)
    jurisdiction = JurisdictionSettings.for_request(request)
    if not Division.objects.filter(code=code).exists() or (jurisdiction and not jurisdiction.covers(code)):
        raise Http404(_("没有这个村(社区)，或它不在本网站的服务范围内。"))
    response.set_cookie(
        VILLAGE_COOKIE,
        code,
        max_age=VILLAGE_COOKIE_AGE,
        samesite="Lax",
        httponly=True,
        secure=request.is_secure(),
    )
    return response
