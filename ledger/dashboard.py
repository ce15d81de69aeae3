"""The compliance dashboard's figures, for an area (bureaus) or a list of villages (advisers, committees).

Everything comes from `ledger.compliance`, which counts the ledger; nothing here is stored or typed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from places import codes
from places.models import Division

from . import compliance
from .compliance import AdviserYear, VillageMonth, VillageYear

TREND_MONTHS = 12


@dataclass
class Rate:
    """How many villages (that needed to) met the bar."""

    applicable: int = 0
    meeting: int = 0

    @property
    def below(self) -> int:
        return self.applicable - self.meeting

    @property
    def percent(self) -> float:
        return round(100 * self.meeting / self.applicable, 1) if self.applicable else 100.0


def rate(rows: list[VillageMonth] | list[VillageYear]) -> Rate:
    applicable = [row for row in rows if row.applicable]
    return Rate(len(applicable), sum(1 for row in applicable if row.meets))


@dataclass
class Group:
    code: str
    name: str
    this_month: Rate
    last_month: Rate
    lectures: Rate
    hours: Decimal = Decimal("0")
    required: Decimal = Decimal("0")


@dataclass
class Board:
    year: int
    month: int
    this_month: list[VillageMonth]
    last_month: list[VillageMonth]
    lectures: list[VillageYear]
    trainings: list[AdviserYear]
    area: Division | None = None
    groups: list[Group] = field(default_factory=list)
    group_level: int | None = None
    trend: list[tuple[dt.date, Rate]] = field(default_factory=list)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def previous(self) -> dt.date:
        year, month = compliance.previous_month(self.year, self.month)
        return dt.date(year, month, 1)

    @property
    def this_rate(self) -> Rate:
        return rate(self.this_month)

    @property
    def last_rate(self) -> Rate:
        return rate(self.last_month)

    @property
    def lecture_rate(self) -> Rate:
        return rate(self.lectures)

    @property
    def training_rate(self) -> Rate:
        return Rate(len(self.trainings), sum(1 for a in self.trainings if a.meets))

    @property
    def below_this_month(self) -> list[VillageMonth]:
        return [row for row in self.this_month if not row.meets]

    @property
    def below_last_month(self) -> list[VillageMonth]:
        return [row for row in self.last_month if not row.meets]

    @property
    def without_lecture(self) -> list[VillageYear]:
        return [row for row in self.lectures if not row.meets]

    @property
    def without_training(self) -> list[AdviserYear]:
        return [row for row in self.trainings if not row.meets]

    @property
    def is_current_month(self) -> bool:
        return self.month_state == compliance.MONTH_IN_PROGRESS

    @property
    def month_state(self) -> str:
        return compliance.month_state(self.year, self.month, timezone.localdate())


def _merge(prefixes: list[str], compute) -> list:
    rows = []
    for prefix in prefixes:
        rows.extend(compute(prefix))
    return rows


def _trainings(prefixes: list[str], year: int) -> list[AdviserYear]:
    seen: dict[int, AdviserYear] = {}
    for prefix in prefixes:
        for row in compliance.yearly_trainings(prefix, year):
            seen[row.adviser_id] = row
    return sorted(seen.values(), key=lambda a: (a.name, a.adviser_id))


def group_length_for(area_code: str) -> int:
    """Rows of the chart: the level below the area (counties of a city, townships of a county...)."""
    if not area_code:
        return codes.CODE_LENGTHS[codes.CITY]
    level = codes.level_of(area_code) or codes.PROVINCE
    return codes.CODE_LENGTHS[min(level + 1, codes.VILLAGE)]


def _series(prefixes: list[str], months: list[tuple[int, int]]) -> dict[tuple[int, int], list[VillageMonth]]:
    merged: dict[tuple[int, int], list[VillageMonth]] = {key: [] for key in months}
    for prefix in prefixes:
        for key, rows in compliance.monthly_series(prefix, months).items():
            merged[key].extend(rows)
    return merged


def last_months(year: int, month: int, count: int) -> list[tuple[int, int]]:
    """`count` months ending with (year, month), oldest first."""
    months = [(year, month)]
    while len(months) < count:
        months.append(compliance.previous_month(*months[-1]))
    return list(reversed(months))


def build(
    prefixes: list[str], year: int, month: int, *, area: Division | None = None, trend: bool = False
) -> Board:
    """Figures for villages under `prefixes` for the month, the month before and the year.

    A fixed number of queries per prefix: every month (with the 12-month trend) comes from one
    `monthly_series` call.
    """
    months = last_months(year, month, TREND_MONTHS if trend else 2)
    series = _series(prefixes, months)
    last = compliance.previous_month(year, month)
    board = Board(
        year=year,
        month=month,
        this_month=series[(year, month)],
        last_month=series[last],
        lectures=_merge(prefixes, lambda p: compliance.yearly_lectures(p, year)),
        trainings=_trainings(prefixes, year),
        area=area,
    )
    if area is not None or prefixes == [""]:
        _add_groups(board, area.code if area else "")
    if trend:
        board.trend = [(dt.date(y, m, 1), rate(series[(y, m)])) for y, m in months]
    return board


def _add_groups(board: Board, area_code: str) -> None:
    length = group_length_for(area_code)
    board.group_level = codes.LEVEL_BY_LENGTH.get(length)
    by_group: dict[str, dict[str, list]] = defaultdict(lambda: {"this": [], "last": [], "lectures": []})
    for key, rows in (("this", board.this_month), ("last", board.last_month), ("lectures", board.lectures)):
        for row in rows:
            by_group[row.code[:length]][key].append(row)
    names = dict(Division.objects.filter(code__in=list(by_group)).values_list("code", "name"))
    for code in sorted(by_group):
        rows = by_group[code]
        board.groups.append(
            Group(
                code=code,
                name=names.get(code, code),
                this_month=rate(rows["this"]),
                last_month=rate(rows["last"]),
                lectures=rate(rows["lectures"]),
                hours=sum((r.confirmed_hours for r in rows["this"]), Decimal("0")),
                required=sum((r.required for r in rows["this"]), Decimal("0")),
            )
        )


def parse_month(value: str | None, today: dt.date | None = None) -> tuple[int, int, str]:
    """(year, month, problem) for `YYYY-MM` from the query string.

    Without a month the report opens on the last finished month (a running month is only
    progress). A month that cannot be read, or has not begun, is not silently replaced: `problem`
    says which month was asked for and that the last finished month is shown instead.
    """
    today = today or timezone.localdate()
    fallback = compliance.last_finished_month(today)
    value = (value or "").strip()
    if not value:
        return (*fallback, "")
    try:
        year, month = (int(part) for part in value.split("-"))
    except ValueError:
        year = month = 0
    shown = _("已改为显示 %(year)s年%(month)s月。") % {"year": fallback[0], "month": fallback[1]}
    if not (2000 <= year <= 9999 and 1 <= month <= 12):
        return (
            *fallback,
            _("统计月份“%(value)s”无法识别（格式：年-月，如 2026-03）。") % {"value": value[:20]} + shown,
        )
    if compliance.month_state(year, month, today) == compliance.MONTH_FUTURE:
        return (
            *fallback,
            _("%(year)s年%(month)s月尚未开始，没有可统计的数据。") % {"year": year, "month": month} + shown,
        )
    return year, month, ""
