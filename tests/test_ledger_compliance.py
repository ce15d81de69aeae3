"""Compliance figures computed from a known ledger match hand-computed values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ledger import compliance
from ledger.models import LedgerEntry, Training, TrainingAttendance
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING
from tests.factories import AdviserFactory

NAZHEN = "451402001202"  # a second village of 太平街道
THIRD = "451402001203"
Y = 2025  # a past year, so every entry date is allowed


def entry(
    adviser, village, day, hours, kind=LedgerEntry.Kind.ON_DUTY, confirmation="confirmed", on_site=True
):
    item = LedgerEntry(
        adviser=adviser,
        village_id=village,
        date=day,
        kind=kind,
        hours=Decimal(hours),
        summary="驻点值班，解答咨询。",
        on_site=on_site,
        confirmation=confirmation,
    )
    item.full_clean()
    item.save()
    return item


@pytest.fixture
def ledger(divisions, make_contract):
    """A year of contracts with a change of adviser at BUZHAI on 16 March."""
    wei, huang, nong = AdviserFactory(name="韦明"), AdviserFactory(name="黄丽"), AdviserFactory(name="农芳")
    make_contract(wei, BUZHAI, start_date=dt.date(Y, 1, 1), end_date=dt.date(Y, 3, 15))
    make_contract(huang, BUZHAI, start_date=dt.date(Y, 3, 16), end_date=dt.date(Y, 12, 31))
    make_contract(wei, NAZHEN, start_date=dt.date(Y, 1, 1), end_date=dt.date(Y, 12, 31))
    # NAZHEN's neighbour is covered only from 17 March (15 of 31 days in March).
    make_contract(nong, THIRD, start_date=dt.date(Y, 3, 17), end_date=dt.date(Y, 12, 31))

    # March: BUZHAI gets 3h from 韦明 before the change and 2.5h from 黄丽 after it.
    entry(wei, BUZHAI, dt.date(Y, 3, 4), "3")
    entry(huang, BUZHAI, dt.date(Y, 3, 20), "2.5")
    entry(huang, BUZHAI, dt.date(Y, 3, 27), "2", confirmation="pending")  # not confirmed yet
    entry(huang, BUZHAI, dt.date(Y, 3, 28), "4", kind=LedgerEntry.Kind.DOCUMENTS, on_site=False)  # off site
    # March: NAZHEN 4.5h confirmed (short by 0.5), THIRD 2.5h (needs 5 × 15/31 = 2.4).
    entry(wei, NAZHEN, dt.date(Y, 3, 5), "4.5")
    entry(nong, THIRD, dt.date(Y, 3, 18), "2.5")
    entry(nong, THIRD, dt.date(Y, 3, 19), "1", confirmation="disputed")
    # Lectures: BUZHAI one (by 黄丽), NAZHEN one disputed → does not count.
    entry(huang, BUZHAI, dt.date(Y, 6, 1), "2", kind=LedgerEntry.Kind.LECTURE)
    entry(wei, NAZHEN, dt.date(Y, 6, 2), "2", kind=LedgerEntry.Kind.LECTURE, confirmation="disputed")
    # Trainings: 韦明 twice, 黄丽 once the year before (does not count), 农芳 never.
    spring = Training.objects.create(title="春季培训", date=dt.date(Y, 4, 1), organiser_id=JIANGZHOU)
    autumn = Training.objects.create(title="秋季培训", date=dt.date(Y, 10, 1), organiser_id=JIANGZHOU)
    old = Training.objects.create(title="往年培训", date=dt.date(Y - 1, 10, 1), organiser_id=JIANGZHOU)
    TrainingAttendance.objects.create(training=spring, adviser=wei)
    TrainingAttendance.objects.create(training=autumn, adviser=wei)
    TrainingAttendance.objects.create(training=old, adviser=huang)
    return wei, huang, nong


def by_code(rows):
    return {row.code: row for row in rows}


def test_march_hours_with_a_change_of_adviser(ledger):
    march = by_code(compliance.monthly_hours(TAIPING, Y, 3))
    buzhai = march[BUZHAI]
    assert buzhai.required == Decimal("5.0")  # covered all month by two advisers
    assert buzhai.confirmed_hours == Decimal("5.5") and buzhai.pending_hours == Decimal("2")
    assert buzhai.meets and buzhai.advisers == ["韦明", "黄丽"]
    assert march[NAZHEN].confirmed_hours == Decimal("4.5")
    assert not march[NAZHEN].meets and march[NAZHEN].shortfall == Decimal("0.5")
    third = march[THIRD]
    assert third.required == Decimal("2.4") and third.confirmed_hours == Decimal("2.5") and third.meets


def test_month_without_entries(ledger):
    april = by_code(compliance.monthly_hours(TAIPING, Y, 4))
    assert april[BUZHAI].confirmed_hours == 0 and april[BUZHAI].required == 5 and not april[BUZHAI].meets
    assert april[THIRD].required == 5 and not april[THIRD].meets


def test_uncovered_village_is_not_applicable(ledger):
    uncovered = "451402001204"
    row = by_code(compliance.monthly_hours(TAIPING, Y, 3))[uncovered]
    assert not row.applicable and row.meets and row.required == 0


def test_yearly_lectures(ledger):
    year = by_code(compliance.yearly_lectures(TAIPING, Y))
    assert year[BUZHAI].lectures == 1 and year[BUZHAI].meets
    assert year[NAZHEN].lectures == 0 and not year[NAZHEN].meets
    assert year[THIRD].lectures == 0 and not year[THIRD].meets
    assert not year["451402001204"].applicable


def test_yearly_trainings(ledger):
    wei, huang, nong = ledger
    rows = {r.name: r for r in compliance.yearly_trainings(TAIPING, Y)}
    assert rows["韦明"].trainings == 2 and rows["韦明"].meets
    assert rows["黄丽"].trainings == 0 and not rows["黄丽"].meets
    assert rows["农芳"].trainings == 0 and not rows["农芳"].meets
    assert compliance.trainings_for(huang.pk, Y - 1) == 1


def test_queries_are_bounded(ledger, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        compliance.monthly_hours(JIANGZHOU, Y, 3)
    with django_assert_max_num_queries(3):
        compliance.yearly_lectures(JIANGZHOU, Y)
    with django_assert_max_num_queries(2):
        compliance.yearly_trainings(JIANGZHOU, Y)


def test_entry_needs_a_contract_on_that_day(ledger):
    wei, huang, nong = ledger
    with pytest.raises(ValidationError, match="没有有效的聘用合同"):
        entry(wei, BUZHAI, dt.date(Y, 3, 20), "2")  # 韦明 no longer serves BUZHAI after 15 March


def test_entry_cannot_be_in_the_future(ledger, today):
    wei, huang, nong = ledger
    with pytest.raises(ValidationError, match="将来"):
        entry(wei, NAZHEN, today + dt.timedelta(days=1), "2")


def test_off_site_entries_need_no_confirmation(ledger):
    item = LedgerEntry.objects.get(kind=LedgerEntry.Kind.DOCUMENTS)
    assert item.confirmation == LedgerEntry.Confirmation.NOT_NEEDED
