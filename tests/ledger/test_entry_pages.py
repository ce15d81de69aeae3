"""Ledger entry pages that real data reaches: entries confirmed without a recorded confirming user
(demo data, deactivated committee accounts) and the list's place filter with its exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone

from ledger.models import LedgerEntry
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING

from .test_backoffice import make_entry


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_confirmed_entry_without_a_recorded_confirmer_opens(people, today):
    entry = make_entry(people, today)
    LedgerEntry.objects.filter(pk=entry.pk).update(
        confirmation=LedgerEntry.Confirmation.CONFIRMED, confirmed_by=None, confirmed_at=timezone.now()
    )
    page = as_user(people.bureau).get(f"/admin/ledger/{entry.pk}/")
    assert page.status_code == 200
    assert "确认人未记录" in page.content.decode()


def test_a_disputed_entry_of_a_deactivated_committee_opens(people, today):
    entry = make_entry(people, today)
    entry.dispute(people.committee, "当天未见到顾问")
    people.committee.is_active = False
    people.committee.save(update_fields=["is_active"])
    page = as_user(people.adviser_user).get(f"/admin/ledger/{entry.pk}/")
    assert page.status_code == 200
    assert "当天未见到顾问" in page.content.decode()


@pytest.mark.parametrize("place", [BUZHAI, TAIPING, JIANGZHOU, "45"])
def test_the_place_filter_narrows_the_list_and_its_export(people, today, place):
    make_entry(people, today)
    bureau = as_user(people.bureau)
    listing = bureau.get("/admin/ledger/", {"place": place})
    assert listing.status_code == 200
    assert "卜寨" in listing.content.decode()
    export = bureau.get("/admin/ledger/", {"place": place, "export": "csv"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == [BUZHAI]


def test_the_place_filter_excludes_other_places(people, today):
    make_entry(people, today)
    listing = as_user(people.bureau).get("/admin/ledger/", {"place": "451402001202"})
    assert listing.status_code == 200
    assert f"/admin/ledger/{LedgerEntry.objects.get().pk}/" not in listing.content.decode()


def test_the_export_is_not_cut_at_a_row_limit(people, today):
    """Every row is exported: the old export stopped silently at 20,000 (a city has ~35,000)."""
    from openpyxl import load_workbook

    count = 20_050
    template = make_entry(people, today, on_site=False, kind=LedgerEntry.Kind.CONSULTATION)
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(
                adviser=template.adviser,
                village_id=template.village_id,
                date=template.date,
                kind=template.kind,
                on_site=False,
                confirmation=LedgerEntry.Confirmation.NOT_NEEDED,
                hours=template.hours,
                summary=template.summary,
            )
            for _ in range(count - 1)
        ],
        batch_size=2000,
    )
    bureau = as_user(people.bureau)
    export = bureau.get("/admin/ledger/", {"export": "csv"})
    assert export.streaming
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1 + count
    xlsx = bureau.get("/admin/ledger/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    assert sum(1 for _ in sheet.iter_rows(values_only=True)) == 1 + count
