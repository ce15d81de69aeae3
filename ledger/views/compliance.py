"""履职统计: compliance computed from the ledger, for the adviser, the committee and the bureaus.

- an adviser sees their villages; a village committee its village;
- a bureau (city, county, township office) sees its area, can narrow it to a part of it, and gets a
  chart, the villages below the 5-hour bar this month and last month, villages without a lecture
  this year and advisers without a training; everything is exportable (XLSX, CSV).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.widgets.button import Button

from backoffice.adminpages import AdminPageMixin, forbid_as_403
from places import codes
from places.models import Division

from .. import access, charts, dashboard
from .entries import ledger_crumb

LIST_LIMIT = 300


def resolve(request) -> tuple[list[str], Division | None, str]:
    """(prefixes, area, role) for the user: an area for bureaus, villages for advisers/committees."""
    user = request.user
    if not user.has_perm(access.VIEW):
        raise PermissionDenied
    scope = access.scope_of(user)
    if scope.is_adviser:
        return list(scope.prefixes or ()), None, "adviser"
    if scope.unrestricted:
        root = ""
    elif scope.prefixes and len(scope.prefixes) == 1:
        root = scope.prefixes[0]
    elif scope.prefixes:
        return list(scope.prefixes), None, "villages"
    else:
        raise PermissionDenied(_("您的账号没有可查看的辖区。"))
    if codes.level_of(root) == codes.VILLAGE:
        return [root], Division.objects.filter(code=root).first(), "village"
    requested = (request.GET.get("area") or "").strip()
    if requested:
        if not (requested.isdigit() and codes.is_valid_code(requested) and requested.startswith(root)):
            raise Http404(_("该地区不在您的管辖范围内。"))
        root = requested
    area = Division.objects.filter(code=root).first() if root else None
    if root and area is None:
        raise Http404
    return [root], area, "area"


def board_for(request, *, trend: bool, this_month: bool = False) -> tuple[dashboard.Board, str]:
    """The figures the request asks for. The report opens on the last finished month; the admin
    home's panel (`this_month`) shows the running month's progress instead."""
    prefixes, area, role = resolve(request)
    if this_month:
        today = timezone.localdate()
        year, month, problem = today.year, today.month, ""
    else:
        year, month, problem = dashboard.parse_month(request.GET.get("month"))
    if problem:
        messages.warning(request, problem)
    return dashboard.build(prefixes, year, month, area=area if role == "area" else None, trend=trend), role


class ComplianceView(AdminPageMixin, TemplateView):
    template_name = "ledger/compliance.html"
    page_title = _("履职统计")
    header_icon = "view"

    def get_crumbs(self):
        return [ledger_crumb()]

    def dispatch(self, request, *args, **kwargs):
        self.board, self.role = board_for(request, trend=True)
        return super().dispatch(request, *args, **kwargs)

    def get_header_more_buttons(self):
        """The exports sit in the header's "more" menu, as on Wagtail's own listings: two labelled
        buttons beside the title clipped it on a 390 px phone."""
        query = self.request.GET.urlencode()
        suffix = f"?{query}" if query else ""
        return [
            Button(
                _("导出 Excel"),
                reverse("ledger_compliance_export", args=["xlsx"]) + suffix,
                icon_name="download",
                priority=10,
            ),
            Button(
                _("导出 CSV"),
                reverse("ledger_compliance_export", args=["csv"]) + suffix,
                icon_name="download",
                priority=20,
            ),
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        board = self.board
        today = timezone.localdate()
        months = []
        y, m = today.year, today.month
        for _i in range(24):
            months.append(dt.date(y, m, 1))
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        area = board.area
        context.update(
            {
                "board": board,
                "role": self.role,
                "group_chart": charts.group_bars(board.groups) if board.groups else None,
                "trend_chart": charts.trend_columns(board.trend),
                "months": months,
                "selected_month": board.first_day,
                "area": area,
                "ancestors": Division.objects.filter(code__in=codes.ancestor_codes(area.code)).order_by(
                    "code"
                )
                if area
                else [],
                "limit": LIST_LIMIT,
                "required_hours": dashboard.compliance.MONTHLY_HOURS,
                "area_param": f"&area={area.code}" if area and self.request.GET.get("area") else "",
            }
        )
        return context


def _result(row, state: str) -> str:
    """达标/未达标 for a month that has ended; a running month is 进行中, never judged."""
    if state != dashboard.compliance.MONTH_DONE:
        return gettext("进行中")
    return gettext("达标") if row.meets else gettext("未达标")


def _month_rows(rows, state: str):
    for row in rows:
        yield [
            row.code,
            row.name,
            "、".join(row.advisers),
            float(row.required),
            float(row.confirmed_hours),
            float(row.pending_hours),
            float(row.shortfall),
            _result(row, state),
        ]


MONTH_HEADINGS = [
    _("区划代码"),
    _("村(社区)"),
    _("法律顾问"),
    _("应达时长（小时）"),
    _("已确认时长"),
    _("待确认时长"),
    _("差额"),
    _("结果"),
]


@forbid_as_403
def compliance_export(request, fmt: str) -> HttpResponse:
    from backoffice.exports import csv_response, xlsx_response

    board, role = board_for(request, trend=False)
    label = board.area.code if board.area else role
    filename = f"compliance-{label}-{board.year}-{board.month:02d}"
    headings = [str(h) for h in MONTH_HEADINGS]
    applicable_this = [r for r in board.this_month if r.applicable]
    if fmt == "csv":
        return csv_response(filename, headings, _month_rows(applicable_this, board.month_state))
    if fmt != "xlsx":
        raise Http404
    previous = board.previous
    lectures = [
        [r.code, r.name, r.lectures, gettext("达标") if r.meets else gettext("未达标")]
        for r in board.lectures
        if r.applicable
    ]
    trainings = [
        [a.name, a.trainings, gettext("达标") if a.meets else gettext("未达标")] for a in board.trainings
    ]
    return xlsx_response(
        filename,
        [
            (
                f"{board.year}年{board.month}月驻点时长",
                headings,
                _month_rows(applicable_this, board.month_state),
            ),
            (
                f"{previous.year}年{previous.month}月驻点时长",
                headings,
                _month_rows(
                    [r for r in board.last_month if r.applicable],
                    dashboard.compliance.month_state(previous.year, previous.month, timezone.localdate()),
                ),
            ),
            (
                f"{board.year}年法制讲座",
                [gettext("区划代码"), gettext("村(社区)"), gettext("讲座次数"), gettext("结果")],
                lectures,
            ),
            (
                f"{board.year}年顾问培训",
                [gettext("法律顾问"), gettext("参训次数"), gettext("结果")],
                trainings,
            ),
        ],
    )
