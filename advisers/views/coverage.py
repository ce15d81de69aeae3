"""The coverage dashboard page, its exports (CSV, XLSX, JSON) and the panel on the admin home."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.components import Component

from backoffice.exports import csv_response, xlsx_response
from backoffice.scope import scope_for
from backoffice.viewsets import forbid_as_403
from places import codes
from places.models import Division

from .. import dashboard
from ..models import LiaisonOfficer, OnSiteSchedule, ServiceContract, ServiceRoom

VIEW_PERMISSION = "places.view_division"


def can_see_dashboard(user) -> bool:
    """A coverage dashboard is for an area of villages: a single village's committee has its own
    home panel (`VillagePanel`) instead of a one-row table."""
    if not (user.is_active and user.has_perm(VIEW_PERMISSION)):
        return False
    root = dashboard.root_for(scope_for(user))
    if root is None:
        return False
    return root == "" or codes.level_of(root) != codes.VILLAGE


def village_of(user) -> str | None:
    """The village a committee or liaison account looks after, when its scope is one village."""
    if not user.is_active:
        return None
    root = dashboard.root_for(scope_for(user))
    return root if root and codes.level_of(root) == codes.VILLAGE else None


def _dashboard_for(request: HttpRequest) -> dashboard.Dashboard:
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    scope = scope_for(request.user)
    requested = request.GET.get("area")
    area = dashboard.resolve_area(scope, requested)
    if not requested:
        area = dashboard.auto_descend(area)
    return dashboard.build(area)


def chart(board: dashboard.Dashboard) -> dict:
    """Bars of the server-rendered chart: one per county (a county's dashboard: per township)."""
    rows = board.rows[0].children if len(board.rows) == 1 and board.rows[0].children else board.rows
    return {"bars": [{"row": row} for row in rows]}


def context_for(request: HttpRequest, board: dashboard.Dashboard) -> dict:
    query = f"?area={board.area.code}" if board.area.code else ""
    return {
        "board": board,
        "chart": chart(board),
        "ending_days": dashboard.ENDING_DAYS,
        "csv_url": reverse("backoffice_coverage_export", args=["csv"]) + query,
        "xlsx_url": reverse("backoffice_coverage_export", args=["xlsx"]) + query,
        "json_url": reverse("backoffice_coverage_export", args=["json"]) + query,
        "dashboard_url": reverse("backoffice_coverage"),
        "at_root": not request.GET.get("area"),
        "can_add_contract": request.user.has_perm("advisers.add_servicecontract"),
        "add_contract_url": reverse("contracts:add"),
        "villages_url": reverse("villages:index"),
    }


@forbid_as_403
def coverage(request: HttpRequest) -> HttpResponse:
    board = _dashboard_for(request)
    context = context_for(request, board)
    context.update({"page_title": _("覆盖情况"), "header_icon": "view"})
    return render(request, "advisers/coverage.html", context)


HEADINGS = [
    gettext_lazy("级别"),
    gettext_lazy("区划代码"),
    gettext_lazy("名称"),
    gettext_lazy("村(社区)数"),
    gettext_lazy("已覆盖"),
    gettext_lazy("覆盖率(%)"),
    gettext_lazy("未覆盖"),
    gettext_lazy("满额顾问(达到本县上限)"),
    gettext_lazy("%(days)d天内到期、未续聘合同"),
    gettext_lazy("%(days)d天后预测未覆盖（如未完成续聘）"),
    gettext_lazy("%(days)d天后预测覆盖率(%%)"),
]


def export_headings() -> list[str]:
    """The export's column headings, translated when the export is made (not at import)."""
    return [str(h) % {"days": dashboard.ENDING_DAYS} if "%(days)d" in str(h) else str(h) for h in HEADINGS]


def _rows(board: dashboard.Dashboard):
    for row in board.flat_rows:
        yield [
            row.level_name,
            row.code,
            row.name,
            row.villages,
            row.covered,
            row.percent,
            row.uncovered,
            row.at_cap,
            row.ending,
            row.forecast_uncovered,
            row.forecast_percent,
        ]


@forbid_as_403
def coverage_export(request: HttpRequest, fmt: str) -> HttpResponse:
    board = _dashboard_for(request)
    filename = f"coverage-{board.area.code or 'all'}-{board.today.isoformat()}"
    headings = export_headings()
    if fmt == "csv":
        return csv_response(filename, headings, _rows(board))
    if fmt == "json":
        return JsonResponse(
            {
                "date": board.today.isoformat(),
                "area": {"code": board.area.code, "name": board.area.name},
                "rows": [
                    dict(
                        zip(
                            [
                                "level",
                                "code",
                                "name",
                                "villages",
                                "covered",
                                "percent",
                                "uncovered",
                                "advisers_at_cap",
                                "ending_within_60_days",
                                "forecast_uncovered",
                                "forecast_percent",
                            ],
                            r,
                            strict=True,
                        )
                    )
                    for r in _rows(board)
                ],
                "uncovered": [{"code": v.code, "name": v.name} for v in board.uncovered],
                "uncovered_total": board.uncovered_total,
            },
            json_dumps_params={"ensure_ascii": False},
        )
    uncovered = [
        [
            v.code,
            v.name,
            v.parent.name if v.parent else "",
            v.parent.parent.name if v.parent and v.parent.parent else "",
        ]
        for v in board.uncovered
    ]
    ending = [
        [
            c.village_id,
            c.village.name,
            c.village.parent.name if c.village.parent else "",
            c.adviser.name,
            c.end_date,
        ]
        for c in board.ending_contracts
    ]
    return xlsx_response(
        filename,
        [
            (_("覆盖情况"), headings, _rows(board)),
            (
                _("未覆盖村(社区)"),
                [_("区划代码"), _("村(社区)"), _("乡镇(街道)"), _("县(市、区)")],
                uncovered,
            ),
            (
                _("60天内到期合同"),
                [_("村(社区)代码"), _("村(社区)"), _("乡镇(街道)"), _("法律顾问"), _("结束日期")],
                ending,
            ),
        ],
    )


class CoveragePanel(Component):
    """The dashboard on the admin home page, for accounts with a place scope."""

    name = "coverage"
    order = 50
    template_name = "advisers/coverage_panel.html"

    def __init__(self, request: HttpRequest):
        self.request = request

    def get_context_data(self, parent_context=None):
        board = _dashboard_for(self.request)
        return context_for(self.request, board)


class AdviserPanel(Component):
    """An adviser's own villages on the admin home page."""

    name = "my_villages"
    order = 50
    template_name = "advisers/adviser_panel.html"

    def __init__(self, request: HttpRequest, adviser_id: int):
        self.request = request
        self.adviser_id = adviser_id

    def get_context_data(self, parent_context=None):
        contracts = (
            ServiceContract.objects.in_force()
            .filter(adviser_id=self.adviser_id)
            .select_related("village__parent")
            .prefetch_related("schedules")
            .order_by("village_id")
        )
        return {"contracts": list(contracts)}


@dataclass
class VillageFacts:
    """What a committee's home shows of its village: adviser in force, hours, liaison, room."""

    village: Division
    contract: ServiceContract | None
    schedules: list[OnSiteSchedule]
    liaisons: list[LiaisonOfficer]
    room: ServiceRoom | None


def village_facts(village: Division) -> VillageFacts:
    contract = (
        ServiceContract.objects.in_force()
        .filter(village=village)
        .select_related("adviser__firm")
        .order_by("-start_date")
        .first()
    )
    schedules = list(OnSiteSchedule.objects.filter(contract=contract).order_by("id")) if contract else []
    liaisons = list(LiaisonOfficer.objects.filter(village=village, is_active=True).order_by("name"))
    return VillageFacts(
        village, contract, schedules, liaisons, ServiceRoom.objects.filter(village=village).first()
    )


class VillagePanel(Component):
    """A village committee's home: its adviser, on-site hours, liaison officer and service room.

    The committee confirms the adviser's on-site work and gives its opinion on renewal, so the
    first thing it needs is who serves the village and when (the ledger's and the workflows' own
    panels add the entries to confirm, this month's figures and the fee-filing decisions).
    """

    name = "my_village"
    order = 40
    template_name = "advisers/village_panel.html"

    def __init__(self, request: HttpRequest, village_code: str):
        self.request = request
        self.village_code = village_code

    def get_context_data(self, parent_context=None):
        village = Division.objects.select_related("parent").filter(code=self.village_code).first()
        return {"view": village_facts(village) if village else None}
