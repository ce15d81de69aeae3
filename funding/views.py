"""The funding page of a county and year, and its XLSX export.

`/admin/funding/?county=<6 digits>&year=<yyyy>`: a county bureau sees its own county (the
default), the city bureau any of its counties; a county outside the scope is a 404, a malformed
code or year a 404 too (never a 500).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exports import xlsx_response
from backoffice.scope import scope_for
from backoffice.viewsets import forbid_as_403
from places import codes
from places.models import Division

from . import dashboard

VIEW_PERMISSION = "funding.view_payment"


def counties_for(user):
    """The counties whose funding the user may see."""
    counties = Division.objects.filter(level=codes.COUNTY).order_by("code")
    scope = scope_for(user)
    if scope.unrestricted:
        return counties
    if scope.is_adviser:
        return counties.none()
    # A county or city bureau: the counties inside its scope (a township office sees none).
    return counties.filter(scope.q("code"))


def _page_for(request: HttpRequest) -> dashboard.FundingPage:
    if not request.user.has_perm(VIEW_PERMISSION):
        raise PermissionDenied
    scope = scope_for(request.user)
    counties = counties_for(request.user)
    requested = (request.GET.get("county") or "").strip()
    if requested:
        if not (requested.isdigit() and len(requested) == 6):
            raise Http404(_("没有这个县(市、区)。"))
        county = counties.filter(code=requested).first()
        if county is None or not scope.covers(requested):
            raise Http404(_("该地区不在您的管辖范围内。"))
    else:
        county = counties.first()
        if county is None:
            raise Http404(_("您的账号没有可查看的县(市、区)。"))
    raw_year = (request.GET.get("year") or "").strip()
    if raw_year:
        if not (raw_year.isdigit() and 2014 <= int(raw_year) <= 2100):
            raise Http404(_("年度格式不正确。"))
        year = int(raw_year)
    else:
        year = timezone.localdate().year
    return dashboard.build(county, year)


@forbid_as_403
def funding_page(request: HttpRequest) -> HttpResponse:
    page = _page_for(request)
    query = f"?county={page.county.code}&year={page.year}"
    return render(
        request,
        "funding/page.html",
        {
            "page": page,
            "counties": list(counties_for(request.user)),
            "years": list(range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1)),
            "xlsx_url": reverse("funding_export") + query,
            "can_pay": request.user.has_perm("funding.add_payment"),
            "can_budget": request.user.has_perm("funding.add_countybudget"),
        },
    )


@forbid_as_403
def funding_export(request: HttpRequest) -> HttpResponse:
    page = _page_for(request)
    summary_headings = [
        _("乡镇(街道)"),
        _("代码"),
        _("村(社区)数"),
        _("按标准应保障（元）"),
        _("自治区奖补（元）"),
        _("合同数"),
        _("应付（元）"),
        _("奖励（元）"),
        _("扣减（元）"),
        _("已付（元）"),
        _("未付（元）"),
    ]

    def summary_rows():
        for row in [*page.townships, page.total]:
            yield [
                row.name,
                row.code,
                row.villages,
                row.required,
                row.subsidy,
                row.contracts,
                row.payable,
                row.reward,
                row.withheld,
                row.paid,
                row.outstanding,
            ]
        yield [
            _("本级财政预算"),
            page.county.code,
            "",
            page.budget_amount if page.budget else "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]

    contract_headings = [
        _("村(社区)"),
        _("代码"),
        _("法律顾问"),
        _("律师事务所/法律服务所"),
        _("合同期"),
        _("年度服务费（元）"),
        _("当年应付服务费（元）"),
        _("考核等次"),
        _("奖励（元）"),
        _("扣减（元）"),
        _("已付（元）"),
        _("支付日期"),
        _("凭证号"),
        _("村(居)委会意见"),
    ]

    def contract_rows():
        for line in page.lines:
            contract = line.contract
            yield [
                contract.village.name,
                contract.village_id,
                contract.adviser.name,
                contract.adviser.firm.name,
                f"{contract.start_date:%Y-%m-%d} — {contract.end_date:%Y-%m-%d}",
                contract.annual_fee,
                line.amounts.standard,
                line.amounts.grade,
                line.amounts.reward,
                line.amounts.withheld,
                line.paid,
                line.payment.paid_on if line.payment else "",
                line.payment.voucher_no if line.payment else "",
                _("已记录") if line.opinion else _("未记录"),
            ]

    return xlsx_response(
        f"funding-{page.county.code}-{page.year}",
        [
            (_("按乡镇汇总"), summary_headings, summary_rows()),
            (_("按合同"), contract_headings, contract_rows()),
        ],
    )
