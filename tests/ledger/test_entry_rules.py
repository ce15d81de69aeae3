"""Ledger rules hold on the model, whatever saves the entry (not only the admin form)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from ledger.models import LedgerEntry
from ledger.validators import validate_half_hours, validate_no_personal_numbers
from tests.conftest import BUZHAI


def entry(people, today, **kw) -> LedgerEntry:
    values = {
        "adviser": people.adviser,
        "village_id": BUZHAI,
        "date": today,
        "kind": LedgerEntry.Kind.ON_DUTY,
        "hours": Decimal("2"),
        "summary": "驻点值班。",
    }
    values.update(kw)
    return LedgerEntry(**values)


@pytest.mark.parametrize("hours", ["1.3", "0.7", "2.2"])
def test_hours_that_are_not_half_hours_are_refused_on_the_model(people, today, hours):
    with pytest.raises(ValidationError) as caught:
        entry(people, today, hours=Decimal(hours)).full_clean()
    assert "半小时" in str(caught.value.message_dict["hours"])


@pytest.mark.parametrize("hours", ["0.5", "1", "1.5", "12"])
def test_half_hours_are_accepted(people, today, hours):
    entry(people, today, hours=Decimal(hours)).full_clean()


@pytest.mark.parametrize(
    "summary",
    [
        "为村民 45010219800101123X 代写起诉状",
        "联系电话13877112345，已解答",
        "联系电话 138 7711 2345",
        "身份证 450102-19800101-1234",
    ],
)
def test_a_summary_with_an_identity_card_or_mobile_number_is_refused(people, today, summary):
    with pytest.raises(ValidationError) as caught:
        entry(people, today, summary=summary).full_clean()
    assert "不能填写" in str(caught.value.message_dict["summary"])


@pytest.mark.parametrize(
    "summary",
    ["驻点值班，解答土地承包咨询 6 人。", "接待 12 人次，历时 2.5 小时", "案号（2026）桂1402民初1234号"],
)
def test_ordinary_summaries_pass(summary):
    validate_no_personal_numbers(summary)


def test_the_validators_alone():
    with pytest.raises(ValidationError):
        validate_half_hours(Decimal("1.3"))
    validate_half_hours(None)


def test_the_admin_form_shows_the_model_rule(people, today):
    from django.test import Client

    client = Client()
    client.force_login(people.adviser_user)
    response = client.post(
        "/admin/ledger/new/",
        {
            "village": BUZHAI,
            "date": today.isoformat(),
            "kind": "on_duty",
            "on_site": "on",
            "hours": "1.3",
            "people_served": "1",
            "summary": "电话13877112345",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "半小时" in page and "不能填写手机号码" in page
    assert not LedgerEntry.objects.exists()
