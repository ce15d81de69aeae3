"""Which cached public pages a change of the programme's records touches.

A contract, liaison officer, service room, recusal or on-site schedule belongs to a village; a
county's settings to a county: each bumps that division's change tags (``places.pagecache``),
which reach the village page, its township, county and wider listings and the directory API. An
adviser, firm or specialty change bumps ``adviser:<id>`` (the adviser's page) and the villages the
adviser serves or served — the village page shows name, photo, firm and the phone that the
adviser's consent to publish the mobile decides (PIPL art. 25).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

import pagecache
from places.pagecache import changes_tags

from .models import (
    Adviser,
    CountyBureau,
    Firm,
    LiaisonOfficer,
    OnSiteSchedule,
    Recusal,
    ServiceContract,
    ServiceRoom,
    Specialty,
)

# Any adviser changed: pages that print advisers of anywhere (lecture lists, search results).
ADVISERS = "advisers"


def adviser_tag(adviser_id) -> str:
    return f"adviser:{adviser_id}"


def bump_advisers(adviser_ids: Iterable[int]) -> None:
    ids = {i for i in adviser_ids if i}
    if not ids:
        return
    villages = ServiceContract.objects.filter(adviser_id__in=ids).values_list("village_id", flat=True)
    pagecache.bump(ADVISERS, *(adviser_tag(i) for i in ids), *changes_tags(set(villages)))


# What each model's rows belong to: fields naming a division, and fields naming an adviser.
PLACE_FIELDS = {
    ServiceContract: (("village_id",), ("adviser_id",)),
    LiaisonOfficer: (("village_id",), ()),
    ServiceRoom: (("village_id",), ()),
    CountyBureau: (("county_id",), ()),
    Recusal: (("village_id", "other_village_id"), ("adviser_id", "substitute_id")),
}


def _fields(model) -> tuple[str, ...]:
    places, advisers = PLACE_FIELDS[model]
    return (*places, *advisers)


def _tags_of(model, values: dict) -> list[str]:
    places, advisers = PLACE_FIELDS[model]
    tags = list(changes_tags(values[f] for f in places if values.get(f)))
    return tags + [adviser_tag(values[f]) for f in advisers if values.get(f)]


def remember_before(sender, instance, raw: bool = False, **kwargs) -> None:
    """Keep the village (and adviser) a row had, so that moving it refreshes both pages."""
    if instance.pk and not raw:
        instance._pagecache_before = sender.objects.filter(pk=instance.pk).values(*_fields(sender)).first()


def placed_changed(sender, instance, **kwargs) -> None:
    now = {f: getattr(instance, f) for f in _fields(sender)}
    before = getattr(instance, "_pagecache_before", None) or {}
    pagecache.bump(*_tags_of(sender, now), *_tags_of(sender, before))


def schedule_changed(sender, instance: OnSiteSchedule, **kwargs) -> None:
    row = ServiceContract.objects.filter(pk=instance.contract_id).values("village_id", "adviser_id").first()
    if row:  # gone with its contract, whose own deletion bumped the same pages
        pagecache.bump(*_tags_of(ServiceContract, row))


def adviser_changed(sender, instance: Adviser, **kwargs) -> None:
    bump_advisers([instance.pk])


def specialties_changed(sender, instance, action: str, pk_set=None, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if isinstance(instance, Adviser):
        bump_advisers([instance.pk])
    else:  # changed from the specialty's side
        bump_advisers(pk_set or [])


def specialty_changed(sender, instance: Specialty, **kwargs) -> None:
    bump_advisers(Adviser.objects.filter(specialties=instance).values_list("pk", flat=True))


def firm_changed(sender, instance: Firm, **kwargs) -> None:
    bump_advisers(Adviser.objects.filter(firm_id=instance.pk).values_list("pk", flat=True))


def connect() -> None:
    uid = "advisers_pagecache"
    for model in PLACE_FIELDS:
        name = model._meta.model_name
        pre_save.connect(remember_before, sender=model, dispatch_uid=f"{uid}_{name}_pre")
        post_save.connect(placed_changed, sender=model, dispatch_uid=f"{uid}_{name}_save")
        post_delete.connect(placed_changed, sender=model, dispatch_uid=f"{uid}_{name}_delete")
    post_save.connect(schedule_changed, sender=OnSiteSchedule, dispatch_uid=f"{uid}_schedule_save")
    post_delete.connect(schedule_changed, sender=OnSiteSchedule, dispatch_uid=f"{uid}_schedule_delete")
    post_save.connect(adviser_changed, sender=Adviser, dispatch_uid=f"{uid}_adviser_save")
    post_delete.connect(adviser_changed, sender=Adviser, dispatch_uid=f"{uid}_adviser_delete")
    m2m_changed.connect(
        specialties_changed, sender=Adviser.specialties.through, dispatch_uid=f"{uid}_specialties"
    )
    post_save.connect(specialty_changed, sender=Specialty, dispatch_uid=f"{uid}_specialty_save")
    post_save.connect(firm_changed, sender=Firm, dispatch_uid=f"{uid}_firm_save")
    post_delete.connect(firm_changed, sender=Firm, dispatch_uid=f"{uid}_firm_delete")
