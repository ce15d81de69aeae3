"""A contract file may carry ended contracts: 已解除 with its 解除日期 and 解除原因, as in the admin."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from advisers.models import ServiceContract
from tests.conftest import TAIPING, village_codes

from .test_import import CONTRACT_HEADINGS, adviser, bureau, contract_row, csv_bytes, latest_batch, upload

__all__ = ["adviser", "bureau"]  # fixtures shared with test_import

Y = 2025


def test_an_ended_contract_is_imported_with_its_date_and_reason(client, bureau, adviser):
    village = village_codes(TAIPING, 1)[0]
    ended = contract_row(
        village,
        adviser.licence_no,
        f"{Y}-01-01",
        f"{Y}-12-31",
        **{"状态": "已解除", "解除日期": f"{Y}-06-30", "解除原因": "顾问调离本县"},
    )
    client.force_login(bureau)
    upload(client, "contracts", "合同.csv", csv_bytes(CONTRACT_HEADINGS, [ended]))
    batch = latest_batch()
    assert batch.errors == []
    assert client.post(reverse("backoffice_import_commit", args=[batch.pk])).status_code == 302
    contract = ServiceContract.objects.get(village_id=village)
    assert contract.status == ServiceContract.Status.TERMINATED
    assert contract.terminated_on == dt.date(Y, 6, 30) and contract.termination_reason == "顾问调离本县"
    assert contract.is_in_force(dt.date(Y, 6, 30)) and not contract.is_in_force(dt.date(Y, 7, 1))


def test_an_ended_contract_without_a_date_is_a_row_error(client, bureau, adviser):
    village = village_codes(TAIPING, 1)[0]
    row = contract_row(village, adviser.licence_no, f"{Y}-01-01", f"{Y}-12-31", **{"状态": "已解除"})
    client.force_login(bureau)
    upload(client, "contracts", "合同.csv", csv_bytes(CONTRACT_HEADINGS, [row]))
    errors = " ".join(str(e) for e in latest_batch().errors)
    assert "解除日期" in errors and "解除原因" in errors
    assert not ServiceContract.objects.filter(village_id=village).exists()
