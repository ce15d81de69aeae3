"""The fee filing flow walked through its HTTP views, as the right users, to the end.

Approve, return-then-approve and reject; the legal-aid referral and the withdrawal; scope (a user
of another county gets 404 on the process and the task and does not see it listed); the time
limit's escalation through viewflow's timers, fired by `manage.py workflow_timers` with the
clock moved past the limit.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from backoffice.models import ProgrammeLogEntry
from ledger.models import LedgerEntry
from tests.conftest import BUZHAI
from tests.workflows.people import PASSWORD, filing_data
from workflows.fee_filing.flow import FeeFilingFlow, open_review_task
from workflows.fee_filing.models import FeeFiling
from workflows.models import StepRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW = "/admin/workflows/fee-filings/new/"


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def file(people, today, **overrides) -> FeeFiling:
    response = as_user(people.adviser_user).post(NEW, filing_data(today, **overrides))
    assert response.status_code == 302, response.content.decode()[:3000]
    filing = FeeFiling.objects.latest("pk")
    assert response["Location"] == f"/admin/workflows/processes/{filing.pk}/"
    return filing


def review_task(filing) -> Task:
    task = open_review_task(filing)
    assert task is not None
    return task


def claim_and_decide(user, filing, decision: str, reason: str = "") -> Client:
    """What a bureau officer does: find it in the queue, claim it, decide."""
    client = as_user(user)
    task = review_task(filing)
    inbox = client.get("/admin/workflows/").content.decode()
    assert f'href="/admin/workflows/tasks/{task.pk}/"' in inbox
    page = client.get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    assert "领取并办理" in page
    assert client.post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 302
    form = client.get(f"/admin/workflows/tasks/{task.pk}/")
    assert form.status_code == 200 and "审核意见" in form.content.decode()
    response = client.post(f"/admin/workflows/tasks/{task.pk}/", {"decision": decision, "reason": reason})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == f"/admin/workflows/processes/{filing.pk}/"
    return client


def assert_denied(response) -> None:
    """A refusal is the back office's 403 page (not Wagtail's silent redirect home)."""
    assert response.status_code == 403, response.status_code


def actions(filing) -> list[str]:
    return list(StepRecord.objects.filter(process_id=filing.pk).values_list("action", flat=True))


def test_adviser_files_a_waiver_and_the_bureau_approves_it(people, today):
    filing = file(people, today)
    assert filing.state == FeeFiling.State.SUBMITTED
    assert filing.adviser == people.adviser and filing.scope_code == BUZHAI
    task = review_task(filing)
    assert task.status == STATUS.NEW and task.owner_permission == "fee_filing.review_feefiling"

    claim_and_decide(people.bureau, filing, "approve")

    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.APPROVED and filing.decided_by == people.bureau
    assert filing.status == PROCESS.DONE and filing.finished is not None
    assert actions(filing) == ["submitted", "claimed", "approved", "recorded"]
    entry = filing.ledger_entry
    assert entry.adviser == people.adviser and entry.village_id == BUZHAI
    assert entry.kind == LedgerEntry.Kind.DOCUMENTS and entry.hours == Decimal("2")
    assert not entry.on_site and entry.confirmation == LedgerEntry.Confirmation.NOT_NEEDED

    # The adviser sees the decision, with the client's name; the village sees it without.
    adviser_page = (
        as_user(people.adviser_user).get(f"/admin/workflows/processes/{filing.pk}/").content.decode()
    )
    assert "已备案通过" in adviser_page and "农大娘" in adviser_page and "已于" in adviser_page
    village_page = as_user(people.committee).get(f"/admin/workflows/processes/{filing.pk}/")
    assert village_page.status_code == 200
    assert "已备案通过" in village_page.content.decode() and "农大娘" not in village_page.content.decode()
    # The chart is on the process page, with the steps taken coloured.
    assert '<g id="review"' in adviser_page and 'class="done"' in adviser_page
    # Each step is in the back office's audit trail too, with the place (never the client's name).
    audit = ProgrammeLogEntry.objects.filter(action__startswith="workflows.", object_id=str(filing.pk))
    assert set(audit.values_list("action", flat=True)) == {
        "workflows.submitted",
        "workflows.claimed",
        "workflows.approved",
        "workflows.recorded",
    }
    assert set(audit.values_list("place_code", flat=True)) == {BUZHAI}
    assert audit.get(action="workflows.approved").user == people.bureau
    assert not audit.filter(label__contains="农大娘").exists()


def test_return_for_correction_then_approve(people, today):
    filing = file(people, today, basis="reduced", fee_charged="300", reduction_reason="vulnerable")
    claim_and_decide(people.bureau, filing, "return", "请补充收费协议。")
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.RETURNED and filing.decision_reason == "请补充收费协议。"

    adviser = as_user(people.adviser_user)
    inbox = adviser.get("/admin/workflows/").content.decode()
    correct = Task.objects.get(process=filing, flow_task=FeeFilingFlow.correct, status=STATUS.ASSIGNED)
    assert correct.owner == people.adviser_user
    assert f'href="/admin/workflows/tasks/{correct.pk}/"' in inbox
    page = adviser.get(f"/admin/workflows/tasks/{correct.pk}/").content.decode()
    assert "请补充收费协议。" in page and "修改后重新提交" in page
    # The bureau cannot act on the adviser's task.
    stolen = as_user(people.bureau).post(f"/admin/workflows/tasks/{correct.pk}/", {"action": "resubmit"})
    assert stolen.status_code == 302
    correct.refresh_from_db()
    assert correct.status == STATUS.ASSIGNED

    data = filing_data(today, basis="reduced", fee_charged="200", reduction_reason="vulnerable")
    response = adviser.post(
        f"/admin/workflows/tasks/{correct.pk}/",
        {**data, "action": "resubmit", "note": "已补充，改为收200元。"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.SUBMITTED and filing.fee_charged == Decimal("200")
    # The returned opinion is history now, not the filing's current 审核意见.
    assert filing.decision_reason == "" and filing.decided_by is None
    waiting = adviser.get(f"/admin/workflows/processes/{filing.pk}/").content.decode()
    assert "<dt>审核意见</dt>" not in waiting and "请补充收费协议。" in waiting

    claim_and_decide(people.bureau_colleague, filing, "approve")
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.APPROVED and filing.status == PROCESS.DONE
    assert filing.ledger_entry is not None
    assert actions(filing) == [
        "submitted",
        "claimed",
        "returned",
        "resubmitted",
        "claimed",
        "approved",
        "recorded",
    ]
    history = as_user(people.adviser_user).get(f"/admin/workflows/processes/{filing.pk}/").content.decode()
    assert "已补充，改为收200元。" in history and "请补充收费协议。" in history


def test_reject_needs_a_reason_and_records_no_work(people, today):
    filing = file(people, today, basis="charged", fee_charged="800", reduction_reason="", reduction_detail="")
    client = as_user(people.bureau)
    task = review_task(filing)
    client.post(f"/admin/workflows/tasks/{task.pk}/claim/")
    missing = client.post(f"/admin/workflows/tasks/{task.pk}/", {"decision": "reject", "reason": ""})
    assert missing.status_code == 200 and "请填写理由" in missing.content.decode()
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED  # an invalid form changes nothing

    response = client.post(
        f"/admin/workflows/tasks/{task.pk}/", {"decision": "reject", "reason": "收费标准不符。"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.REJECTED and filing.status == PROCESS.DONE
    assert filing.ledger_entry is None and not LedgerEntry.objects.exists()
    step = StepRecord.objects.get(process_id=filing.pk, action="rejected")
    assert step.actor == people.bureau and step.reason == "收费标准不符。"
    page = as_user(people.adviser_user).get(f"/admin/workflows/processes/{filing.pk}/").content.decode()
    assert "不予备案" in page and "收费标准不符。" in page


def test_legal_aid_case_is_referred(people, today):
    filing = file(people, today, service_type="litigation", reduction_reason="legal_aid", standard_fee="3000")
    claim_and_decide(people.bureau, filing, "refer", "符合法律援助条件，转区法律援助中心指派。")
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.REFERRED and filing.status == PROCESS.DONE
    # The referral is the adviser's work (法律援助转介), not the litigation that was filed.
    entry = filing.ledger_entry
    assert entry is not None and LedgerEntry.objects.count() == 1
    assert entry.kind == LedgerEntry.Kind.LEGAL_AID_REFERRAL and not entry.on_site
    assert (entry.adviser_id, entry.village_id, entry.date) == (
        filing.adviser_id,
        filing.village_id,
        filing.service_date,
    )
    assert entry.hours == filing.hours and "转法律援助" in entry.summary
    assert actions(filing)[-2:] == ["referred", "recorded"]


def test_adviser_may_withdraw_a_returned_filing(people, today):
    filing = file(people, today)
    claim_and_decide(people.bureau, filing, "return", "服务日期有误。")
    correct = Task.objects.get(process=filing, flow_task=FeeFilingFlow.correct)
    response = as_user(people.adviser_user).post(
        f"/admin/workflows/tasks/{correct.pk}/", {"action": "withdraw", "note": "当事人已撤回委托。"}
    )
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.WITHDRAWN and filing.status == PROCESS.DONE


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"basis": "waived", "fee_charged": "100"}, "fee_charged", "免收时，实收金额应为0"),
        ({"basis": "reduced", "fee_charged": "800"}, "fee_charged", "减收时"),
        (
            {"basis": "reduced", "fee_charged": "300", "reduction_reason": ""},
            "reduction_reason",
            "须说明理由",
        ),
        ({"fee_charged": "900", "basis": "charged", "reduction_reason": ""}, "fee_charged", "不能高于"),
        ({"service_date": "2099-01-01"}, "service_date", "不能晚于今天"),
        ({"village": "451402001202"}, "village", "选择一个有效的选项"),
        ({"files": None, "hours": "0"}, "hours", ""),
    ],
)
def test_bad_filings_are_refused_with_a_clear_error(people, today, overrides, field, message):
    data = {k: v for k, v in filing_data(today, **overrides).items() if v is not None}
    response = as_user(people.adviser_user).post(NEW, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert not FeeFiling.objects.exists()


def test_only_advisers_may_file(people):
    for user in (people.bureau, people.committee, people.head):
        assert_denied(as_user(user).get(NEW))
        assert_denied(as_user(user).post(NEW, filing_data(dt.date.today())))
    assert not FeeFiling.objects.exists()


def test_attachments_are_kept_and_served_only_in_scope(people, today, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = filing_data(today)
    data["files"] = [SimpleUploadedFile("困难证明.pdf", b"%PDF-1.4 proof", content_type="application/pdf")]
    response = as_user(people.adviser_user).post(NEW, data)
    assert response.status_code == 302
    filing = FeeFiling.objects.get()
    item = filing.attachments.get()
    url = f"/admin/workflows/processes/{filing.pk}/files/{item.pk}/"
    assert b"".join(as_user(people.bureau).get(url).streaming_content) == b"%PDF-1.4 proof"
    assert_denied(as_user(people.committee).get(url))  # may see the decision, not the papers
    assert as_user(people.other_bureau).get(url).status_code == 404
    # Not under MEDIA_ROOT: no public address serves it.
    assert item.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert not item.file.path.startswith(str(settings.MEDIA_ROOT))
    item.file.delete(save=False)


def test_another_county_can_neither_list_nor_open_nor_act(people, today):
    filing = file(people, today)
    task = review_task(filing)
    for outsider in (people.other_bureau, people.other_adviser_user, people.other_committee):
        client = as_user(outsider)
        inbox = client.get("/admin/workflows/")
        assert inbox.status_code == 200 and f"/admin/workflows/tasks/{task.pk}/" not in inbox.content.decode()
        listing = client.get("/admin/workflows/processes/?state=all")
        assert f"/admin/workflows/processes/{filing.pk}/" not in listing.content.decode()
        assert client.get(f"/admin/workflows/processes/{filing.pk}/").status_code == 404
        assert client.get(f"/admin/workflows/tasks/{task.pk}/").status_code == 404
        assert client.post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 404
        assert client.post(f"/admin/workflows/tasks/{task.pk}/", {"decision": "approve"}).status_code == 404
    task.refresh_from_db()
    assert task.status == STATUS.NEW and task.owner is None
    # The other county's bureau has the same role, so only the place keeps it out.
    assert people.other_bureau.has_perm("fee_filing.review_feefiling")


def test_the_village_and_the_adviser_cannot_decide(people, today):
    filing = file(people, today)
    task = review_task(filing)
    for user in (people.committee, people.adviser_user):
        client = as_user(user)
        assert client.get(f"/admin/workflows/tasks/{task.pk}/").status_code == 200  # may follow it
        assert_denied(client.post(f"/admin/workflows/tasks/{task.pk}/claim/"))
    task.refresh_from_db()
    assert task.status == STATUS.NEW


def test_menu_item_and_home_panel_show_the_count(people, today):
    file(people, today)
    page = as_user(people.bureau).get("/admin/").content.decode()
    # The sidebar's items travel as JSON for Wagtail's menu script.
    assert json.dumps("待办事项（1）")[1:-1] in page
    assert 'id="workflow-tasks' in page and "待领取 1 件" in page
    other = as_user(people.other_bureau).get("/admin/").content.decode()
    assert json.dumps("待办事项（1）")[1:-1] not in other and json.dumps("待办事项")[1:-1] in other


def friday_afternoon(today: dt.date) -> dt.datetime:
    day = today + dt.timedelta(days=(4 - today.weekday()) % 7 or 7)
    return dt.datetime.combine(day, dt.time(15, 0), tzinfo=SHANGHAI)


def test_overdue_review_is_escalated_to_the_bureau_head(
    people, today, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    submitted = friday_afternoon(today)
    with time_machine.travel(submitted, tick=False):
        filing = file(people, submitted.date())
    task = review_task(filing)
    timer = Task.objects.get(previous=task, flow_task_type="TIMER")
    # Five working days after a Friday: the end of the next Friday (the weekends do not count).
    due = timer.scheduled.astimezone(SHANGHAI)
    assert due.date() == submitted.date() + dt.timedelta(days=7) and due.time() == dt.time(23, 59, 59)

    with time_machine.travel(due - dt.timedelta(hours=1), tick=False):
        call_command("workflow_timers", stdout=io.StringIO())
    assert not StepRecord.objects.filter(action="escalated").exists()

    with time_machine.travel(due + dt.timedelta(minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("workflow_timers", stdout=io.StringIO())
        head_inbox = as_user(people.head).get("/admin/workflows/").content.decode()
        officer_inbox = as_user(people.bureau).get("/admin/workflows/").content.decode()

    step = StepRecord.objects.get(process_id=filing.pk, action="escalated")
    assert step.actor is None and step.task_id == task.pk
    task.refresh_from_db()
    assert task.status == STATUS.NEW  # the review stays open: the escalation does not interrupt it
    assert "escalated_at" in task.data
    # The head finds it under 超期督办, flagged; an officer sees it flagged too.
    escalated = head_inbox.split('id="escalated-heading"', 1)[1]
    assert f"/admin/workflows/tasks/{task.pk}/" in escalated and "已超期" in escalated
    assert 'id="escalated-heading"' not in officer_inbox and "已超期" in officer_inbox
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["head@example.invalid"]
    assert "农大娘" not in mail.outbox[0].body
    # The head takes it over and decides (still after the deadline, so the service date is past).
    with time_machine.travel(due + dt.timedelta(hours=1), tick=False):
        head = as_user(people.head)  # logged in now: idle sessions end after 30 minutes
        assert head.post(f"/admin/workflows/tasks/{task.pk}/take-over/").status_code == 302
        assert head.post(f"/admin/workflows/tasks/{task.pk}/", {"decision": "approve"}).status_code == 302
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.APPROVED and filing.status == PROCESS.DONE
    assert not Task.objects.filter(process=filing, finished__isnull=True).exists()


def test_timer_is_cancelled_when_decided_in_time(people, today):
    filing = file(people, today)
    claim_and_decide(people.bureau, filing, "approve")
    timer = Task.objects.get(process=filing, flow_task_type="TIMER")
    assert timer.status == STATUS.CANCELED
    with time_machine.travel(timer.scheduled + dt.timedelta(days=1), tick=False):
        call_command("workflow_timers", stdout=io.StringIO())
    assert not StepRecord.objects.filter(action="escalated").exists()


def test_a_claimed_task_is_not_claimed_twice(people, today):
    filing = file(people, today)
    task = review_task(filing)
    assert as_user(people.bureau).post(f"/admin/workflows/tasks/{task.pk}/claim/").status_code == 302
    late = as_user(people.bureau_colleague)
    response = late.post(f"/admin/workflows/tasks/{task.pk}/claim/", follow=True)
    assert "已被其他工作人员领取" in response.content.decode()
    task.refresh_from_db()
    assert task.owner == people.bureau
    # A second submission of the same decision changes nothing.
    bureau = as_user(people.bureau)
    bureau.post(f"/admin/workflows/tasks/{task.pk}/", {"decision": "approve"})
    again = bureau.post(
        f"/admin/workflows/tasks/{task.pk}/", {"decision": "reject", "reason": "x"}, follow=True
    )
    assert "未作任何改动" in again.content.decode()
    filing.refresh_from_db()
    assert filing.state == FeeFiling.State.APPROVED
    assert StepRecord.objects.filter(process_id=filing.pk, action="approved").count() == 1


def test_task_pages_are_chinese_wagtail_admin_pages_with_a_way_back(people, today):
    filing = file(people, today)
    task = review_task(filing)
    page = as_user(people.bureau).get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "w-breadcrumbs" in page and 'href="/admin/workflows/"' in page and "返回待办事项" in page
    assert re.search(r"<title>[^<]*县级司法局审核", page)


def test_an_account_that_handled_tasks_is_deactivated_not_deleted(people, today, django_user_model):
    filing = file(people, today)
    claim_and_decide(people.bureau, filing, "approve")
    admin = django_user_model.objects.create_superuser("root", password=PASSWORD)
    client = as_user(admin)
    response = client.post(reverse("wagtailusers_users:delete", args=[people.bureau.pk]), follow=True)
    assert "请改为停用该账号" in response.content.decode()
    assert django_user_model.objects.filter(pk=people.bureau.pk).exists()
    assert Task.objects.filter(owner=people.bureau).exists()
