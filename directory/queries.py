"""Read models of the directory: what a place page, the API and the notice board show.

Every function here runs a fixed number of queries whatever the number of villages, contracts or
schedules, because the village page and township listings have a query budget (≤ 12).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Prefetch
from django.db.models.functions import Substr
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from advisers.dashboard import coverage_percent
from advisers.models import CountyBureau, LiaisonOfficer, ServiceContract, ServiceRoom
from places import codes
from places.models import Division

COVERAGE_CACHE_SECONDS = 300


@dataclass
class Coverage:
    villages: int = 0
    covered: int = 0

    @property
    def uncovered(self) -> int:
        return self.villages - self.covered

    @property
    def percent(self) -> float:
        return coverage_percent(self.covered, self.villages)

    def as_dict(self) -> dict:
        return {"villages": self.villages, "covered": self.covered, "percent": self.percent}


def contracts_in_force(on: dt.date | None = None):
    """In-force contracts with everything a listing shows, in one query."""
    return ServiceContract.objects.in_force(on).select_related("adviser__firm", "adviser__photo")


def coverage_by(prefixes: list[str], group_length: int) -> dict[str, Coverage]:
    """Villages and covered villages under `prefixes`, grouped by code prefix of `group_length`.

    Two aggregate queries whatever the size: villages grouped by code prefix, and in-force
    contracts grouped the same way (a village has at most one in force).
    """
    result: dict[str, Coverage] = {}
    for prefix in prefixes:
        villages = Division.objects.villages().within(prefix)
        for row in villages.values(group=Substr("code", 1, group_length)).annotate(n=Count("code")):
            result.setdefault(row["group"], Coverage()).villages += row["n"]
        contracts = ServiceContract.objects.in_force().filter(
            village_id__gte=prefix, village_id__lt=codes.prefix_upper_bound(prefix)
        )
        for row in contracts.values(group=Substr("village_id", 1, group_length)).annotate(
            n=Count("village_id", distinct=True)
        ):
            result.setdefault(row["group"], Coverage()).covered += row["n"]
    return result


def cached_coverage_by(prefixes: list[str], group_length: int) -> dict[str, Coverage]:
    """Coverage for wide areas (a province, the nation) changes slowly; cache it briefly."""
    key = f"coverage:{timezone.localdate().isoformat()}:{group_length}:{','.join(sorted(prefixes))}"
    value = cache.get(key)
    if value is None:
        value = coverage_by(prefixes, group_length)
        cache.set(key, value, COVERAGE_CACHE_SECONDS)
    return value


def total(coverages: dict[str, Coverage]) -> Coverage:
    overall = Coverage()
    for item in coverages.values():
        overall.villages += item.villages
        overall.covered += item.covered
    return overall


_PLACEHOLDER = "4294967295"  # stands for a code or id in a reversed address; digits, so no quoting


@functools.lru_cache(maxsize=64)
def _address_pattern(name: str, prefix: str, urlconf: str | None) -> str:
    return reverse(name, args=[_PLACEHOLDER], urlconf=urlconf)


def address(name: str, value: str | int) -> str:
    """`reverse(name, args=[value])` for a digits-only value, resolving the pattern once.

    A township listing links each of its 30-odd villages and their advisers; resolving each
    address anew was a measurable part of rendering the page.
    """
    text = str(value)
    if not text.isdigit():
        return reverse(name, args=[value])
    return _address_pattern(name, get_script_prefix(), get_urlconf()).replace(_PLACEHOLDER, text)


@dataclass
class ChildRow:
    division: Division
    coverage: Coverage | None = None
    contract: ServiceContract | None = None

    @property
    def url(self) -> str:
        return address("directory:place", self.division.code)

    @property
    def adviser_url(self) -> str:
        return address("directory:adviser", self.contract.adviser_id) if self.contract else ""


@dataclass
class PlaceView:
    """Everything a place page needs (any level but village)."""

    place: Division
    ancestors: list[Division]
    bureau: CountyBureau | None
    children: list[ChildRow]
    coverage: Coverage
    uncovered: list[Division] = field(default_factory=list)


def place_with_lineage(code: str) -> Division | None:
    """The division with this code, with its ancestors and county bureau, in one query (or None).

    The pages of a place need all three; `ancestors_with_bureau` then finds them on the place.
    """
    wanted = codes.ancestor_codes(code)
    found = {d.code: d for d in Division.objects.filter(code__in=[*wanted, code]).select_related("bureau")}
    place = found.pop(code, None)
    if place is not None:
        place._lineage = _lineage(place, wanted, found)
    return place


def ancestors_with_bureau(place: Division) -> tuple[list[Division], CountyBureau | None]:
    """Ancestors outermost first and the county bureau, in one query (none after `place_with_lineage`)."""
    lineage = getattr(place, "_lineage", None)
    if lineage is not None:
        return lineage
    wanted = codes.ancestor_codes(place.code)
    found = {}
    if wanted:
        found = {d.code: d for d in Division.objects.filter(code__in=wanted).select_related("bureau")}
    return _lineage(place, wanted, found)


def _lineage(
    place: Division, wanted: list[str], found: dict[str, Division]
) -> tuple[list[Division], CountyBureau | None]:
    ancestors = [found[c] for c in wanted if c in found]
    bureau = None
    if place.level >= codes.COUNTY:
        county = place if place.level == codes.COUNTY else found.get(place.code[:6])
        # A missing reverse one-to-one raises a subclass of AttributeError.
        bureau = getattr(county, "bureau", None)
    return ancestors, bureau


def place_view(place: Division) -> PlaceView:
    ancestors, bureau = ancestors_with_bureau(place)
    children = list(Division.objects.filter(parent=place).order_by("code"))
    rows = [ChildRow(child) for child in children]
    if place.level == codes.TOWNSHIP:
        # The listing shows each adviser's name, firm and phone, not the photo.
        listed = ServiceContract.objects.in_force().select_related("adviser__firm")
        in_force = {
            c.village_id: c
            for c in listed.filter(village__parent=place).order_by("village_id", "-start_date")
        }
        covered = 0
        for row in rows:
            row.contract = in_force.get(row.division.code)
            covered += row.contract is not None
        overall = Coverage(villages=len(rows), covered=covered)
        uncovered = [r.division for r in rows if r.contract is None]
        return PlaceView(place, ancestors, bureau, rows, overall, uncovered)
    if children:
        length = codes.CODE_LENGTHS[children[0].level]
        getter = cached_coverage_by if place.level <= codes.CITY else coverage_by
        coverages = getter([place.code], length)
        for row in rows:
            row.coverage = coverages.get(row.division.code, Coverage())
        overall = total(coverages)
    else:
        overall = Coverage()
    return PlaceView(place, ancestors, bureau, rows, overall)


@dataclass
class VillageView:
    """What the policy puts on the notice board, plus photo, firm, liaison and service room."""

    village: Division
    ancestors: list[Division]
    bureau: CountyBureau | None
    contract: ServiceContract | None
    schedules: list
    liaisons: list[LiaisonOfficer]
    room: ServiceRoom | None
    lectures: list = field(default_factory=list)

    @property
    def adviser(self):
        return self.contract.adviser if self.contract else None

    @property
    def township(self) -> Division | None:
        return self.ancestors[-1] if self.ancestors else None

    @property
    def county(self) -> Division | None:
        return next((a for a in self.ancestors if a.level == codes.COUNTY), None)

    @property
    def full_name(self) -> str:
        return "".join(a.name for a in self.ancestors[1:]) + self.village.name

    @property
    def six_ones(self) -> list[tuple[str, bool]]:
        if self.room is None:
            return []
        return self.room.six_ones(self.contract is not None, bool(self.liaisons))

    @property
    def monthly_hours(self) -> float:
        return round(sum(s.monthly_hours for s in self.schedules), 1)


def village_view(village: Division, *, specialties: bool = True) -> VillageView:
    """The village's notice board facts; `specialties=False` for a page that does not list them."""
    ancestors, bureau = ancestors_with_bureau(village)
    from advisers.models import OnSiteSchedule

    prefetch = [
        Prefetch("schedules", queryset=OnSiteSchedule.objects.order_by("id")),
        "adviser__photo__renditions",
    ]
    if specialties:
        prefetch.append("adviser__specialties")
    contract = (
        contracts_in_force()
        .filter(village=village)
        .prefetch_related(*prefetch)
        .order_by("-start_date")
        .first()
    )
    schedules = list(contract.schedules.all()) if contract else []
    liaisons = list(LiaisonOfficer.objects.filter(village=village, is_active=True).order_by("name"))
    room = ServiceRoom.objects.filter(village=village).first()
    return VillageView(
        village, ancestors, bureau, contract, schedules, liaisons, room, next_lectures(village)
    )


VILLAGE_LECTURES = 5

# The lectures are content's (above the directory in the layers, README "Layout"): content hands
# the directory its lookup from ContentConfig.ready() instead of the directory importing it.
_lecture_source: list[Callable[[Division, int], list]] = []


def provide_village_lectures(source: Callable[[Division, int], list]) -> None:
    """Register how a village page finds its next lectures: `source(village, limit)`, one query."""
    _lecture_source[:] = [source]


def next_lectures(village: Division) -> list:
    """The village's next lectures, in the village or for its whole township (one query)."""
    return _lecture_source[0](village, VILLAGE_LECTURES) if _lecture_source else []


def adviser_contracts(adviser_id: int):
    """The villages an adviser serves now, with their townships."""
    return list(
        contracts_in_force()
        .filter(adviser_id=adviser_id)
        .select_related("village__parent")
        .prefetch_related("schedules")
        .order_by("village_id")
    )
