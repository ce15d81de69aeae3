"""A recorded lecture creates its ledger entry (法制讲座: at least 1 per village per year, 三(一)).

Whenever a lecture is saved as held (with its attendance), its entry is created or brought up to
date; when it is no longer held (cancelled, or put back to scheduled), the entry goes, unless
the village committee had already confirmed it — then it stays, and the change is logged for the
bureau to look at. Only what the policy counts is recorded:

- the lecture is in a village (a township-wide lecture cannot be attributed to one village);
- the speaker is an adviser serving that village on the day (a guest speaker's lecture is not the
  adviser's work).

A lecture recorded by the village's own committee account is confirmed at once; any other
recorder (the bureau, the adviser) leaves it for the committee to confirm like other on-site work.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from advisers.models import LiaisonOfficer
from places import codes

from .models import MAX_HOURS_PER_ENTRY, LedgerEntry

logger = logging.getLogger(__name__)

HALF = Decimal("0.5")


def lecture_hours(minutes: int) -> Decimal:
    """Duration rounded to the ledger's half hours, within the ledger's bounds."""
    hours = (Decimal(minutes) / 60 / HALF).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * HALF
    return min(max(hours, HALF), MAX_HOURS_PER_ENTRY)


def _recorded_by_committee(lecture) -> bool:
    return bool(
        lecture.recorded_by_id
        and LiaisonOfficer.objects.filter(
            user_id=lecture.recorded_by_id, village_id=lecture.place_id, is_active=True
        ).exists()
    )


def counts(lecture) -> bool:
    """Held (with its attendance), in a village, by an adviser."""
    held = lecture.status == lecture.Status.HELD and lecture.attendance is not None
    return bool(held and lecture.speaker_id and codes.level_of(lecture.place_id) == codes.VILLAGE)


def entry_values(lecture) -> dict:
    """The ledger entry's fields for a lecture that counts."""
    return {
        "adviser_id": lecture.speaker_id,
        "village_id": lecture.place_id,
        "date": timezone.localtime(lecture.starts_at).date(),
        "kind": LedgerEntry.Kind.LECTURE,
        "on_site": True,
        "hours": lecture_hours(lecture.duration_minutes),
        "people_served": lecture.attendance or 0,
        "summary": f"法制讲座：{lecture.topic}。{lecture.summary}"[:1000],
        "is_demo": lecture.is_demo,
    }


def sync_lecture_entry(lecture) -> LedgerEntry | None:
    """Create, update or remove the ledger entry of one lecture; returns the entry kept, if any."""
    entry = LedgerEntry.objects.filter(lecture=lecture).first()
    if not counts(lecture):
        if entry is not None:
            if entry.confirmation == LedgerEntry.Confirmation.CONFIRMED:
                logger.warning(
                    "ledger: lecture %s no longer counts but its entry %s was confirmed; kept",
                    lecture.pk,
                    entry.pk,
                )
                return entry
            entry.delete()
        return None

    values = entry_values(lecture)
    if entry is None:
        entry = LedgerEntry(lecture=lecture, created_by_id=lecture.recorded_by_id, **values)
    else:
        changed = any(getattr(entry, field) != value for field, value in values.items())
        if not changed:
            return entry
        for field, value in values.items():
            setattr(entry, field, value)
        # Changed facts need the committee's confirmation again.
        entry.confirmation = LedgerEntry.Confirmation.PENDING
        entry.confirmed_by_id = entry.confirmed_at = None
        entry.dispute_reason = ""
    if _recorded_by_committee(lecture):
        entry.confirmation = LedgerEntry.Confirmation.CONFIRMED
        entry.confirmed_by_id = lecture.recorded_by_id
        entry.confirmed_at = lecture.recorded_at or timezone.now()
    try:
        entry.full_clean(exclude=["lecture"])
    except ValidationError as exc:
        # E.g. the speaker had no contract with the village that day: the lecture stands, but it
        # is not this adviser's work for this village. Logged without personal data.
        logger.info("ledger: lecture %s not entered in the ledger: %s", lecture.pk, "; ".join(exc.messages))
        if entry.pk:
            entry.delete()
        return None
    with transaction.atomic():
        entry.save()
    return entry


def on_lecture_saved(sender, instance, raw: bool = False, **kwargs) -> None:
    """post_save receiver for content.Lecture (fixtures loaded raw are left alone)."""
    if raw:
        return
    sync_lecture_entry(instance)


def on_lecture_deleted(sender, instance, **kwargs) -> None:
    """pre_delete receiver: a deleted lecture takes its unconfirmed entry with it."""
    LedgerEntry.objects.filter(lecture=instance).exclude(
        confirmation=LedgerEntry.Confirmation.CONFIRMED
    ).delete()
