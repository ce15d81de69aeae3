"""Checks that catch a mistyped record on the model, whatever saves it (admin, import, shell):
contract years and signing date, recusal dates, practising certificates, trainings of no length."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from advisers.models import Adviser, Recusal, ServiceContract
from ledger import compliance
from ledger.models import Training, TrainingAttendance
from tests.conftest import BUZHAI, JIANGZHOU
from tests.factories import AdviserFactory

GONGYI = "451402001202"


def contract(today, **kw) -> ServiceContract:
    values = {
        "adviser": AdviserFactory(),
        "village_id": GONGYI,
        "start_date": today,
        "end_date": today + dt.timedelta(days=364),
        "annual_fee": Decimal("3000"),
        "status": ServiceContract.Status.ACTIVE,
    }
    values.update(kw)
    return ServiceContract(**values)


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def test_a_contract_signed_after_it_starts_is_refused(divisions, today):
    assert "签订日期不能晚于" in str(errors_of(contract(today, signed_on=today + dt.timedelta(days=3))))


def test_a_contract_in_1990_or_of_twenty_years_is_refused(divisions):
    old = contract(dt.date(1990, 1, 1), end_date=dt.date(1990, 12, 31))
    assert "start_date" in errors_of(old)
    long = contract(dt.date(2026, 1, 1), end_date=dt.date(2046, 1, 1))
    assert "end_date" in errors_of(long)


def test_an_ordinary_contract_passes(divisions, today):
    contract(today, signed_on=today - dt.timedelta(days=5)).full_clean()


def test_a_recusal_cannot_be_assigned_before_it_was_raised(divisions, make_contract, today):
    adviser = AdviserFactory()
    make_contract(adviser, BUZHAI)
    recusal = Recusal(
        adviser=adviser,
        village_id=BUZHAI,
        other_village_id=GONGYI,
        reason="两村土地纠纷",
        raised_on=today,
        assigned_on=today - dt.timedelta(days=2),
    )
    assert "指派日期不能早于" in str(errors_of(recusal).get("assigned_on"))


@pytest.mark.parametrize(
    ("kind", "number", "ok"),
    [
        (Adviser.Kind.LAWYER, "14514201810000101", True),
        (Adviser.Kind.LAWYER, "1", False),
        (Adviser.Kind.LAWYER, "1451420181000010X", False),
        (Adviser.Kind.WORKER, "45140220150001", True),
        (Adviser.Kind.WORKER, "12", False),
    ],
)
def test_practising_certificate_numbers(divisions, kind, number, ok):
    adviser = AdviserFactory.build(kind=kind, licence_no=number, firm=AdviserFactory().firm)
    if ok:
        adviser.full_clean(exclude=["user", "photo"])
    else:
        assert "licence_no" in errors_of(adviser)


def test_practising_since_a_future_year_is_refused(divisions, today):
    adviser = AdviserFactory.build(practising_since=today.year + 73, firm=AdviserFactory().firm)
    assert "practising_since" in errors_of(adviser)


def test_a_training_of_no_length_is_refused_and_never_counts(divisions, make_contract, today):
    adviser = AdviserFactory()
    make_contract(adviser, BUZHAI)
    training = Training(title="业务培训", date=today, hours=Decimal("0"), organiser_id=JIANGZHOU)
    assert "hours" in errors_of(training)
    # One saved before the rule (or by a bulk update) does not count as attended.
    Training.objects.bulk_create([training])
    TrainingAttendance.objects.create(training=Training.objects.get(), adviser=adviser)
    assert compliance.trainings_for(adviser.pk, today.year) == 0
    (row,) = [r for r in compliance.yearly_trainings(JIANGZHOU, today.year) if r.adviser_id == adviser.pk]
    assert row.trainings == 0
