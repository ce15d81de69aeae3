"""A bureau decision's rules hold when it is taken from code (`services.decide`), not only in the
review form: a reason for every decision but approval, and a ledger entry that can be saved before
an approval or a referral is recorded."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ledger.models import LedgerEntry
from tests.workflows.people import filing_data
from workflows.fee_filing import services
from workflows.fee_filing.flow import open_review_task
from workflows.fee_filing.models import FeeFiling
from workflows.models import StepRecord

NEW = "/admin/workflows/fee-filings/new/"


def filed(people, today) -> FeeFiling:
    client = Client()
    client.force_login(people.adviser_user)
    assert client.post(NEW, filing_data(today)).status_code == 302
    return FeeFiling.objects.latest("pk")


@pytest.mark.parametrize("decision", [services.RETURN, services.REJECT, services.REFER])
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_without_a_reason_is_refused_from_code(people, today, decision, reason):
    filing = filed(people, today)
    task = open_review_task(filing)
    with pytest.raises(ValidationError) as caught:
        services.decide(people.bureau, task.pk, decision, reason)
    assert "请填写理由" in str(caught.value)
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.SUBMITTED
    decided = StepRecord.objects.filter(process=filing).exclude(action__in=["submitted", "claimed"])
    assert not decided.exists()


def test_an_approval_needs_no_reason(people, today):
    filing = filed(people, today)
    services.decide(people.bureau, open_review_task(filing).pk, services.APPROVE)
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.APPROVED
    assert LedgerEntry.objects.filter(fee_filing=filing).exists()


@pytest.mark.parametrize("decision", [services.APPROVE, services.REFER])
def test_a_filing_whose_ledger_entry_is_invalid_is_neither_approved_nor_referred(people, today, decision):
    filing = filed(people, today)
    # Data saved before the half-hour rule reached the model: the ledger entry would be refused.
    FeeFiling.objects.filter(pk=filing.pk).update(hours=Decimal("1.3"))
    task = open_review_task(filing)
    with pytest.raises(ValidationError) as caught:
        services.decide(people.bureau, task.pk, decision, "符合法律援助条件")
    assert "无法记入工作台账" in str(caught.value)
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.SUBMITTED
    assert not LedgerEntry.objects.exists()


def test_the_referral_form_shows_the_ledger_problem_instead_of_a_500(people, today):
    filing = filed(people, today)
    FeeFiling.objects.filter(pk=filing.pk).update(hours=Decimal("1.3"))
    task = open_review_task(filing)
    client = Client()
    client.force_login(people.bureau)
    assert client.post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 302
    response = client.post(
        f"/admin/workflows/tasks/{task.pk}/", {"decision": services.REFER, "reason": "符合法律援助条件"}
    )
    assert response.status_code == 200
    assert "无法记入工作台账" in response.content.decode()
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.SUBMITTED
