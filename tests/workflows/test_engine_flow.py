"""A flow from the engine alone (tests/workflows/throwaway/), walked through on a real database.

核对清单: started from code (singly and in bulk, scoped), one human check in the county's queue
with a time limit in working days (a per-county setting), escalation to the bureau head by the
real `workflow_timers` command, the check done from code (`engine.execute`), the end. A bulk start
of 200 processes that fails at the 150th leaves no process, task, step record or audit entry.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from backoffice.models import ProgrammeLogEntry
from tests.conftest import BUZHAI, village_codes
from tests.workflows.people import FUSUI
from tests.workflows.throwaway.flow import ChecklistFlow
from workflows import engine, workdays
from workflows.models import ScopedProcess, StepRecord

TAIPING = "451402001"


@pytest.fixture
def checker(people):
    """The county officer: the bureau role plus the check's permission (the node's `Permission`)."""
    people.bureau.user_permissions.add(
        Permission.objects.get(content_type__app_label="workflows", codename="manage_scopedprocess")
    )
    return people.bureau


def counts() -> tuple[int, int, int, int]:
    return (
        ScopedProcess.objects.filter(flow_class=ChecklistFlow).count(),
        Task.objects.filter(process__flow_class=ChecklistFlow).count(),
        StepRecord.objects.count(),
        ProgrammeLogEntry.objects.filter(action__startswith="workflows.").count(),
    )


def check_task(process) -> Task:
    return Task.objects.get(process=process, flow_task=ChecklistFlow.check)


def test_the_flow_declares_what_the_engine_reads():
    assert ChecklistFlow in engine.registered_flows()
    assert engine.flow_by_label(ChecklistFlow.instance.flow_label) is ChecklistFlow
    assert ChecklistFlow.step_actions()["found_wrong"] == "核对有误"
    assert {"claimed", "released", "escalated", "opened", "checked"} <= set(ChecklistFlow.step_actions())
    assert ChecklistFlow.decision_choices("check") == [("ok", "无误"), ("wrong", "有误")]
    assert engine.start_url(ChecklistFlow) == ""  # started from code only: no start page


def test_start_a_check_do_it_late_after_the_escalation_and_end(
    people, checker, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.THROWAWAY_CHECK_DAYS = 4
    settings.THROWAWAY_CHECK_DAYS_BY_COUNTY = {"451402": 3}  # 江州区 sets its own limit
    started_at = dt.datetime(2026, 12, 4, 15, 0, tzinfo=dt.UTC)  # a Friday
    with time_machine.travel(started_at, tick=False):
        process = engine.start(ChecklistFlow, people.head, village=BUZHAI)

    assert process.created_by == people.head and process.scope_code == BUZHAI
    opened = StepRecord.objects.get(process=process)
    assert (opened.action, opened.actor, opened.get_action_display()) == ("opened", people.head, "发起核对")
    assert ProgrammeLogEntry.objects.filter(action="workflows.opened", object_id=str(process.pk)).exists()

    task = check_task(process)
    assert task.status == STATUS.NEW and task.owner_permission == "workflows.manage_scopedprocess"
    # Scoped: the county's officer finds it in the queue; another county's does not see it at all.
    assert engine.queue(checker).filter(pk=task.pk).exists()
    assert not engine.visible_processes(people.other_bureau).filter(pk=process.pk).exists()
    assert not engine.visible_tasks(people.other_bureau).filter(pk=task.pk).exists()
    with pytest.raises(PermissionError):
        engine.execute(people.other_bureau, task.pk, decision="ok")

    # The time limit: 3 working days (the county's), the weekend not counted.
    timer = Task.objects.get(previous=task, flow_task_type="TIMER")
    assert timer.scheduled == workdays.deadline_after(started_at, 3)
    assert timezone_date(timer.scheduled) == dt.date(2026, 12, 9)

    with time_machine.travel(timer.scheduled + dt.timedelta(minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("workflow_timers", stdout=io.StringIO())
    escalation = StepRecord.objects.get(process=process, action="escalated")
    assert escalation.actor is None and escalation.task_id == task.pk and escalation.details["due"]
    assert engine.escalated(people.head).filter(pk=task.pk).exists()
    assert [message.to for message in mail.outbox] == [["head@example.invalid"]]
    assert mail.outbox[0].subject == f"【超期督办】核对清单 #{process.pk} 已超过办理时限"
    assert f"/admin/workflows/tasks/{task.pk}/" in mail.outbox[0].body

    # The decision's declared rule holds from code: "wrong" needs a reason; nothing is recorded.
    with pytest.raises(ValidationError) as refused:
        engine.execute(checker, task.pk, decision="wrong", reason="  ")
    assert "请填写理由" in str(refused.value)
    task.refresh_from_db()
    assert task.status == STATUS.NEW and not StepRecord.objects.filter(action="found_wrong").exists()

    engine.execute(checker, task.pk, decision="ok")
    process.refresh_from_db()
    task.refresh_from_db()
    assert process.status == PROCESS.DONE and task.status == STATUS.DONE and task.owner == checker
    actions = list(StepRecord.objects.filter(process=process).order_by("pk").values_list("action", flat=True))
    assert actions == ["opened", "escalated", "claimed", "checked"]


def timezone_date(moment: dt.datetime) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(moment).date()


def test_a_process_outside_the_users_scope_is_refused_and_nothing_is_saved(people):
    before = counts()
    with pytest.raises(PermissionError):
        engine.start(ChecklistFlow, people.head, village="451421100001")  # 扶绥县: not 江州区's
    with pytest.raises(PermissionError):
        engine.start(ChecklistFlow, people.adviser_user, village=BUZHAI)  # not a process about the adviser
    assert counts() == before


def test_a_bulk_start_failing_at_the_150th_row_leaves_nothing_behind(people, divisions):
    villages = village_codes(TAIPING, 20)
    rows = [{"village": villages[i % len(villages)]} for i in range(200)]
    rows[149] = {**rows[149], "broken": True}
    before = counts()
    with pytest.raises(engine.StartFailed) as failed:
        engine.start_many(ChecklistFlow, rows, user=people.head)
    assert failed.value.index == 149 and isinstance(failed.value.error, ValidationError)
    assert counts() == before

    # A row outside the user's scope is refused the same way, whatever its position.
    rows[149] = {"village": "451421100001"}
    with pytest.raises(engine.StartFailed) as outside:
        engine.start_many(ChecklistFlow, rows, user=people.head)
    assert outside.value.index == 149 and isinstance(outside.value.error, PermissionError)
    assert counts() == before

    rows[149] = {"village": villages[0]}
    started = engine.start_many(ChecklistFlow, rows, user=people.head)
    assert len(started) == 200 and len({p.pk for p in started}) == 200
    processes, tasks, steps, audit = counts()
    assert processes == before[0] + 200
    assert (
        Task.objects.filter(process__in=started, flow_task=ChecklistFlow.check, status=STATUS.NEW).count()
        == 200
    )
    assert StepRecord.objects.filter(process__in=started, action="opened").count() == 200
    assert audit == before[3] + 200
    assert engine.queue(people.head).filter(process__in=started).count() == 200
    assert not engine.visible_processes(people.other_bureau).filter(pk__in=[p.pk for p in started]).exists()


def test_another_countys_bureau_cannot_bulk_start_here(people):
    before = counts()
    with pytest.raises(engine.StartFailed) as failed:
        engine.start_many(
            ChecklistFlow, [{"village": f"{FUSUI}100001"}, {"village": BUZHAI}], user=people.other_bureau
        )
    assert failed.value.index == 1 and isinstance(failed.value.error, PermissionError)
    assert counts() == before


def test_a_time_limit_comes_from_its_setting_then_the_countys(settings):
    limit = engine.TimeLimit(
        working_days=5, setting="THROWAWAY_DAYS", county_setting="THROWAWAY_DAYS_BY_COUNTY"
    )
    settings.THROWAWAY_DAYS_BY_COUNTY = {"451402": 3}
    assert limit.days_for("") == 5
    settings.THROWAWAY_DAYS = 7
    assert limit.days_for("451421100001") == 7  # 扶绥县 has no limit of its own
    assert limit.days_for(BUZHAI) == 3  # 江州区's own
    settings.THROWAWAY_DAYS = 0
    with pytest.raises(ValueError):
        limit.days_for("451421100001")


def test_the_history_holds_only_actions_the_flow_declares(people):
    process = engine.start(ChecklistFlow, people.head, village=BUZHAI)
    with pytest.raises(ValueError):
        engine.record(process, "approved", actor=people.head)  # the fee filing's, not this flow's
    assert list(StepRecord.objects.filter(process=process).values_list("action", flat=True)) == ["opened"]
