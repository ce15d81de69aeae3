"""factory_boy factories for the programme's records."""

from __future__ import annotations

import datetime as dt

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
