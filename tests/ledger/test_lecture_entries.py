"""A recorded lecture creates its ledger entry (and only lectures the policy counts do)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from content.models import Lecture
from ledger.lectures import lecture_hours
from ledger.models import LedgerEntry
from tests.conftest import BUZHAI, TAIPING

GONGYI = "451402001202"


def lecture(people, place=BUZHAI, speaker=None, days_ago=3, minutes=90) -> Lecture:
    starts = timezone.now() - dt.timedelta(days=days_ago)
    return Lecture.objects.create(
        topic="土地承包法律知识",
        starts_at=starts,
        duration_minutes=minutes,
        place_id=place,
        venue="村委会会议室",
        speaker=speaker if speaker is not None else people.adviser,
    )


def test_a_recorded_lecture_creates_its_ledger_entry(people):
    talk = lecture(people)
    assert not LedgerEntry.objects.exists()  # scheduled, not held yet
    talk.record(held=True, attendance=45, summary="讲解土地承包经营权流转。", user=people.bureau)
    entry = LedgerEntry.objects.get(lecture=talk)
    assert entry.kind == LedgerEntry.Kind.LECTURE and entry.on_site and entry.people_served == 45
    assert entry.hours == Decimal("1.5") and entry.adviser == people.adviser and entry.village_id == BUZHAI
    assert entry.confirmation == LedgerEntry.Confirmation.PENDING  # the committee still confirms
    assert entry.is_locked  # edited through the lecture, not as a typed entry
    # Recording again updates the same entry; cancelling removes it.
    talk.record(held=True, attendance=50, summary="", user=people.bureau)
    assert LedgerEntry.objects.get(lecture=talk).people_served == 50
    talk.record(held=False, attendance=None, summary="", user=people.bureau, reason="暴雨")
    assert not LedgerEntry.objects.filter(lecture=talk).exists()


def test_lecture_recorded_by_the_village_committee_is_confirmed(people):
    talk = lecture(people)
    talk.record(held=True, attendance=30, summary="", user=people.committee)
    entry = LedgerEntry.objects.get(lecture=talk)
    assert entry.confirmation == LedgerEntry.Confirmation.CONFIRMED and entry.confirmed_by == people.committee


def test_lectures_that_are_not_an_advisers_village_work_make_no_entry(people):
    township = lecture(people, place=TAIPING)
    township.record(held=True, attendance=80, summary="", user=people.bureau)
    elsewhere = lecture(people, place=GONGYI)  # 韦卜寨 has no contract with 公益村
    elsewhere.record(held=True, attendance=20, summary="", user=people.bureau)
    assert not LedgerEntry.objects.exists()


def test_lecture_hours_are_rounded_to_half_hours():
    assert lecture_hours(90) == Decimal("1.5")
    assert lecture_hours(100) == Decimal("1.5")
    assert lecture_hours(110) == Decimal("2.0")
    assert lecture_hours(15) == Decimal("0.5")
    assert lecture_hours(480) == Decimal("8.0")
