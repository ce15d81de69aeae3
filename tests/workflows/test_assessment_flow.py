"""A whole assessment campaign of 江州区 through the HTTP views, as the right users, to publication.

The county bureau launches; the adviser files the self-report with evidence; the village committee
gives its opinion, score and the representatives' questionnaires; the township office its initial
opinion; the bureau scores (the ledger's indicators pre-filled, not editable), grades and
recommends; the bureau closes and publishes, the public page shows the result and the adviser's
page the grade; the firm objects during the 公示 period and the bureau answers. Also: the
improvement notice the adviser acknowledges, and the recommendation refused for a failed grade.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from viewflow.workflow.status import PROCESS

from tests.conftest import BUZHAI, JIANGZHOU
from tests.workflows.assessment_helpers import (
    as_user,
    claim,
    good_year_of_work,
    indicator_pk,
    launch,
    submit,
    task_of,
    township_user,
)
from workflows.assessment import services
from workflows.assessment.models import Assessment, Campaign, EvidenceFile, Grade, Objection, Recommendation
from workflows.models import StepRecord


@pytest.fixture
def year(today) -> int:
    return today.year


@pytest.fixture
def township(people):
    return township_user()


def walk_to_bureau(people, township, assessment: Assessment, *, questionnaires=(12, 10, 2, 0)) -> None:
    campaign = assessment.campaign
    # The adviser's self-report is in the adviser's own inbox.
    adviser = as_user(people.adviser_user)
    task = task_of(assessment)
    assert task.owner_id == people.adviser_user.pk
    inbox = adviser.get("/admin/workflows/").content.decode()
    assert f"/admin/workflows/tasks/{task.pk}/" in inbox
    form = adviser.get(f"/admin/workflows/tasks/{task.pk}/")
    assert form.status_code == 200 and "年度述职" in form.content.decode()
    submit(
        adviser,
        task,
        {"summary": "全年驻点、讲座、调解情况。", f"score_{indicator_pk(campaign, 'self_report')}": "5"},
        {"files": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in", content_type="application/pdf")},
    )
    # The committee takes it from its queue.
    committee = as_user(people.committee)
    task = task_of(assessment)
    assert task.owner_id is None
    claim(committee, task)
    total, satisfied, basically, not_satisfied = questionnaires
    submit(
        committee,
        task,
        {
            "opinion": "顾问认真负责，按时驻点。",
            f"score_{indicator_pk(campaign, 'committee_opinion')}": "14",
            f"na_{indicator_pk(campaign, 'responsiveness')}": "on",
            "questionnaires": str(total),
            "satisfied": str(satisfied),
            "basically": str(basically),
            "not_satisfied": str(not_satisfied),
        },
    )
    office = as_user(township)
    task = task_of(assessment)
    claim(office, task)
    submit(
        office, task, {"opinion": "同意村委会意见。", f"score_{indicator_pk(campaign, 'notice_board')}": "5"}
    )


def test_a_whole_campaign_to_publication(people, township, year, client):
    contract = people.adviser.contracts.get()
    good_year_of_work(contract, year)
    bureau = as_user(people.bureau)

    # Nothing public before anything happens, nor while it runs.
    public = f"/directory/{JIANGZHOU}/assessment/{year}/"
    assert client.get(public).status_code == 404

    response = launch(bureau, year)
    assert response.status_code == 302
    campaign = Campaign.objects.get(county_id=JIANGZHOU, year=year)
    assert response["Location"] == f"/admin/workflows/assessment/{campaign.pk}/"
    assert campaign.state == Campaign.State.LAUNCHED and campaign.launched_by == people.bureau
    assessment = Assessment.objects.get(campaign=campaign)
    assert assessment.contract == contract and assessment.scope_code == BUZHAI
    assert assessment.adviser == people.adviser
    assert campaign.table.indicators.count() == 10
    assert client.get(public).status_code == 404

    walk_to_bureau(people, township, assessment)
    assessment.refresh_from_db()
    assert assessment.stage == Assessment.Stage.BUREAU
    assert EvidenceFile.objects.filter(assessment=assessment).count() == 1

    task = task_of(assessment)
    claim(bureau, task)
    form = bureau.get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    # The ledger's indicators are shown with their basis and are not form fields.
    assert "工作台账计算的指标" in form and "达标" in form
    on_site = indicator_pk(campaign, "on_site_hours")
    assert f'name="score_{on_site}"' not in form
    submit(
        bureau,
        task,
        {
            f"score_{indicator_pk(campaign, 'fee_filings')}": "5",
            # A posted value for a computed indicator is ignored.
            f"score_{on_site}": "0",
            "recommendation": Recommendation.REWARD,
            "reward_amount": "1000",
            "opinion": "表现突出。",
        },
    )
    assessment.refresh_from_db()
    assert assessment.status == PROCESS.DONE and assessment.stage == Assessment.Stage.DONE
    # 20+10+5+10 (ledger) + 5 + 5 + 5 + 14 + 13.8 (satisfaction 11/12) of 90 (responsiveness n/a)
    assert assessment.total_points == Decimal("87.8") and assessment.max_points == Decimal("90.0")
    assert assessment.grade == Grade.EXCELLENT
    assert assessment.recommendation == Recommendation.REWARD and assessment.reward_amount == Decimal("1000")
    assert assessment.scores.get(indicator_id=on_site).points == Decimal("20.0")
    actions = list(StepRecord.objects.filter(process_id=assessment.pk).values_list("action", flat=True))
    assert actions[0] == services.LAUNCHED and actions[-1] == services.DECIDED
    assert services.SELF_REPORTED in actions and services.TOWNSHIP_GIVEN in actions

    # Closed, not yet published: still nothing public.
    response = bureau.post(f"/admin/workflows/assessment/{campaign.pk}/close/")
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.CLOSED
    assert client.get(public).status_code == 404

    response = bureau.post(f"/admin/workflows/assessment/{campaign.pk}/publish/", {"publication_days": "5"})
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.state == Campaign.State.PUBLISHED and campaign.objections_open

    from backoffice.models import ProgrammeLogEntry

    audit = ProgrammeLogEntry.objects.filter(action__startswith="assessment.")
    assert set(audit.values_list("action", flat=True)) == {
        "assessment.launch",
        "assessment.close",
        "assessment.publish",
    }
    assert set(audit.values_list("place_code", flat=True)) == {JIANGZHOU}

    page = client.get(public)
    assert page.status_code == 200
    html = page.content.decode()
    assert people.adviser.name in html and people.adviser.firm.name in html
    assert "优秀" in html and "奖励" in html
    # No scores, no amounts, no opinions on the public page.
    assert "87.8" not in html and "1000" not in html and "顾问认真负责" not in html
    adviser_page = client.get(f"/advisers/{people.adviser.pk}/").content.decode()
    assert f"{year}年度考评" in adviser_page and "优秀" in adviser_page

    # The firm objects through the adviser's account; the bureau answers.
    adviser = as_user(people.adviser_user)
    process_page = adviser.get(f"/admin/workflows/processes/{assessment.pk}/").content.decode()
    assert "提出异议" in process_page
    response = adviser.post(
        f"/admin/workflows/assessment/processes/{assessment.pk}/objection/", {"text": "讲座次数统计有误。"}
    )
    assert response.status_code == 302
    objection = Objection.objects.get(assessment=assessment)
    dashboard = bureau.get(f"/admin/workflows/assessment/{campaign.pk}/").content.decode()
    assert "讲座次数统计有误" in dashboard
    response = bureau.post(
        f"/admin/workflows/assessment/objections/{objection.pk}/answer/", {"answer": "经核实无误。"}
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.answer == "经核实无误。" and objection.answered_by == people.bureau

    # The bureau's export has the scores.
    export = bureau.get(f"/admin/workflows/assessment/{campaign.pk}/export.xlsx")
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_failed_grade_gets_an_improvement_notice_the_adviser_acknowledges(people, township, year):
    bureau = as_user(people.bureau)
    launch(bureau, year)
    assessment = Assessment.objects.get()
    walk_to_bureau(people, township, assessment, questionnaires=(12, 2, 2, 8))
    task = task_of(assessment)
    claim(bureau, task)
    fee = f"score_{indicator_pk(assessment.campaign, 'fee_filings')}"
    # No ledger work at all: 不合格, so neither continuing nor a reward is accepted.
    response = bureau.post(
        f"/admin/workflows/tasks/{task.pk}/", {fee: "2", "recommendation": Recommendation.CONTINUE}
    )
    assert response.status_code == 200
    assert "考评不合格的，不能继续聘用或奖励" in response.content.decode()
    deadline = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    submit(
        bureau,
        task,
        {
            fee: "2",
            "recommendation": Recommendation.IMPROVE,
            "improvement_items": "每月驻点不少于5小时并请村委会确认。",
            "improvement_deadline": deadline,
        },
    )
    assessment.refresh_from_db()
    assert assessment.grade == Grade.FAILED and assessment.stage == Assessment.Stage.ACKNOWLEDGE
    assert assessment.status != PROCESS.DONE
    task = task_of(assessment)
    assert task.owner_id == people.adviser_user.pk
    adviser = as_user(people.adviser_user)
    assert "每月驻点不少于5小时" in adviser.get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    submit(adviser, task, {"confirm": "on"})
    assessment.refresh_from_db()
    assert assessment.acknowledged_at is not None and assessment.status == PROCESS.DONE


def test_too_few_questionnaires_leave_satisfaction_to_the_bureau(people, township, year):
    bureau = as_user(people.bureau)
    launch(bureau, year)
    assessment = Assessment.objects.get()
    walk_to_bureau(people, township, assessment, questionnaires=(6, 6, 0, 0))
    satisfaction = assessment.scores.get(indicator__key="satisfaction")
    assert satisfaction.insufficient and satisfaction.points is None
    task = task_of(assessment)
    claim(bureau, task)
    form = bureau.get(f"/admin/workflows/tasks/{task.pk}/").content.decode()
    assert f'name="score_{satisfaction.indicator_id}"' in form
    fee = f"score_{indicator_pk(assessment.campaign, 'fee_filings')}"
    response = bureau.post(
        f"/admin/workflows/tasks/{task.pk}/",
        {fee: "5", "recommendation": Recommendation.NO_RENEWAL, "no_renewal_reasons": "未履职。"},
    )
    assert response.status_code == 200 and "群众满意度" in response.content.decode()
    submit(
        bureau,
        task,
        {
            fee: "5",
            f"score_{satisfaction.indicator_id}": "12",
            "recommendation": Recommendation.NO_RENEWAL,
            "no_renewal_reasons": "全年未驻点。",
        },
    )
    satisfaction.refresh_from_db()
    assert satisfaction.points == Decimal("12.0") and not satisfaction.insufficient


def test_the_recommendation_signal_reaches_other_flows(people, township, year):
    received = []

    def receiver(sender, assessment, recommendation, user, **kwargs):
        received.append((assessment.pk, recommendation, user.pk))

    services.recommendation_made.connect(receiver)
    try:
        bureau = as_user(people.bureau)
        launch(bureau, year)
        assessment = Assessment.objects.get()
        walk_to_bureau(people, township, assessment)
        task = task_of(assessment)
        claim(bureau, task)
        fee = f"score_{indicator_pk(assessment.campaign, 'fee_filings')}"
        submit(
            bureau,
            task,
            {fee: "5", "recommendation": Recommendation.NO_RENEWAL, "no_renewal_reasons": "全年未驻点。"},
        )
    finally:
        services.recommendation_made.disconnect(receiver)
    assert received == [(assessment.pk, Recommendation.NO_RENEWAL, people.bureau.pk)]


def test_a_task_posted_twice_is_done_once(people, township, year):
    bureau = as_user(people.bureau)
    launch(bureau, year)
    assessment = Assessment.objects.get()
    adviser: Client = as_user(people.adviser_user)
    task = task_of(assessment)
    data = {"summary": "述职。", f"score_{indicator_pk(assessment.campaign, 'self_report')}": "4"}
    submit(adviser, task, data)
    again = adviser.post(f"/admin/workflows/tasks/{task.pk}/", data)
    assert again.status_code == 302
    assert StepRecord.objects.filter(process_id=assessment.pk, action=services.SELF_REPORTED).count() == 1
