"""factory_boy factories for the programme's records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from advisers.models import Adviser, Firm, LiaisonOfficer, OnSiteSchedule, ServiceRoom


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    name = factory.Sequence(lambda n: f"测试律师事务所{n}")
    kind = Firm.Kind.LAW_FIRM
    office_phone = "0771-7830000"


class AdviserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adviser

    name = factory.Sequence(lambda n: f"测试顾问{n}")
    kind = Adviser.Kind.LAWYER
    licence_no = factory.Sequence(lambda n: f"14514201810{n:06d}")
    firm = factory.SubFactory(FirmFactory)
    mobile = "13800000000"
    mobile_consent = False
    practising_since = 2010


class LiaisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LiaisonOfficer

    name = factory.Sequence(lambda n: f"联络员{n}")
    title = "村委会副主任"
    phone = "13900000000"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceRoom

    name = "村法律服务室"
    has_room = True
    has_publicity_window = True
    has_display_screen = False
    has_bookshelf = True


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnSiteSchedule

    frequency = OnSiteSchedule.Frequency.MONTHLY_WEEKDAY
    weekdays = "3"
    week_ordinals = "1,3"
    start_time = dt.time(9)
    end_time = dt.time(12)
    place = "村委会法律服务室"


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract in force today, saved through the model (its rules run in `save`/`clean`)."""

    class Meta:
        model = "advisers.ServiceContract"

    adviser = factory.SubFactory(AdviserFactory)
    village_id = "451402001201"  # 卜寨村 (tests.conftest.BUZHAI)
    start_date = factory.LazyFunction(lambda: _today() - dt.timedelta(days=30))
    end_date = factory.LazyAttribute(lambda contract: contract.start_date + dt.timedelta(days=364))
    annual_fee = Decimal("3000")
    status = "active"


class LedgerEntryFactory(factory.django.DjangoModelFactory):
    """An off-site hour of work, validated like the adviser's form (`full_clean` before saving)."""

    class Meta:
        model = "ledger.LedgerEntry"

    adviser = factory.SubFactory(AdviserFactory)
    village_id = "451402001201"
    date = factory.LazyFunction(lambda: _today() - dt.timedelta(days=1))
    kind = "consultation"
    on_site = False
    hours = Decimal("1")
    people_served = 1
    summary = "解答村民土地承包咨询。"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        entry = model_class(*args, **kwargs)
        entry.full_clean()
        entry.save()
        return entry


class FeeFilingFactory(factory.Factory):
    """A fee filing filed through the engine (`engine.start`) by an adviser's account (`user`):
    a real process with its review task, history and audit entry."""

    class Meta:
        model = dict  # built by the flow, not by the factory

    village = "451402001201"
    client_type = "villager"
    service_type = "documents"
    service_date = factory.LazyFunction(lambda: _today() - dt.timedelta(days=1))
    hours = Decimal("2")
    description = "代写赡养纠纷起诉状。"
    basis = "waived"
    standard_fee = Decimal("800")
    fee_charged = Decimal("0")
    reduction_reason = "hardship"
    reduction_detail = "低保户"

    @classmethod
    def _create(cls, model_class, *args, user, **fields):
        from workflows import engine
        from workflows.fee_filing.flow import FeeFilingFlow

        fields["village_id"] = fields.pop("village")
        return engine.start(FeeFilingFlow, user, **fields)


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
