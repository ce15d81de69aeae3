"""On-site hours: Chinese rendering, RRULE, next dates and the 5-hours-a-month check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from icalendar.prop import vRecur

from advisers import schedule
from advisers.models import OnSiteSchedule
from tests.conftest import BUZHAI
from tests.factories import AdviserFactory, ScheduleFactory

NINE, NOON = dt.time(9), dt.time(12)


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ((schedule.MONTHLY_WEEKDAY, [3], [1, 3], []), "每月第1、3个星期三 9:00–12:00"),
        ((schedule.MONTHLY_WEEKDAY, [5], [-1], []), "每月最后一个星期五 9:00–12:00"),
        ((schedule.WEEKLY, [2, 4], [], []), "每周二、四 9:00–12:00"),
        ((schedule.MONTHLY_DAY, [], [], [5, 20]), "每月5日、20日 9:00–12:00"),
    ],
)
def test_describe_in_chinese(args, text):
    assert schedule.describe(*args, NINE, NOON) == text


def test_rrule_is_valid_icalendar():
    value = schedule.rrule_text(schedule.MONTHLY_WEEKDAY, [3], [1, 3], [], until=dt.date(2027, 6, 30))
    assert value == "FREQ=MONTHLY;BYDAY=1WE,3WE;UNTIL=20270630"
    parsed = vRecur.from_ical(value)
    assert parsed["FREQ"] == ["MONTHLY"] and parsed["BYDAY"] == ["1WE", "3WE"]
    assert schedule.rrule_text(schedule.MONTHLY_DAY, [], [], [5, 20]) == "FREQ=MONTHLY;BYMONTHDAY=5,20"
    assert schedule.rrule_text(schedule.WEEKLY, [1], [], []) == "FREQ=WEEKLY;BYDAY=MO"


def test_next_dates_follow_the_rule():
    dates = schedule.occurrences(
        schedule.MONTHLY_WEEKDAY, [3], [1, 3], [], after=dt.date(2026, 11, 22), until=dt.date(2027, 12, 31)
    )
    # November 2026: Wednesdays are 4, 11, 18, 25 → 1st and 3rd passed; December: 2 and 16.
    assert dates == [dt.date(2026, 12, 2), dt.date(2026, 12, 16), dt.date(2027, 1, 6)]
    assert schedule.occurrences(schedule.WEEKLY, [1], [], [], dt.date(2026, 1, 1), dt.date(2025, 1, 1)) == []


def test_monthly_hours_against_the_minimum():
    assert schedule.monthly_hours(schedule.MONTHLY_WEEKDAY, [3], [1, 3], [], NINE, NOON) == 6.0
    assert schedule.monthly_hours(schedule.MONTHLY_DAY, [], [], [5], NINE, dt.time(11)) == 2.0
    assert schedule.monthly_hours(schedule.WEEKLY, [2], [], [], dt.time(15), dt.time(17)) == pytest.approx(
        8.7
    )


def test_parse_numbers_accepts_chinese_punctuation():
    assert schedule.parse_numbers("1，3、 -1") == [1, 3, -1]


def test_schedule_validation_messages(make_contract):
    contract = make_contract(AdviserFactory(), BUZHAI)
    bad = OnSiteSchedule(
        contract=contract,
        frequency=OnSiteSchedule.Frequency.MONTHLY_WEEKDAY,
        weekdays="8",
        week_ordinals="5",
        start_time=NOON,
        end_time=NINE,
    )
    with pytest.raises(ValidationError) as excinfo:
        bad.full_clean()
    assert set(excinfo.value.message_dict) == {"weekdays", "week_ordinals", "end_time"}
    day = OnSiteSchedule(
        contract=contract,
        frequency=OnSiteSchedule.Frequency.MONTHLY_DAY,
        month_days="31",
        start_time=NINE,
        end_time=NOON,
    )
    with pytest.raises(ValidationError, match="1–28"):
        day.full_clean()


def test_model_methods(make_contract):
    contract = make_contract(AdviserFactory(), BUZHAI)
    slot = ScheduleFactory(contract=contract)
    assert str(slot) == "每月第1、3个星期三 9:00–12:00"
    assert slot.rrule().startswith("FREQ=MONTHLY;BYDAY=1WE,3WE;UNTIL=")
    assert all(d.weekday() == 2 for d in slot.next_dates())
    assert slot.monthly_hours == 6.0
