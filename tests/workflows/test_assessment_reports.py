"""The default table, grades, copying a table, the dashboard's bounded queries, overdue steps."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from places.models import Division
from tests.conftest import BUZHAI, JIANGZHOU, village_codes
from tests.factories import AdviserFactory
from tests.workflows.assessment_helpers import as_user, task_of
from workflows.assessment import indicators, reports, services
from workflows.assessment.models import Assessment, Grade, IndicatorTable, Scorer
from workflows.engine import ESCALATED
from workflows.models import StepRecord

DASHBOARD_QUERIES = 22


@pytest.fixture
def year(today) -> int:
    return today.year


def test_the_default_table_follows_the_policy(divisions, year):
    table = indicators.copy_table(Division.objects.get(code=JIANGZHOU), year)
    rows = list(table.indicators.all())
    assert sum(i.max_points for i in rows) == Decimal("100")
    scorers = {i.key: i.scorer for i in rows}
    assert scorers["on_site_hours"] == scorers["lectures"] == scorers["trainings"] == Scorer.LEDGER
    assert scorers["satisfaction"] == Scorer.REPRESENTATIVES and scorers["notice_board"] == Scorer.TOWNSHIP
    assert [i.key for i in rows if i.optional] == ["responsiveness"]
    assert table.grade_for(Decimal("90")) == Grade.EXCELLENT
    assert table.grade_for(Decimal("89.9")) == Grade.QUALIFIED
    assert table.grade_for(Decimal("60")) == Grade.BASIC
    assert table.grade_for(Decimal("59.9")) == Grade.FAILED
    # One action copies it for the next year, with the county's changes; twice is refused.
    first = rows[0]
    first.max_points = Decimal("25")
    first.save()
    copy = indicators.copy_table(Division.objects.get(code=JIANGZHOU), year + 1, table)
    assert copy.indicators.get(key=first.key).max_points == Decimal("25")
    with pytest.raises(ValidationError):
        indicators.copy_table(Division.objects.get(code=JIANGZHOU), year + 1)
    with pytest.raises(ValidationError):
        indicators.copy_table(Division.objects.get(code="451402001"), year)


def test_grade_bands_must_descend(divisions, year):
    table = IndicatorTable(area_id=JIANGZHOU, year=year, title="t", basic_min=80, qualified_min=70)
    with pytest.raises(ValidationError):
        table.full_clean()


def test_a_city_table_serves_its_counties(divisions, year):
    city_table = indicators.copy_table(Division.objects.get(code="4514"), year)
    assert indicators.table_for(Division.objects.get(code=JIANGZHOU), year) == city_table


def test_scores_stay_within_each_indicator(divisions, year):
    table = indicators.copy_table(Division.objects.get(code=JIANGZHOU), year)
    committee = list(table.indicators.filter(scorer=Scorer.COMMITTEE))
    opinion, responsiveness = committee
    with pytest.raises(ValidationError):
        services.clean_scores(committee, {opinion.pk: "16", responsiveness.pk: "1"})
    with pytest.raises(ValidationError):
        services.clean_scores(committee, {opinion.pk: "", responsiveness.pk: "1"})
    with pytest.raises(ValidationError):
        services.clean_scores(committee, {responsiveness.pk: "1"}, not_applicable=[opinion.pk])
    assert services.clean_scores(committee, {opinion.pk: "15"}, not_applicable=[responsiveness.pk]) == {
        opinion.pk: Decimal("15.0"),
        responsiveness.pk: None,
    }
    with pytest.raises(ValidationError):
        services.check_questionnaires(10, 5, 4, 0)


def contracts(make_contract, count: int, skip: int = 0) -> None:
    codes = [c for c in village_codes("451402001", 40) if c != BUZHAI]
    for code in codes[skip : skip + count]:
        make_contract(AdviserFactory(), code)


def dashboard_queries(people, year) -> int:
    campaign = services.launch(people.bureau, [JIANGZHOU], year)[0]
    client = as_user(people.bureau)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/admin/workflows/assessment/{campaign.pk}/")
    assert response.status_code == 200
    return len(queries)


def test_the_dashboards_queries_do_not_grow_with_the_villages(people, make_contract, year):
    contracts(make_contract, 2)
    small = dashboard_queries(people, year)
    Assessment.objects.all().delete()
    from workflows.assessment.models import Campaign

    Campaign.objects.all().delete()
    contracts(make_contract, 12, skip=2)
    large = dashboard_queries(people, year)
    assert small == large
    assert large <= DASHBOARD_QUERIES, large


def test_the_dashboard_counts_stages_and_overdue_steps(people, make_contract, year):
    contracts(make_contract, 3)
    campaign = services.launch(people.bureau, [JIANGZHOU], year)[0]
    board = reports.dashboard(campaign)
    assert board.total.total == 4 and board.total.stages[Assessment.Stage.SELF_REPORT] == 4
    assert [row.code for row in board.rows] == ["451402001"] and board.total.overdue == 0
    task = task_of(Assessment.objects.filter(campaign=campaign).first())
    from viewflow.workflow.models import Task

    timer = Task.objects.get(previous=task, flow_task_type="TIMER")
    with time_machine.travel(timer.scheduled + dt.timedelta(hours=1), tick=False):
        assert reports.dashboard(campaign).total.overdue == 4
        call_command("workflow_timers", stdout=io.StringIO())
        assert StepRecord.objects.filter(action=ESCALATED).count() == 4
        assert reports.dashboard(campaign).total.overdue == 4
    page = as_user(people.bureau).get(f"/admin/workflows/assessment/{campaign.pk}/").content.decode()
    assert "太平街道" in page


def formset_data(table, **changes) -> dict[str, str]:
    rows = list(table.indicators.all())
    data = {
        "title": table.title,
        "excellent_min": "90",
        "qualified_min": "75",
        "basic_min": "60",
        "min_questionnaires": "8",
        "indicators-TOTAL_FORMS": str(len(rows) + 1),
        "indicators-INITIAL_FORMS": str(len(rows)),
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "40",
    }
    for n, i in enumerate(rows):
        data.update(
            {
                f"indicators-{n}-id": str(i.pk),
                f"indicators-{n}-name": i.name,
                f"indicators-{n}-max_points": str(i.max_points),
                f"indicators-{n}-scorer": i.scorer,
                f"indicators-{n}-rule": i.rule,
                f"indicators-{n}-evidence": i.evidence,
                f"indicators-{n}-sort_order": str(i.sort_order),
            }
        )
        if i.optional:
            data[f"indicators-{n}-optional"] = "on"
    data.update(changes)
    return data


def test_a_bureau_edits_its_table_until_a_campaign_uses_it(people, year):
    from workflows.assessment.models import Campaign

    table = indicators.copy_table(Division.objects.get(code=JIANGZHOU), year)
    url = f"/admin/workflows/assessment/tables/{table.pk}/"
    bureau = as_user(people.bureau)
    assert "保存" in bureau.get(url).content.decode()
    n = table.indicators.count()
    response = bureau.post(
        url,
        formset_data(
            table,
            **{
                f"indicators-{n}-name": "矛盾纠纷排查",
                f"indicators-{n}-max_points": "5",
                f"indicators-{n}-scorer": Scorer.TOWNSHIP,
                f"indicators-{n}-rule": "每季度参与排查1次。",
                f"indicators-{n}-sort_order": "20",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    table.refresh_from_db()
    assert table.min_questionnaires == 8
    added = table.indicators.get(name="矛盾纠纷排查")
    assert added.key.startswith("own-") and added.scorer == Scorer.TOWNSHIP
    # A computed indicator needs one of the ledger's keys.
    response = bureau.post(url, formset_data(table, **{f"indicators-{n}-scorer": Scorer.LEDGER}))
    assert response.status_code == 200 and "系统计算的指标须使用以下代码之一" in response.content.decode()
    # Another county sees nothing of it; once a campaign uses it, nobody changes it.
    assert as_user(people.other_bureau).get(url).status_code == 404
    services.launch(people.bureau, [JIANGZHOU], year)
    assert Campaign.objects.get().table == table
    assert bureau.post(url, formset_data(table)).status_code == 403
    assert "不能修改" in bureau.get(url).content.decode()
