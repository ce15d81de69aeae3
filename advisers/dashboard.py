"""The coverage dashboard: the programme's headline figures for a bureau chief, by county and township.

"每个村(社区)都有一名法律顾问" is the goal (崇政办发〔2017〕101号 一(三)); the chief wants, for each
county and township: villages, villages under an active contract, coverage, advisers at the
5-village cap (二(一)2), contracts ending in the next 60 days (renewals to prepare), and the list of
uncovered villages. Everything is computed with a fixed number of aggregate queries whatever the
number of villages (≈10 for a whole city), so the dashboard for all of 崇左 is one fast request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.scope import Scope
from places import codes
from places.models import Division

from .models import ENDING_WITHIN_DAYS, Adviser, ServiceContract, county_cap

ENDING_DAYS = ENDING_WITHIN_DAYS
UNCOVERED_LIST_LIMIT = 300
ENDING_LIST_LIMIT = 100
# Lazy: translated when a page or an export shows them, in the request's language.
LEVEL_NAMES = {
    codes.PROVINCE: gettext_lazy("省"),
    codes.CITY: gettext_lazy("市"),
    codes.COUNTY: gettext_lazy("县(市、区)"),
    codes.TOWNSHIP: gettext_lazy("乡镇(街道)"),
}


def coverage_percent(covered: int, villages: int) -> float:
    """Villages under a contract in force, as a percentage to one decimal (0 for no villages).

    The one formula for every coverage figure: dashboard, exports, public pages and API.
    """
    return round(100 * covered / villages, 1) if villages else 0.0


@dataclass
class AreaFigures:
    code: str
    name: str
    level: int | None
    villages: int = 0
    covered: int = 0
    at_cap: int = 0
    ending: int = 0
    children: list[AreaFigures] = field(default_factory=list)

    @property
    def uncovered(self) -> int:
        return self.villages - self.covered

    @property
    def percent(self) -> float:
        return coverage_percent(self.covered, self.villages)

    @property
    def forecast_covered(self) -> int:
        """The forecast: villages still covered in ENDING_DAYS days if no renewal completes (the
        `ending` villages lose their adviser unless a renewal or a new contract is signed)."""
        return max(0, self.covered - self.ending)

    @property
    def forecast_uncovered(self) -> int:
        """Villages without an adviser in ENDING_DAYS days unless the renewals complete."""
        return self.villages - self.forecast_covered

    @property
    def forecast_percent(self) -> float:
        return coverage_percent(self.forecast_covered, self.villages)

    @property
    def level_name(self) -> str:
        return str(LEVEL_NAMES.get(self.level, ""))

    @property
    def band(self) -> str:
        """Colour band for the chart: full coverage, nearly there, or behind."""
        if self.villages and self.covered >= self.villages:
            return "full"
        return "near" if self.percent >= 90 else "low"


@dataclass
class Dashboard:
    area: AreaFigures
    ancestors: list[Division]
    rows: list[AreaFigures]
    uncovered: list[Division]
    uncovered_total: int
    ending_contracts: list[ServiceContract]
    today: dt.date
    #: The adviser cap when the area lies within one county (its bureau's setting), else None:
    #: each county's own cap applies to its villages.
    cap: int | None = None

    @property
    def flat_rows(self) -> list[AreaFigures]:
        """The area, then each row followed by its children (the export's order)."""
        rows = [self.area]
        for row in self.rows:
            if row.code != self.area.code:
                rows.append(row)
            rows.extend(row.children)
        return rows


def _range(field: str, prefix: str) -> Q:
    if not prefix:
        return Q()
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": codes.prefix_upper_bound(prefix)})


def root_for(scope: Scope) -> str | None:
    """The area a scope's dashboard starts from ("" = everywhere), None when it has none."""
    if scope.unrestricted:
        return ""
    if scope.is_adviser or not scope.prefixes or len(scope.prefixes) != 1:
        return None
    return scope.prefixes[0]


def resolve_area(scope: Scope, requested: str | None) -> str:
    """The area to show: the requested one if it lies in the scope, else the scope's root."""
    root = root_for(scope)
    if root is None:
        raise Http404(_("您的账号没有可查看的辖区。"))
    requested = (requested or "").strip()
    if requested and codes.is_valid_code(requested) and requested.startswith(root):
        return requested
    if requested and not (codes.is_valid_code(requested) and requested.startswith(root)):
        raise Http404(_("该地区不在您的管辖范围内。"))
    return root


def _grouping(area_level: int | None) -> tuple[int, int | None]:
    """(row code length, child row code length) for an area level."""
    if area_level is None:
        return 2, None
    if area_level == codes.PROVINCE:
        return 4, None
    if area_level == codes.CITY:
        return 6, 9
    if area_level == codes.COUNTY:
        return 6, 9
    return 9, None


def build(area_code: str, today: dt.date | None = None) -> Dashboard:
    """The figures for an area (already checked against the user's scope)."""
    today = today or timezone.localdate()
    area = None
    if area_code:
        area = Division.objects.filter(code=area_code).first()
        if area is None or area.level == codes.VILLAGE:
            raise Http404(_("没有这个地区。"))
    row_length, child_length = _grouping(area.level if area else None)
    finest = child_length or row_length

    villages_q = Division.objects.filter(level=codes.VILLAGE).filter(_range("code", area_code))
    village_counts = dict(
        villages_q.annotate(g=Substr("code", 1, finest))
        .values("g")
        .annotate(n=Count("code"))
        .values_list("g", "n")
    )
    in_force = ServiceContract.objects.in_force(today).filter(_range("village_id", area_code))
    covered_counts = dict(
        in_force.annotate(g=Substr("village_id", 1, finest))
        .values("g")
        .annotate(n=Count("village_id", distinct=True))
        .values_list("g", "n")
    )
    ending_qs = ServiceContract.objects.ending_without_successor(ENDING_DAYS, on=today).filter(
        _range("village_id", area_code)
    )
    ending_counts = dict(
        ending_qs.annotate(g=Substr("village_id", 1, finest))
        .values("g")
        .annotate(n=Count("village_id", distinct=True))
        .values_list("g", "n")
    )
    # Advisers who are full (Adviser.objects.at_cap: their load against their counties' caps),
    # counted in each area where they serve a village.
    full = Adviser.objects.at_cap(today).values("pk")
    at_cap_pairs = list(in_force.filter(adviser__in=full).values_list("adviser_id", "village_id"))

    groups = sorted(set(village_counts) | set(covered_counts))
    row_codes = sorted({g[:row_length] for g in groups})
    name_codes = set(row_codes) | (set(groups) if child_length else set())
    names = dict(Division.objects.filter(code__in=name_codes).values_list("code", "name"))

    def figures(code: str, level: int) -> AreaFigures:
        keys = [g for g in groups if g.startswith(code)]
        item = AreaFigures(code=code, name=names.get(code, code), level=level)
        item.villages = sum(village_counts.get(k, 0) for k in keys)
        item.covered = sum(covered_counts.get(k, 0) for k in keys)
        item.ending = sum(n for k, n in ending_counts.items() if k.startswith(code))
        item.at_cap = len({a for a, v in at_cap_pairs if v.startswith(code)})
        return item

    row_level = codes.LEVEL_BY_LENGTH[row_length]
    rows = []
    for code in row_codes:
        row = figures(code, row_level)
        if child_length:
            row.children = [
                figures(g, codes.LEVEL_BY_LENGTH[child_length]) for g in groups if g.startswith(code)
            ]
        rows.append(row)

    whole = AreaFigures(
        code=area_code,
        name=area.name if area else _("全部地区"),
        level=area.level if area else None,
    )
    whole.villages = sum(village_counts.values())
    whole.covered = sum(covered_counts.values())
    whole.ending = sum(ending_counts.values())
    whole.at_cap = len({a for a, _v in at_cap_pairs})

    covered_villages = ServiceContract.objects.in_force(today).filter(village=OuterRef("code"))
    uncovered_qs = villages_q.exclude(Exists(covered_villages))
    uncovered_total = whole.uncovered
    uncovered = list(uncovered_qs.select_related("parent__parent").order_by("code")[:UNCOVERED_LIST_LIMIT])
    ending_contracts = list(
        ending_qs.select_related("village__parent", "adviser").order_by("end_date", "village_id")[
            :ENDING_LIST_LIMIT
        ]
    )
    ancestors = area.ancestors() if area else []
    return Dashboard(
        area=whole,
        ancestors=ancestors,
        rows=rows,
        uncovered=uncovered,
        uncovered_total=uncovered_total,
        ending_contracts=ending_contracts,
        today=today,
        cap=county_cap(area_code) if len(area_code) >= 6 else None,
    )


def auto_descend(area_code: str) -> str:
    """From a province or the whole country, step down while there is only one area below.

    A deployment for one city should open on that city's counties, not on a one-row table.
    """
    while len(area_code) < 4:
        length = 2 if not area_code else 4
        level = codes.LEVEL_BY_LENGTH[length]
        children = list(
            Division.objects.filter(level=level)
            .filter(_range("code", area_code))
            .values_list("code", flat=True)[:2]
        )
        if len(children) != 1:
            break
        area_code = children[0]
    return area_code
