"""What the records say about who did what (issue 11): reasons and 系统 in the workflow audit log,
the recorder of a lecture marked held through its edit form, and inspect pages in China's time
with 是/否/— rather than raw True/None.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse
from wagtail.log_actions import LogContext

from backoffice.models import ProgrammeLogEntry
from tests.backoffice.conftest import make_staff
from tests.conftest import BUZHAI
from tests.content_helpers import make_lecture
from tests.workflows.people import filing_data
from workflows import engine
from workflows.models import ScopedProcess, StepRecord

UTC = dt.UTC


def as_user(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rejected_filing(people, today) -> int:
    adviser = as_user(people.adviser_user)
    response = adviser.post(
        "/admin/workflows/fee-filings/new/",
        filing_data(today, basis="charged", fee_charged="800", reduction_reason="", reduction_detail=""),
    )
    assert response.status_code == 302
    process_id = int(re.search(r"/processes/(\d+)/", response["Location"]).group(1))
    task_id = (
        StepRecord.objects.filter(process_id=process_id)
        .latest("pk")
        .process.task_set.filter(finished__isnull=True, flow_task_type="HUMAN")
        .first()
        .pk
    )
    bureau = as_user(people.bureau)
    assert bureau.post(f"/admin/workflows/tasks/{task_id}/claim/").status_code == 302
    response = bureau.post(
        f"/admin/workflows/tasks/{task_id}/", {"decision": "reject", "reason": "收费标准不符。"}
    )
    assert response.status_code == 302
    return process_id


def test_a_decision_in_the_audit_log_carries_its_reason(people, today):
    process_id = rejected_filing(people, today)
    entry = ProgrammeLogEntry.objects.filter(action="workflows.rejected").latest("pk")
    assert entry.user_id == people.bureau.pk
    assert entry.data["reason"] == "收费标准不符。"
    assert entry.formatter.format_comment(entry) == "收费标准不符。"
    assert entry.data["process"] == process_id


def test_an_automatic_step_is_the_systems_in_the_log_and_on_the_process_page(people, today):
    process_id = rejected_filing(people, today)
    process = ScopedProcess.objects.get(pk=process_id)
    # As if a timer fired inside someone's request: the step is still nobody's.
    with LogContext(user=people.bureau):
        engine.record(process, "escalated", actor=None, reason="办理期限已过，事项仍未办结。")
    entry = ProgrammeLogEntry.objects.filter(action="workflows.escalated").latest("pk")
    assert entry.user_id is None and entry.data["system"] is True
    assert str(entry.user_display_name) == "系统"
    page = as_user(people.bureau).get(f"/admin/workflows/processes/{process_id}/").content.decode()
    row = next(r for r in page.split("<tr") if "办理期限已过" in r)
    assert "系统" in row and people.bureau.get_username() not in row


def test_a_lecture_marked_held_through_the_edit_form_gets_its_recorder(client, divisions):
    from content.models import Lecture

    staff = make_staff("jiangzhou_lectures", "县(市、区)司法局", "451402")
    lecture = make_lecture(BUZHAI, days=-3)
    client.force_login(staff)
    url = reverse("lecture_admin:edit", args=[lecture.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "pk"):
            value = value.pk
        data[name] = "" if value is None else value
    data.update(
        {
            "starts_at": lecture.starts_at.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M"),
            "place": BUZHAI,
            "status": Lecture.Status.HELD,
            "attendance": "45",
            "summary": "讲了彩礼返还的规定，群众提问踊跃。",
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
            "photos-MIN_NUM_FORMS": "0",
            "photos-MAX_NUM_FORMS": "12",
        }
    )
    data = {k: v for k, v in data.items() if v is not None}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    lecture.refresh_from_db()
    assert lecture.status == Lecture.Status.HELD
    assert lecture.recorded_by == staff and lecture.recorded_at is not None


def test_inspect_pages_show_local_times_and_chinese_yes_no(client, world, accounts):
    from advisers.models import Adviser

    adviser = world.advisers[BUZHAI]
    consented = dt.datetime(2025, 6, 1, 1, 30, tzinfo=UTC)  # 09:30 in 崇左
    Adviser.objects.filter(pk=adviser.pk).update(
        mobile_consent=True, mobile_consent_at=consented, practising_since=None
    )
    client.force_login(accounts["county"])
    page = client.get(reverse("advisers:inspect", args=[adviser.pk])).content.decode()
    body = page.split("<main", 1)[-1]
    assert not re.search(r">\s*(True|False|None)\s*<", body)
    assert re.search(r">\s*是\s*<", body) and re.search(r">\s*—\s*<", body)
    if "同意公开时间" in body:
        assert "2025-06-01 09:30" in body and "01:30" not in body
