"""The renewal flow (续聘) walked through its HTTP views, as the right users, to both ends.

A contract of 卜寨村委会 ends in 40 days; `manage.py workflow_timers` (viewflow's dispatcher, which
runs the flow's daily sweep) starts its renewal. The committee gives its opinion, the rule checks
run and are shown, and the county bureau either renews (the new contract is saved through
`advisers.rules`, with the old schedule) or does not, and then allocates another adviser before
the old contract ends. Another county's bureau gets 404 at every step; a binding rule (the cap)
keeps "renew" off the form.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from viewflow.workflow.status import PROCESS, STATUS

from advisers.models import OnSiteSchedule, ServiceContract
from ledger.models import Training, TrainingAttendance
from tests.conftest import BUZHAI, JIANGZHOU, village_codes
from tests.factories import AdviserFactory
from tests.workflows.people import FUSUI, committee_user, ensure_groups, staff_user
from workflows.engine import BUREAU_HEAD, escalated
from workflows.models import StepRecord
from workflows.renewal import grades, services
from workflows.renewal.flow import RenewalFlow, open_task
from workflows.renewal.models import Renewal

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class Setting:
    """The accounts and the ending contract of these tests."""

    def __init__(self, make_contract, today: dt.date):
        from backoffice.roles import COUNTY_BUREAU

        ensure_groups()
        self.today = today
        self.adviser = AdviserFactory(name="韦续聘")
        self.contract = make_contract(
            self.adviser,
            BUZHAI,
            start_date=today - dt.timedelta(days=325),
            end_date=today + dt.timedelta(days=40),
            annual_fee=Decimal("3000"),
        )
        OnSiteSchedule.objects.create(
            contract=self.contract,
            frequency="weekly",
            weekdays="3",
            start_time=dt.time(9, 0),
            end_time=dt.time(11, 0),
            place="村委会法律服务室",
        )
        self.committee = committee_user("buzhai_committee", BUZHAI)
        self.bureau = staff_user("jiangzhou_bureau", COUNTY_BUREAU, scope=JIANGZHOU)
        self.other_bureau = staff_user("fusui_bureau", COUNTY_BUREAU, scope=FUSUI)
        training = Training.objects.create(
            title="年度业务培训", date=today.replace(month=1, day=15), organiser_id=JIANGZHOU
        )
        TrainingAttendance.objects.create(training=training, adviser=self.adviser)


@pytest.fixture
def setting(divisions, make_contract, today):
    return Setting(make_contract, today)


def other_villages(count: int) -> list[str]:
    """Villages of 太平街道 other than 卜寨."""
    return [code for code in village_codes("451402001", count + 1) if code != BUZHAI][:count]


def run_timers() -> str:
    out = io.StringIO()
    call_command("workflow_timers", stdout=out)
    return out.getvalue()


def claim_and_open(user, renewal, node) -> tuple[Client, object]:
    """What an officer does: find the task in the queue, claim it, open its form."""
    client = as_user(user)
    task = open_task(renewal, node)
    assert task is not None and task.status == STATUS.NEW
    assert f'href="/admin/workflows/tasks/{task.pk}/"' in client.get("/admin/workflows/").content.decode()
    assert client.post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 302
    form = client.get(f"/admin/workflows/tasks/{task.pk}/")
    assert form.status_code == 200
    return client, task


def post(client, task, data) -> None:
    response = client.post(f"/admin/workflows/tasks/{task.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]


def started(setting) -> Renewal:
    assert "process(es) started" in run_timers()
    renewal = Renewal.objects.get(contract=setting.contract)
    assert renewal.reason == Renewal.Reason.DUE and renewal.scope_code == BUZHAI
    assert renewal.adviser == setting.adviser and renewal.state == Renewal.State.COMMITTEE
    return renewal


def give_opinion(setting, renewal, agrees: bool, reasons: str) -> None:
    client, task = claim_and_open(setting.committee, renewal, RenewalFlow.committee)
    page = client.get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    assert "是否同意续聘" in page and "韦续聘" in page
    missing = client.post(f"/admin/workflows/tasks/{task.pk}/", {"agrees": "yes", "reasons": ""})
    assert missing.status_code == 200 and "请填写意见和理由" in missing.content.decode()
    post(client, task, {"agrees": "yes" if agrees else "no", "reasons": reasons})


def test_the_daily_sweep_starts_one_renewal_per_ending_contract(setting, make_contract, today):
    far = make_contract(AdviserFactory(), other_villages(1)[0], end_date=today + dt.timedelta(days=200))
    renewal = started(setting)
    assert not Renewal.objects.filter(contract=far).exists()
    run_timers()
    assert Renewal.objects.filter(contract=setting.contract).count() == 1
    # An assessment's recommendation for the same contract finds the running renewal.
    assert services.start_for(setting.contract, reason=Renewal.Reason.CONTINUE) == renewal
    # The committee's task waits in its queue; the adviser sees the process, another county nothing.
    assert open_task(renewal, RenewalFlow.committee).owner_permission == "renewal.give_opinion_renewal"
    assert as_user(setting.other_bureau).get(f"/admin/workflows/processes/{renewal.pk}/").status_code == 404


def test_renewal_agreed_checked_and_renewed_to_the_end(setting, today):
    renewal = started(setting)
    give_opinion(setting, renewal, True, "顾问按时驻点，群众满意。")
    renewal.refresh_from_db()
    assert renewal.committee_agrees is True and renewal.state == Renewal.State.DECISION
    codes = {c["code"]: c for c in renewal.checks}
    assert codes["cap"]["ok"] and codes["training"]["ok"] and codes["recusals"]["ok"]
    assert codes["assessment"]["ok"] and "暂无年度考核结果" in codes["assessment"]["message"]

    # Another county's bureau: 404 on the process and on the task, and nothing in its lists.
    task = open_task(renewal, RenewalFlow.decide)
    outsider = as_user(setting.other_bureau)
    assert outsider.get(f"/admin/workflows/processes/{renewal.pk}/").status_code == 404
    assert outsider.get(f"/admin/workflows/tasks/{task.pk}/").status_code == 404
    assert outsider.post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 404
    assert f"/admin/workflows/tasks/{task.pk}/" not in outsider.get("/admin/workflows/").content.decode()

    client, task = claim_and_open(setting.bureau, renewal, RenewalFlow.decide)
    page = client.get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    assert "已参加培训 1 次" in page and "村(居)委会同意续聘" in page and "顾问按时驻点" in page
    start, end = (
        setting.contract.end_date + dt.timedelta(days=1),
        setting.contract.end_date.replace(year=setting.contract.end_date.year + 1),
    )
    # A fee below the county standard is refused by advisers.rules, on the form.
    low = client.post(
        f"/admin/workflows/tasks/{task.pk}/",
        {
            "decision": "renew",
            "start_date": start,
            "end_date": end,
            "annual_fee": "2500",
            "copy_schedule": "on",
        },
    )
    assert low.status_code == 200 and "不得低于本县标准" in low.content.decode()
    post(
        client,
        task,
        {
            "decision": "renew",
            "start_date": start,
            "end_date": end,
            "annual_fee": "3200",
            "copy_schedule": "on",
        },
    )

    renewal.refresh_from_db()
    assert renewal.state == Renewal.State.RENEWED and renewal.status == PROCESS.DONE
    new = renewal.successor
    assert new.adviser == setting.adviser and new.village_id == BUZHAI
    assert (new.start_date, new.end_date, new.annual_fee) == (start, end, Decimal("3200"))
    assert new.selection == ServiceContract.Selection.TWO_WAY and new.status == ServiceContract.Status.ACTIVE
    assert [s.describe() for s in new.schedules.all()] == [
        s.describe() for s in setting.contract.schedules.all()
    ]
    actions = list(StepRecord.objects.filter(process_id=renewal.pk).values_list("action", flat=True))
    assert actions == ["started", "claimed", "opinion", "checked", "claimed", "renewed"]
    # The contract no longer counts as ending without a successor: the next sweep starts nothing.
    assert not services.due_contracts().exists()
    village_page = (
        as_user(setting.committee).get(f"/admin/workflows/processes/{renewal.pk}/").content.decode()
    )
    assert "已续聘" in village_page and "3200" in village_page


def test_not_renewed_then_another_adviser_by_two_way_selection(setting, make_contract, today):
    other = AdviserFactory(name="黄新任", firm__county_id=JIANGZHOU)  # registered in the county
    AdviserFactory(name="蒙外县", firm__county_id=FUSUI)  # of another county: not offered
    renewal = started(setting)
    give_opinion(setting, renewal, False, "驻点时间不足，群众反映联系不上。")
    client, task = claim_and_open(setting.bureau, renewal, RenewalFlow.decide)
    page = client.get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    assert "村(居)委会不同意续聘" in page
    missing = client.post(f"/admin/workflows/tasks/{task.pk}/", {"decision": "not_renew", "reasons": ""})
    assert missing.status_code == 200 and "不再续聘须说明理由" in missing.content.decode()
    post(client, task, {"decision": "not_renew", "reasons": "村(居)委会不同意，且驻点不足。"})
    renewal.refresh_from_db()
    assert renewal.state == Renewal.State.REALLOCATION and renewal.successor is None

    # The allocation is the bureau's next task; it needs both sides' agreement for 双向选择.
    realloc = open_task(renewal, RenewalFlow.reallocate)
    assert as_user(setting.other_bureau).get(f"/admin/workflows/tasks/{realloc.pk}/").status_code == 404
    client, realloc = claim_and_open(setting.bureau, renewal, RenewalFlow.reallocate)
    page = client.get(f"/admin/workflows/tasks/{realloc.pk}/").content.decode()
    assert "黄新任" in page and "蒙外县" not in page and f'value="{setting.adviser.pk}"' not in page
    start = setting.contract.end_date + dt.timedelta(days=1)
    end = start + dt.timedelta(days=364)
    data = {
        "adviser": other.pk,
        "selection": "two_way",
        "start_date": start,
        "end_date": end,
        "annual_fee": "3000",
    }
    refused = client.post(f"/admin/workflows/tasks/{realloc.pk}/", data)
    assert refused.status_code == 200 and "双向选择须村(居)委会和律师事务所均同意" in refused.content.decode()
    late = client.post(
        f"/admin/workflows/tasks/{realloc.pk}/",
        {**data, "committee_agreed": "on", "firm_agreed": "on", "start_date": start + dt.timedelta(days=10)},
    )
    assert late.status_code == 200 and "村(社区)不能没有法律顾问" in late.content.decode()
    post(client, realloc, {**data, "committee_agreed": "on", "firm_agreed": "on"})

    renewal.refresh_from_db()
    assert renewal.state == Renewal.State.REALLOCATED and renewal.status == PROCESS.DONE
    assert renewal.committee_agreed_successor and renewal.firm_agreed_successor
    new = renewal.successor
    assert new.adviser == other and new.selection == ServiceContract.Selection.TWO_WAY
    assert new.start_date == start and not new.schedules.exists()
    steps = StepRecord.objects.filter(process_id=renewal.pk)
    assert steps.filter(action="not_renewed", reason__contains="驻点不足").exists()
    assert steps.filter(action="reallocated", reason__contains="黄新任").exists()


def test_a_binding_rule_keeps_renew_off_the_form(setting, make_contract, today):
    """An adviser already at the cap for the next period, or graded 不合格, cannot be renewed."""
    start = setting.contract.end_date + dt.timedelta(days=1)
    for code in other_villages(5):
        make_contract(setting.adviser, code, start_date=start, end_date=start + dt.timedelta(days=300))
    renewal = started(setting)
    give_opinion(setting, renewal, True, "同意。")
    renewal.refresh_from_db()
    assert not renewal.may_renew
    assert any("上限" in c["message"] for c in renewal.blocking_checks)
    client, task = claim_and_open(setting.bureau, renewal, RenewalFlow.decide)
    page = client.get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    assert "规则核查未通过" in page
    forced = client.post(
        f"/admin/workflows/tasks/{task.pk}/",
        {
            "decision": "renew",
            "start_date": start,
            "end_date": start + dt.timedelta(days=364),
            "annual_fee": "3000",
        },
    )
    assert forced.status_code == 200
    renewal.refresh_from_db()
    assert renewal.successor is None and renewal.state == Renewal.State.DECISION


def test_an_assessment_graded_failed_blocks_renewal(setting):
    """The assessment tells its grade through `grades`; 不合格 is binding."""

    def failed(contract, year):
        return grades.Result(grade="不合格", failed=True) if contract.pk == setting.contract.pk else None

    grades.register(failed)
    try:
        renewal = services.start_for(setting.contract, reason=Renewal.Reason.CONTINUE)
        assert renewal.reason == Renewal.Reason.CONTINUE
        give_opinion(setting, renewal, True, "同意。")
        renewal.refresh_from_db()
        assessment = next(c for c in renewal.checks if c["code"] == "assessment")
        assert not assessment["ok"] and "不合格" in assessment["message"] and not renewal.may_renew
    finally:
        grades.unregister(failed)


def test_a_renewal_still_open_on_the_last_day_is_escalated(setting, today):
    """The time limit of every step is the old contract's last day; the engine escalates it."""
    head = staff_user("jiangzhou_head", "县(市、区)司法局", BUREAU_HEAD, scope=JIANGZHOU)
    renewal = started(setting)
    task = open_task(renewal, RenewalFlow.committee)
    assert not escalated(head).filter(pk=task.pk).exists()
    last_day = timezone.make_aware(dt.datetime.combine(setting.contract.end_date, dt.time(9, 0)))
    with time_machine.travel(last_day, tick=False):
        run_timers()
    step = StepRecord.objects.get(process_id=renewal.pk, action="escalated")
    assert step.task_id == task.pk
    assert escalated(head).filter(pk=task.pk).exists()
    assert not escalated(setting.bureau).exists()  # only for the bureau head


def test_started_from_code_by_a_bureau_officer_and_refused_to_others(setting):
    """What the assessment's recommendation does: `start_for` with the officer's account."""
    with pytest.raises(PermissionError):
        services.start_for(setting.contract, reason=Renewal.Reason.REWARD, user=setting.committee)
    with pytest.raises(PermissionError):  # another county's bureau: outside its scope
        services.start_for(setting.contract, reason=Renewal.Reason.REWARD, user=setting.other_bureau)
    assert not Renewal.objects.exists()
    renewal = services.start_for(setting.contract, reason=Renewal.Reason.REWARD, user=setting.bureau)
    assert renewal.reason == Renewal.Reason.REWARD and renewal.created_by == setting.bureau
    step = StepRecord.objects.get(process_id=renewal.pk)
    assert step.action == "started" and step.actor == setting.bureau


def test_the_head_takes_over_an_overdue_committee_step(setting):
    head = staff_user("jiangzhou_head", "县(市、区)司法局", BUREAU_HEAD, scope=JIANGZHOU)
    renewal = started(setting)
    task = open_task(renewal, RenewalFlow.committee)
    client = as_user(head)
    assert client.post(f"/admin/workflows/tasks/{task.pk}/take-over/").status_code == 302
    post(client, task, {"agrees": "yes", "reasons": "据村(居)委会书面意见：同意续聘。"})
    renewal.refresh_from_db()
    assert renewal.committee_by == head and renewal.state == Renewal.State.DECISION
