"""The fee filing's and the ledger's rules hold when called from code, not only through forms.

A decision other than approval needs a reason (declared on the flow, checked by the service and
the engine's `execute`); hours are whole or half hours on the filing and on the ledger entry.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from viewflow.workflow.status import STATUS

from ledger.models import LedgerEntry
from tests.factories import FeeFilingFactory, LedgerEntryFactory
from workflows import engine
from workflows.fee_filing import services
from workflows.fee_filing.flow import FeeFilingFlow, open_review_task
from workflows.fee_filing.models import FeeFiling
from workflows.models import StepRecord


@pytest.mark.parametrize("decision", [services.RETURN, services.REJECT, services.REFER])
def test_the_flow_refuses_a_decision_without_a_reason(decision):
    with pytest.raises(ValidationError) as caught:
        FeeFilingFlow.check_decision("review", decision, " \n ")
    assert caught.value.message_dict == {"reason": ["请填写理由。"]}
    assert FeeFilingFlow.check_decision("review", services.APPROVE, "")[1] == ""
    with pytest.raises(ValidationError):
        FeeFilingFlow.check_decision("review", "shrug", "理由")


def test_executing_a_rejection_without_a_reason_changes_nothing(people, fee_filing):
    task = open_review_task(fee_filing)
    with pytest.raises(ValidationError):
        engine.execute(people.bureau, task.pk, decision=services.REJECT, reason="")
    task.refresh_from_db()
    fee_filing.refresh_from_db()
    # Not even the claim that preceded it: one transaction under the process lock.
    assert task.status == STATUS.NEW and task.owner is None
    assert fee_filing.state == FeeFiling.State.SUBMITTED
    assert list(StepRecord.objects.filter(process=fee_filing).values_list("action", flat=True)) == [
        "submitted"
    ]


def test_a_filing_of_1_3_hours_is_refused_from_code(people):
    before = FeeFiling.objects.count()
    with pytest.raises(ValidationError) as caught:
        FeeFilingFactory(user=people.adviser_user, hours=Decimal("1.3"))
    assert "hours" in caught.value.message_dict
    assert FeeFiling.objects.count() == before


def test_a_correction_to_1_3_hours_is_refused_from_code(people, fee_filing):
    services.decide(people.bureau, open_review_task(fee_filing).pk, services.RETURN, "请核对服务时长。")
    correct = FeeFilingFlow.task_class.objects.get(process=fee_filing, flow_task=FeeFilingFlow.correct)
    with pytest.raises(ValidationError) as caught:
        services.correct(people.adviser_user, correct.pk, services.RESUBMIT, "已修改", hours=Decimal("1.3"))
    assert "hours" in caught.value.message_dict
    fee_filing.refresh_from_db()
    assert fee_filing.hours == Decimal("2") and fee_filing.state == FeeFiling.State.RETURNED


def test_a_ledger_entry_of_1_3_hours_is_refused_outside_its_form(people):
    with pytest.raises(ValidationError) as caught:
        LedgerEntryFactory(adviser=people.adviser, hours=Decimal("1.3"))
    assert "hours" in caught.value.message_dict
    assert not LedgerEntry.objects.exists()


def test_an_approved_filing_is_the_ledger_entrys_locked_source(people, fee_filing, ledger_entry):
    approved = services.decide(people.bureau, open_review_task(fee_filing).pk, services.APPROVE)
    entry = LedgerEntry.objects.get(pk=approved.ledger_entry_id)
    assert entry.source == "fee_filing" and entry.is_locked
    # An entry the adviser typed has no source and stays editable.
    assert ledger_entry.source == "" and not ledger_entry.is_locked
