"""Working days for the time limit: weekends, public holidays and the weekend days worked instead."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from workflows import workdays

FRIDAY = dt.date(2026, 9, 25)


def test_weekends_do_not_count():
    assert workdays.add_working_days(FRIDAY, 1) == dt.date(2026, 9, 28)
    assert workdays.add_working_days(FRIDAY, 5) == dt.date(2026, 10, 2)
    assert workdays.add_working_days(dt.date(2026, 9, 26), 1) == dt.date(2026, 9, 28)  # from a Saturday


def test_holidays_and_makeup_workdays(settings):
    # National Day week: 1–7 October off; Sunday 27 September and Saturday 10 October are worked.
    settings.WORKFLOW_HOLIDAYS = [f"2026-10-0{d}" for d in range(1, 8)]
    settings.WORKFLOW_MAKEUP_WORKDAYS = ["2026-09-27", "2026-10-10"]
    # Fri 25 → Sun 27 (worked), Mon 28, Tue 29, Wed 30, then Thu 8 October.
    assert workdays.add_working_days(FRIDAY, 5) == dt.date(2026, 10, 8)
    assert workdays.add_working_days(dt.date(2026, 10, 8), 2) == dt.date(2026, 10, 10)


def test_deadline_is_the_end_of_the_last_working_day(settings):
    settings.WORKFLOW_HOLIDAYS = []
    submitted = dt.datetime(2026, 9, 25, 16, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    due = workdays.deadline_after(submitted, 5).astimezone(ZoneInfo("Asia/Shanghai"))
    assert due == dt.datetime(2026, 10, 2, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_working_days_left():
    due = dt.datetime(2026, 10, 2, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai"))
    monday = dt.datetime(2026, 9, 28, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert workdays.working_days_left(due, monday) == 4
    assert workdays.working_days_left(due, due) == 0
    assert workdays.working_days_left(due, due + dt.timedelta(days=3)) == -1  # late by Monday
