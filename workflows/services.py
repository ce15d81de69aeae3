"""Business rules of the fee filing that more than one entry point uses (flow, views, demo)."""

from __future__ import annotations

from django.utils.translation import gettext

from ledger.models import LedgerEntry

from .models import FeeFiling

LEDGER_KIND = {
    FeeFiling.ServiceType.DOCUMENTS: LedgerEntry.Kind.DOCUMENTS,
    FeeFiling.ServiceType.LITIGATION: LedgerEntry.Kind.LITIGATION,
}


def ledger_entry_for(filing: FeeFiling) -> LedgerEntry:
    """The (unsaved) ledger entry an approved filing becomes.

    Paid or fee-reduced services are recorded off site: they count as work done for the village
    but not towards the free on-site hours the contract requires, so they need no confirmation.
    """
    summary = gettext(
        "收费/减免备案 #%(pk)s：%(service)s，%(basis)s（实收 %(charged)s 元，标准 %(standard)s 元）。%(text)s"
    ) % {
        "pk": filing.pk,
        "service": filing.get_service_type_display(),
        "basis": filing.get_basis_display(),
        "charged": filing.fee_charged,
        "standard": filing.standard_fee,
        "text": filing.description,
    }
    return LedgerEntry(
        adviser_id=filing.adviser_id,
        village_id=filing.village_id,
        date=filing.service_date,
        kind=LEDGER_KIND.get(filing.service_type, LedgerEntry.Kind.OTHER),
        on_site=False,
        hours=filing.hours,
        people_served=1 if filing.client_type == FeeFiling.ClientType.VILLAGER else 0,
        summary=summary[:1000],
        created_by_id=filing.created_by_id,
        is_demo=filing.is_demo,
    )
