"""The default indicator table, copying a table, and the indicators the ledger computes.

The default is derived from 崇政办发〔2017〕101号 三(一)-(二), 四(一) and from published county
tables: the work the policy requires and the ledger records (5 on-site hours a month, a lecture a
year, a training a year, entries the committee confirmed), the notice board, fee filings, and the
opinions of the village committee, the villagers' representatives and the township office.
Computed indicators are never typed: they come from `ledger.compliance` at the bureau's step.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from ledger import compliance
from ledger.models import LedgerEntry
from places import codes
from places.models import Division

from .models import Indicator, IndicatorTable, Scorer

ON_SITE_HOURS, LECTURES, TRAININGS, LEDGER_DISCIPLINE = (
    "on_site_hours",
    "lectures",
    "trainings",
    "ledger_discipline",
)
SATISFACTION = "satisfaction"
COMPUTED_KEYS = (ON_SITE_HOURS, LECTURES, TRAININGS, LEDGER_DISCIPLINE)
TENTH = Decimal("0.1")

# key, name, points, rule, scorer, evidence, optional
DEFAULT_INDICATORS = [
    (
        ON_SITE_HOURS,
        _("驻点服务时间"),
        "20",
        _("每月到村(社区)服务不少于5小时（经村(居)委会确认）；按达标月份占合同期内月份的比例计分。"),
        Scorer.LEDGER,
        _("工作台账（系统计算）"),
        False,
    ),
    (
        LECTURES,
        _("法制讲座"),
        "10",
        _("每年至少在村(社区)举办1次法制讲座；未举办不得分。"),
        Scorer.LEDGER,
        _("工作台账（系统计算）"),
        False,
    ),
    (
        TRAININGS,
        _("参加培训"),
        "5",
        _("每年至少参加1次司法行政机关组织的培训；未参加不得分。"),
        Scorer.LEDGER,
        _("参训记录（系统计算）"),
        False,
    ),
    (
        LEDGER_DISCIPLINE,
        _("台账规范"),
        "10",
        _("按村(居)委会确认的驻点记录占已确认和有异议记录之和的比例计分；没有确认记录不得分。"),
        Scorer.LEDGER,
        _("工作台账（系统计算）"),
        False,
    ),
    (
        "fee_filings",
        _("收费服务备案"),
        "5",
        _("收费或减免服务均按时报县级司法局备案得满分；每发现1件未备案或逾期备案扣1分。"),
        Scorer.BUREAU,
        _("收费/减免备案记录"),
        False,
    ),
    (
        "notice_board",
        _("公示牌"),
        "5",
        _("村(社区)公示牌载明现任法律顾问及联系方式得满分；未更新或未张贴不得分。"),
        Scorer.TOWNSHIP,
        _("公示牌照片"),
        False,
    ),
    (
        "self_report",
        _("年度述职"),
        "5",
        _("按时提交年度述职和佐证材料，内容真实完整得满分；缺项酌情扣分。"),
        Scorer.SELF,
        _("述职报告、签到表、照片等"),
        False,
    ),
    (
        "committee_opinion",
        _("村(居)委会评价"),
        "15",
        _("村(居)委会对顾问服务态度、履职情况综合评价打分。"),
        Scorer.COMMITTEE,
        _("村(居)委会评议意见"),
        False,
    ),
    (
        SATISFACTION,
        _("群众满意度"),
        "15",
        _(
            "村(居)民代表问卷测评：满意率=(满意+基本满意×0.5)÷问卷数，得分=分值×满意率；问卷少于规定数量的，由县级司法局核定。"
        ),
        Scorer.REPRESENTATIVES,
        _("测评问卷"),
        False,
    ),
    (
        "responsiveness",
        _("响应群众需求"),
        "10",
        _("群众提出法律服务需求的，及时响应并办理得满分；每发现1次未响应扣2分。本年度无需求的标记为不适用。"),
        Scorer.COMMITTEE,
        _("需求登记及办理情况"),
        True,
    ),
]


def default_title(area: Division, year: int) -> str:
    return _t("%(year)s年度%(area)s村(社区)法律顾问考评指标表") % {"year": year, "area": area.name}


@transaction.atomic
def copy_table(area: Division, year: int, source: IndicatorTable | None = None) -> IndicatorTable:
    """The one action that gives a county (or city) its table for a year: a copy of `source`,
    or of the default table when there is none. Refused if the area already has that year's table."""
    from django.core.exceptions import ValidationError

    if area.level not in (codes.COUNTY, codes.CITY):
        raise ValidationError(_("指标表适用于县(市、区)或市。"))
    if IndicatorTable.objects.filter(area=area, year=year).exists():
        raise ValidationError(_("%(area)s已有%(year)s年度的指标表。") % {"area": area.name, "year": year})
    table = IndicatorTable(area=area, year=year, title=default_title(area, year))
    if source is not None:
        for name in ("excellent_min", "qualified_min", "basic_min", "min_questionnaires"):
            setattr(table, name, getattr(source, name))
    table.full_clean()
    table.save()
    if source is not None:
        rows = [
            Indicator(
                table=table,
                key=i.key,
                name=i.name,
                max_points=i.max_points,
                rule=i.rule,
                scorer=i.scorer,
                evidence=i.evidence,
                optional=i.optional,
                sort_order=i.sort_order,
            )
            for i in source.indicators.all()
        ]
    else:
        rows = [
            Indicator(
                table=table,
                key=key,
                name=str(name),
                max_points=Decimal(points),
                rule=str(rule),
                scorer=scorer,
                evidence=str(evidence),
                optional=optional,
                sort_order=index,
            )
            for index, (key, name, points, rule, scorer, evidence, optional) in enumerate(DEFAULT_INDICATORS)
        ]
    Indicator.objects.bulk_create(rows)
    return table


def table_for(county: Division, year: int) -> IndicatorTable:
    """The table a county's campaign uses: its own, else its city's, else a new copy of the
    county's previous table or of the default."""
    own = IndicatorTable.objects.filter(area_id__in=[county.code, county.code[:4]], year=year)
    found = {t.area_id: t for t in own}
    if county.code in found:
        return found[county.code]
    if county.code[:4] in found:
        return found[county.code[:4]]
    previous = IndicatorTable.objects.filter(area=county, year__lt=year).order_by("-year").first()
    return copy_table(county, year, previous)


# --- computed indicators ------------------------------------------------------------------------


@dataclass
class Computed:
    points: Decimal
    note: str
    not_applicable: bool = False


def _share(max_points: Decimal, part: int | Decimal, whole: int | Decimal) -> Decimal:
    return (max_points * Decimal(part) / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def _months(year: int, start: dt.date, end: dt.date, until: dt.date) -> list[tuple[int, int]]:
    """Months of `year` overlapping the contract and already begun by `until`."""
    months = []
    for month in range(1, 13):
        first, last = compliance.month_bounds(year, month)
        if first <= until and first <= end and last >= start:
            months.append((year, month))
    return months


def compute(
    indicators: list[Indicator], contract, year: int, today: dt.date | None = None
) -> dict[int, Computed]:
    """Points of the ledger-computed indicators of one contract's year (a fixed number of queries).

    On-site hours and lectures are the village's (`ledger.compliance`, which counts a village
    whose adviser changed mid-month once, against both advisers together); trainings and ledger
    discipline are the adviser's own.
    """
    today = today or timezone.localdate()
    village, adviser_id = contract.village_id, contract.adviser_id
    result: dict[int, Computed] = {}
    for indicator in indicators:
        if indicator.scorer != Scorer.LEDGER:
            continue
        top = indicator.max_points
        if indicator.key == ON_SITE_HOURS:
            months = _months(year, contract.start_date, contract.end_date, today)
            rows = [
                r
                for rows in compliance.monthly_series(village, months).values()
                for r in rows
                if r.code == village
            ]
            applicable = [r for r in rows if r.applicable]
            met = sum(1 for r in applicable if r.meets)
            if not applicable:
                result[indicator.pk] = Computed(top, _t("本年度合同期内无需驻点的月份"), not_applicable=True)
            else:
                result[indicator.pk] = Computed(
                    _share(top, met, len(applicable)),
                    _t("达标 %(met)d/%(months)d 个月") % {"met": met, "months": len(applicable)},
                )
        elif indicator.key == LECTURES:
            rows = [r for r in compliance.yearly_lectures(village, year) if r.code == village]
            held = rows[0].lectures if rows else 0
            points = top if held >= compliance.YEARLY_LECTURES else Decimal("0")
            result[indicator.pk] = Computed(points, _t("本年度讲座 %(n)d 次") % {"n": held})
        elif indicator.key == TRAININGS:
            attended = compliance.trainings_for(adviser_id, year)
            points = top if attended >= compliance.YEARLY_TRAININGS else Decimal("0")
            result[indicator.pk] = Computed(points, _t("本年度参加培训 %(n)d 次") % {"n": attended})
        elif indicator.key == LEDGER_DISCIPLINE:
            counts = LedgerEntry.objects.filter(
                adviser_id=adviser_id, village_id=village, on_site=True, date__year=year
            ).aggregate(
                confirmed=Count("pk", filter=Q(confirmation=LedgerEntry.Confirmation.CONFIRMED)),
                disputed=Count("pk", filter=Q(confirmation=LedgerEntry.Confirmation.DISPUTED)),
            )
            confirmed, disputed = counts["confirmed"], counts["disputed"]
            points = _share(top, confirmed, confirmed + disputed) if confirmed else Decimal("0")
            result[indicator.pk] = Computed(
                points, _t("已确认 %(c)d 条，有异议 %(d)d 条") % {"c": confirmed, "d": disputed}
            )
    return result


def satisfaction_points(indicator: Indicator, minimum: int, total, satisfied, basically) -> Computed | None:
    """The representatives' questionnaire as points; None when too few questionnaires (样本不足)."""
    if not total or total < minimum:
        return None
    rate = (Decimal(satisfied or 0) + Decimal(basically or 0) / 2) / Decimal(total)
    points = (indicator.max_points * rate).quantize(TENTH, rounding=ROUND_HALF_UP)
    return Computed(
        points, _t("满意率 %(rate)s%%（%(n)d 份问卷）") % {"rate": (rate * 100).quantize(TENTH), "n": total}
    )
