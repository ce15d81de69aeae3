"""Working days for time limits (限时办结制).

A bureau's time limit counts working days: Monday to Friday, minus the public holidays the State
Council announces each year, plus the weekend days that are worked in exchange (调休). Both lists
change every year, so they are settings (`WORKFLOW_HOLIDAYS`, `WORKFLOW_MAKEUP_WORKDAYS`, ISO dates,
also read from the environment variables of the same names as comma-separated lists).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone


def _dates(values: Iterable[str | dt.date]) -> frozenset[dt.date]:
    result = set()
    for value in values:
        result.add(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip()))
    return frozenset(result)


def holidays() -> frozenset[dt.date]:
    return _dates(getattr(settings, "WORKFLOW_HOLIDAYS", ()))


def makeup_workdays() -> frozenset[dt.date]:
    return _dates(getattr(settings, "WORKFLOW_MAKEUP_WORKDAYS", ()))


def is_working_day(day: dt.date) -> bool:
    if day in makeup_workdays():
        return True
    return day.weekday() < 5 and day not in holidays()


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the day of submission itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    off, extra = holidays(), makeup_workdays()
    day, counted = start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day in extra or (day.weekday() < 5 and day not in off):
            counted += 1
    return day


def deadline_after(moment: dt.datetime | None, days: int) -> dt.datetime:
    """The end of the `days`-th working day after `moment`, in the site's time zone.

    Submitted on a Friday afternoon with 5 working days: due at the end of the next Friday.
    """
    moment = moment or timezone.now()
    local = timezone.localtime(moment)
    due_day = add_working_days(local.date(), days)
    end = dt.datetime.combine(due_day, dt.time(23, 59, 59))
    return timezone.make_aware(end, timezone.get_current_timezone())


def working_days_left(deadline: dt.datetime, now: dt.datetime | None = None) -> int:
    """Whole working days between today and the deadline's day (0 on the last day, < 0 when late)."""
    today = timezone.localtime(now or timezone.now()).date()
    due = timezone.localtime(deadline).date()
    if due < today:
        late, day = 0, due
        while day < today:
            day += dt.timedelta(days=1)
            if is_working_day(day):
                late += 1
        return -max(late, 1)
    left, day = 0, today
    while day < due:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left += 1
    return left
