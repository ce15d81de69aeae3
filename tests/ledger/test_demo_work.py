"""The demo's year of work: valid ledger rows, most villages compliant, fee filings in every state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from viewflow.workflow.status import PROCESS

from advisers.models import CountyBureau
from demo import work
from ledger import compliance
from ledger.models import LedgerEntry, Training
from tests.conftest import BUZHAI, JIANGZHOU, TAIPING, village_codes
from tests.factories import AdviserFactory
from tests.workflows.people import adviser_user, ensure_groups, staff_user
from workflows.engine import BUREAU_HEAD
from workflows.fee_filing.models import FeeFiling
from workflows.models import StepRecord


@pytest.fixture
def demo_world(divisions, make_contract, today):
    """Six villages of 太平街道 with demo advisers; 卜寨's adviser and the bureau have accounts."""
    from backoffice.roles import COUNTY_BUREAU

    ensure_groups()
    CountyBureau.objects.create(county_id=JIANGZHOU, name="江州区司法局")
    start = today - dt.timedelta(days=500)
    buzhai = AdviserFactory(name="韦卜寨", is_demo=True)
    make_contract(buzhai, BUZHAI, start_date=start, end_date=today + dt.timedelta(days=200))
    others = [code for code in village_codes(TAIPING, 7) if code != BUZHAI][:5]
    adviser = None
    for index, code in enumerate(others):
        if index % 2 == 0:  # an adviser for two villages at a time
            adviser = AdviserFactory(is_demo=True)
        make_contract(
            adviser,
            code,
            start_date=start + dt.timedelta(days=30 * index),
            end_date=today + dt.timedelta(days=200),
        )
    adviser_user("buzhai_adviser", buzhai)
    staff_user("jiangzhou_bureau", COUNTY_BUREAU, scope=JIANGZHOU)
    return [BUZHAI, *others]


def test_demo_work_is_valid_plausible_and_idempotent(demo_world, today):
    messages = list(work.load_work())
    assert any("Ledger:" in m for m in messages) and any("Fee filings" in m for m in messages)

    entries = LedgerEntry.objects.filter(is_demo=True)
    assert entries.count() > 6 * 12 * 2
    for entry in entries.order_by("?")[:200]:
        try:
            entry.full_clean()
        except ValidationError as exc:  # pragma: no cover -- the message says which rule
            pytest.fail(f"invalid demo entry {entry}: {exc.messages}")

    year, month = compliance.previous_month(today.year, today.month)
    last_month = [r for r in compliance.monthly_hours(TAIPING, year, month) if r.applicable]
    assert len(last_month) == 6
    assert next(r for r in last_month if r.code == BUZHAI).meets  # the demo village is steady
    assert sum(r.meets for r in last_month) >= 3
    assert Training.objects.filter(is_demo=True).exists()

    states = set(FeeFiling.objects.filter(is_demo=True).values_list("state", flat=True))
    assert states == {s.value for s in FeeFiling.State}
    for filing in FeeFiling.objects.filter(state=FeeFiling.State.APPROVED):
        assert filing.ledger_entry is not None and filing.status == PROCESS.DONE
    escalated = StepRecord.objects.get(action="escalated")
    assert FeeFiling.objects.get(pk=escalated.process_id).state == FeeFiling.State.SUBMITTED
    head = get_user_model().objects.get(username=work.HEAD_USERNAME)
    assert head.groups.filter(name=BUREAU_HEAD).exists()

    before = (LedgerEntry.objects.count(), FeeFiling.objects.count(), Training.objects.count())
    assert list(work.load_work()) == ["Demo ledger already loaded; nothing to do."]
    assert (LedgerEntry.objects.count(), FeeFiling.objects.count(), Training.objects.count()) == before
