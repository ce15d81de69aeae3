"""Recurring on-site hours (驻点时间), e.g. "每月第1、3个星期三 9:00–12:00".

The schedule is stored as structure rather than text so that it renders the same everywhere, can
be exported as an iCalendar RRULE, and can be checked against the 5-hours-a-month minimum
(崇政办发〔2017〕101号 三(一): 每个月到村(社区)服务累计不少于5小时).
"""

from __future__ import annotations

import datetime as dt

from dateutil import rrule
from django.utils.translation import gettext as _

WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}
RRULE_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
_DATEUTIL_DAYS = {
    1: rrule.MO,
    2: rrule.TU,
    3: rrule.WE,
    4: rrule.TH,
    5: rrule.FR,
    6: rrule.SA,
    7: rrule.SU,
}
WEEKS_PER_MONTH = 52 / 12

WEEKLY = "weekly"
MONTHLY_WEEKDAY = "monthly_weekday"
MONTHLY_DAY = "monthly_day"


def parse_numbers(text: str) -> list[int]:
    """ "1,3" → [1, 3]; tolerant of Chinese commas and spaces, which staff type."""
    cleaned = (text or "").replace("，", ",").replace("、", ",").replace(" ", "")
    return [int(part) for part in cleaned.split(",") if part.lstrip("-").isdigit()]


def _time(value: dt.time) -> str:
    return f"{value.hour}:{value.minute:02d}"


def describe(
    frequency: str,
    weekdays: list[int],
    ordinals: list[int],
    month_days: list[int],
    start: dt.time,
    end: dt.time,
) -> str:
    """The schedule in plain Chinese, as printed on the notice board."""
    days = "、".join(f"星期{WEEKDAY_NAMES[d]}" for d in weekdays)
    hours = f"{_time(start)}–{_time(end)}"
    if frequency == WEEKLY:
        return _("每周%(days)s %(hours)s") % {
            "days": "、".join(f"{WEEKDAY_NAMES[d]}" for d in weekdays),
            "hours": hours,
        }
    if frequency == MONTHLY_WEEKDAY:
        parts = [_("最后一") if n == -1 else str(n) for n in ordinals]
        if parts == [_("最后一")]:
            return _("每月最后一个%(days)s %(hours)s") % {"days": days, "hours": hours}
        return _("每月第%(nth)s个%(days)s %(hours)s") % {
            "nth": "、".join(parts),
            "days": days,
            "hours": hours,
        }
    return _("每月%(dates)s %(hours)s") % {"dates": "、".join(f"{d}日" for d in month_days), "hours": hours}


def rrule_text(
    frequency: str,
    weekdays: list[int],
    ordinals: list[int],
    month_days: list[int],
    until: dt.date | None = None,
) -> str:
    """The RFC 5545 RRULE value (without the "RRULE:" prefix)."""
    if frequency == WEEKLY:
        parts = ["FREQ=WEEKLY", "BYDAY=" + ",".join(RRULE_DAYS[d] for d in weekdays)]
    elif frequency == MONTHLY_WEEKDAY:
        parts = [
            "FREQ=MONTHLY",
            "BYDAY=" + ",".join(f"{n}{RRULE_DAYS[d]}" for n in ordinals for d in weekdays),
        ]
    else:
        parts = ["FREQ=MONTHLY", "BYMONTHDAY=" + ",".join(str(d) for d in month_days)]
    if until:
        parts.append("UNTIL=" + until.strftime("%Y%m%d"))
    return ";".join(parts)


def occurrences(
    frequency: str,
    weekdays: list[int],
    ordinals: list[int],
    month_days: list[int],
    after: dt.date,
    until: dt.date,
    count: int = 3,
) -> list[dt.date]:
    """The next `count` dates on or after `after`, not beyond `until`."""
    if until < after:
        return []
    start = dt.datetime.combine(after, dt.time.min)
    end = dt.datetime.combine(until, dt.time.max)
    if frequency == WEEKLY:
        rule = rrule.rrule(
            rrule.WEEKLY, byweekday=[_DATEUTIL_DAYS[d] for d in weekdays], dtstart=start, until=end
        )
    elif frequency == MONTHLY_WEEKDAY:
        rule = rrule.rrule(
            rrule.MONTHLY,
            byweekday=[_DATEUTIL_DAYS[d](n) for n in ordinals for d in weekdays],
            dtstart=start,
            until=end,
        )
    else:
        rule = rrule.rrule(rrule.MONTHLY, bymonthday=month_days, dtstart=start, until=end)
    result = []
    for moment in rule:
        result.append(moment.date())
        if len(result) >= count:
            break
    return result


def monthly_hours(
    frequency: str,
    weekdays: list[int],
    ordinals: list[int],
    month_days: list[int],
    start: dt.time,
    end: dt.time,
) -> float:
    """Average scheduled hours per month, to compare with the 5-hour minimum."""
    length = (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).seconds / 3600
    if frequency == WEEKLY:
        sessions = len(weekdays) * WEEKS_PER_MONTH
    elif frequency == MONTHLY_WEEKDAY:
        sessions = len(weekdays) * len(ordinals)
    else:
        sessions = len(month_days)
    return round(sessions * length, 1)
