"""Compliance with the policy's work requirements, computed from the ledger — never typed.

崇政办发〔2017〕101号 三(一) and 四(一):
- on-site service at least 5 hours per village per month (confirmed on-site entries count);
- at least 1 legal lecture per village per year;
- each adviser attends at least 1 training per year.

A month in which a village was under contract for only part of the time requires a proportional
share of the 5 hours (e.g. 15 of 30 days → 2.5 hours); a village whose adviser changed mid-month
was covered the whole month and needs the full 5 hours from both advisers together. A village with
no contract at all in the period is "not applicable" (it shows up as a coverage gap instead).
The yearly lecture is pro rata too, rounded to whole lectures: a village is judged on it when it was
under contract for at least half of the year (`LECTURE_MIN_SHARE`); one contracted later (say from
10 December) owes no lecture that year and shows as "not judged", never as missing one. The
policy sets the lecture per year of service (三(一): 每年至少举办1次法制讲座); half a year is the
point from which one lecture is the nearest whole share.

A month that has not ended is in progress: its hours are shown as progress, never judged
(`month_state`).
Every function runs a fixed number of aggregate queries whatever the number of villages.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from advisers.models import Adviser, ServiceContract
from places import codes
from places.models import Division

from .models import LedgerEntry, TrainingAttendance

MONTHLY_HOURS = Decimal("5")
YEARLY_LECTURES = 1
YEARLY_TRAININGS = 1
# Share of the year under contract from which a village owes the year's lecture (see above).
LECTURE_MIN_SHARE = Decimal("0.5")

MONTH_DONE = "done"
MONTH_IN_PROGRESS = "in_progress"
MONTH_FUTURE = "future"


def month_state(year: int, month: int, today: dt.date) -> str:
    """Whether the month has ended (judged), is running (progress only) or has not begun."""
    if (year, month) < (today.year, today.month):
        return MONTH_DONE
    if (year, month) == (today.year, today.month):
        return MONTH_IN_PROGRESS
    return MONTH_FUTURE


def last_finished_month(today: dt.date) -> tuple[int, int]:
    """The latest month that has ended: the one a compliance report opens on."""
    return previous_month(today.year, today.month)


def owes_lecture(covered_days: int, days_in_year: int) -> bool:
    """Whether a village under contract for `covered_days` of the year is judged on its lecture."""
    return covered_days > 0 and Decimal(covered_days) >= LECTURE_MIN_SHARE * days_in_year


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _covered_days(periods: list[tuple[dt.date, dt.date]], first: dt.date, last: dt.date) -> int:
    """Days of [first, last] inside at least one period (periods may touch or overlap)."""
    clipped = sorted(
        (max(start, first), min(end, last)) for start, end in periods if start <= last and end >= first
    )
    total, reach = 0, None
    for start, end in clipped:
        if reach is not None and start <= reach:
            if end > reach:
                total += (end - reach).days
                reach = end
            continue
        total += (end - start).days + 1
        reach = end
    return total


@dataclass
class VillageMonth:
    """One village's on-site hours in one month, against its requirement."""

    code: str
    name: str
    required: Decimal
    confirmed_hours: Decimal = Decimal("0")
    pending_hours: Decimal = Decimal("0")
    advisers: list[str] = field(default_factory=list)

    @property
    def applicable(self) -> bool:
        return self.required > 0

    @property
    def meets(self) -> bool:
        return not self.applicable or self.confirmed_hours >= self.required

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal("0"), self.required - self.confirmed_hours)


def _contracts_between(prefix: str, first: dt.date, last: dt.date):
    """Contracts under `prefix` in force on some day of [first, last], as plain rows (no model
    objects), each with `last_day`: a contract terminated in November still counts before its
    termination date, so past months keep their village and their adviser."""
    return (
        ServiceContract.objects.active_during(first, last)
        .filter(village_id__gte=prefix, village_id__lt=codes.prefix_upper_bound(prefix))
        .with_last_day()
        .order_by("start_date", "pk")
    )


def monthly_series(prefix: str, months: list[tuple[int, int]]) -> dict[tuple[int, int], list[VillageMonth]]:
    """On-site hours for every village under `prefix` in each of `months` (3 queries in all).

    The dashboard's 12-month trend uses this rather than 12 calls of `monthly_hours`.
    """
    if not months:
        return {}
    bounds = {key: month_bounds(*key) for key in months}
    first = min(b[0] for b in bounds.values())
    last = max(b[1] for b in bounds.values())
    periods: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    names: dict[str, list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for village, start, end, adviser in _contracts_between(prefix, first, last).values_list(
        "village_id", "start_date", "last_day", "adviser__name"
    ):
        periods[village].append((start, end))
        names[village].append((start, end, adviser))
    sums: dict[tuple[str, dt.date, str], Decimal] = {}
    rows = (
        LedgerEntry.objects.filter(
            on_site=True,
            date__gte=first,
            date__lte=last,
            village_id__gte=prefix,
            village_id__lt=codes.prefix_upper_bound(prefix),
        )
        .annotate(month=TruncMonth("date"))
        .values("village_id", "month", "confirmation")
        .annotate(hours=Sum("hours"))
    )
    for row in rows:
        month = row["month"]
        month = month.date() if isinstance(month, dt.datetime) else month
        sums[(row["village_id"], month, row["confirmation"])] = row["hours"] or Decimal("0")
    villages = list(Division.objects.villages().within(prefix).order_by("code").values_list("code", "name"))
    result: dict[tuple[int, int], list[VillageMonth]] = {}
    for key in months:
        month_first, month_last = bounds[key]
        days_in_month = (month_last - month_first).days + 1
        month_rows = []
        for code, name in villages:
            covered = _covered_days(periods.get(code, []), month_first, month_last)
            required = (MONTHLY_HOURS * covered / days_in_month).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
            advisers: list[str] = []
            for start, end, adviser in names.get(code, ()):
                if start <= month_last and end >= month_first and adviser not in advisers:
                    advisers.append(adviser)
            month_rows.append(
                VillageMonth(
                    code=code,
                    name=name,
                    required=required,
                    confirmed_hours=sums.get(
                        (code, month_first, LedgerEntry.Confirmation.CONFIRMED), Decimal("0")
                    ),
                    pending_hours=sums.get(
                        (code, month_first, LedgerEntry.Confirmation.PENDING), Decimal("0")
                    ),
                    advisers=advisers,
                )
            )
        result[key] = month_rows
    return result


def monthly_hours(prefix: str, year: int, month: int) -> list[VillageMonth]:
    """On-site hours for every village under `prefix` in the month (3 queries)."""
    return monthly_series(prefix, [(year, month)])[(year, month)]


@dataclass
class VillageYear:
    code: str
    name: str
    applicable: bool
    lectures: int = 0

    @property
    def meets(self) -> bool:
        return not self.applicable or self.lectures >= YEARLY_LECTURES


def yearly_lectures(prefix: str, year: int) -> list[VillageYear]:
    """Lectures per village in the year (3 queries). Disputed entries do not count; a village under
    contract for less than half of the year is not judged (`owes_lecture`)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days_in_year = (last - first).days + 1
    periods: dict[str, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for village, start, end in _contracts_between(prefix, first, last).values_list(
        "village_id", "start_date", "last_day"
    ):
        periods[village].append((start, end))
    judged = {
        village
        for village, spans in periods.items()
        if owes_lecture(_covered_days(spans, first, last), days_in_year)
    }
    counts = dict(
        LedgerEntry.objects.filter(
            kind=LedgerEntry.Kind.LECTURE,
            date__gte=first,
            date__lte=last,
            village_id__gte=prefix,
            village_id__lt=codes.prefix_upper_bound(prefix),
        )
        .exclude(confirmation=LedgerEntry.Confirmation.DISPUTED)
        .values("village_id")
        .annotate(n=Count("id"))
        .values_list("village_id", "n")
    )
    return [
        VillageYear(code, name, code in judged, counts.get(code, 0))
        for code, name in Division.objects.villages()
        .within(prefix)
        .order_by("code")
        .values_list("code", "name")
    ]


@dataclass
class AdviserYear:
    adviser_id: int
    name: str
    trainings: int = 0

    @property
    def meets(self) -> bool:
        return self.trainings >= YEARLY_TRAININGS


def yearly_trainings(prefix: str, year: int) -> list[AdviserYear]:
    """Trainings attended by each adviser serving under `prefix` during the year (2 queries)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    adviser_ids = set(_contracts_between(prefix, first, last).values_list("adviser_id", flat=True))
    advisers = (
        Adviser.objects.filter(pk__in=adviser_ids)
        .annotate(
            n=Count(
                "trainingattendance",
                filter=Q(
                    trainingattendance__training__date__gte=first,
                    trainingattendance__training__date__lte=last,
                    trainingattendance__training__hours__gt=0,
                ),
            )
        )
        .order_by("name", "pk")
    )
    return [AdviserYear(a.pk, a.name, a.n) for a in advisers]


def trainings_for(adviser_id: int, year: int) -> int:
    return TrainingAttendance.objects.filter(
        adviser_id=adviser_id, training__date__year=year, training__hours__gt=0
    ).count()
