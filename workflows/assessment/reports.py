"""What the campaign pages show: the dashboard, the report to the city, the export, the publication.

Each function runs a fixed number of queries whatever the number of villages (the dashboard's
bound is asserted in tests/workflows/test_assessment_reports.py).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from viewflow.workflow.models import Task

from places import codes
from places.models import Division
from workflows import engine

from .models import Assessment, Campaign, Grade, IndicatorScore, Objection, Recommendation

TOWNSHIP_LENGTH = codes.CODE_LENGTHS[codes.TOWNSHIP]


@dataclass
class ProgressRow:
    code: str
    name: str
    total: int = 0
    stages: Counter = field(default_factory=Counter)
    grades: Counter = field(default_factory=Counter)
    overdue: int = 0

    @property
    def done(self) -> int:
        return self.stages.get(Assessment.Stage.DONE, 0)

    def stage_counts(self) -> list[int]:
        return [self.stages.get(value, 0) for value, _label in Assessment.Stage.choices]

    def grade_counts(self) -> list[int]:
        return [self.grades.get(value, 0) for value, _label in Grade.choices]


@dataclass
class Dashboard:
    campaign: Campaign
    rows: list[ProgressRow]
    total: ProgressRow
    objections: int


def overdue_processes(assessments) -> list[tuple[int, str]]:
    """(process id, place code) of open steps whose time limit has passed."""
    return list(
        Task.objects.filter(
            flow_task_type="TIMER",
            scheduled__lt=timezone.now(),
            previous__status__in=engine.OPEN_TASK_STATES,
            previous__flow_task_type="HUMAN",
            process__in=assessments.values("pk"),
        )
        .values_list("process_id", "process__scopedprocess__scope_code")
        .distinct()
    )


def dashboard(campaign: Campaign) -> Dashboard:
    """Progress per township: how many assessments at each stage, the grades, overdue steps (4 queries)."""
    assessments = Assessment.objects.filter(campaign=campaign)
    rows: dict[str, ProgressRow] = {}
    for village, stage, grade in assessments.values_list("village_id", "stage", "grade"):
        row = rows.setdefault(village[:TOWNSHIP_LENGTH], ProgressRow(village[:TOWNSHIP_LENGTH], ""))
        row.total += 1
        row.stages[stage] += 1
        if grade:
            row.grades[grade] += 1
    for _pk, code in overdue_processes(assessments):
        township = code[:TOWNSHIP_LENGTH]
        if township in rows:
            rows[township].overdue += 1
    names = dict(Division.objects.filter(code__in=list(rows)).values_list("code", "name"))
    total = ProgressRow("", "")
    ordered = []
    for code in sorted(rows):
        row = rows[code]
        row.name = names.get(code, code)
        total.total += row.total
        total.stages.update(row.stages)
        total.grades.update(row.grades)
        total.overdue += row.overdue
        ordered.append(row)
    objections = Objection.objects.filter(assessment__campaign=campaign, answered_at__isnull=True).count()
    return Dashboard(campaign=campaign, rows=ordered, total=total, objections=objections)


@dataclass
class CountyRow:
    code: str
    name: str
    campaign: Campaign | None
    total: int = 0
    done: int = 0
    grades: Counter = field(default_factory=Counter)
    rewards: int = 0
    no_renewals: int = 0

    def grade_counts(self) -> list[int]:
        return [self.grades.get(value, 0) for value, _label in Grade.choices]


def city_report(prefixes: list[str], year: int) -> list[CountyRow]:
    """Per county of the user's area: the campaign's state, progress, grades (3 queries)."""
    counties = Division.objects.none()
    for prefix in prefixes:
        counties = counties | Division.objects.counties().within(prefix[:6] if len(prefix) > 6 else prefix)
    counties = list(counties.order_by("code"))
    campaigns = {
        c.county_id: c for c in Campaign.objects.filter(year=year, county__in=[c.code for c in counties])
    }
    rows = {c.code: CountyRow(c.code, c.name, campaigns.get(c.code)) for c in counties}
    figures = (
        Assessment.objects.filter(campaign__in=list(campaigns.values()))
        .values("campaign__county_id", "stage", "grade", "recommendation")
        .annotate(n=Count("pk"))
    )
    for item in figures:
        row = rows[item["campaign__county_id"]]
        row.total += item["n"]
        if item["stage"] == Assessment.Stage.DONE:
            row.done += item["n"]
        if item["grade"]:
            row.grades[item["grade"]] += item["n"]
        if item["recommendation"] == Recommendation.REWARD:
            row.rewards += item["n"]
        if item["recommendation"] == Recommendation.NO_RENEWAL:
            row.no_renewals += item["n"]
    return list(rows.values())


def result_rows(campaign: Campaign):
    """The campaign's assessments with what both the export and the publication need."""
    return (
        Assessment.objects.filter(campaign=campaign)
        .select_related("village__parent", "contract__adviser__firm")
        .order_by("village_id", "pk")
    )


def export_sheets(campaign: Campaign):
    """The bureau's XLSX: one row per assessment, a column per indicator (write-only sheets)."""
    indicators = list(campaign.table.indicators.all()) if campaign.table_id else []
    scores = defaultdict(dict)
    for assessment_id, indicator_id, points, na, insufficient in IndicatorScore.objects.filter(
        assessment__campaign=campaign
    ).values_list("assessment_id", "indicator_id", "points", "not_applicable", "insufficient"):
        scores[assessment_id][indicator_id] = (
            "不适用" if na else ("样本不足" if insufficient and points is None else points)
        )
    headings = [
        "乡镇(街道)",
        "村(社区)",
        "区划代码",
        "法律顾问",
        "所在机构",
        "进度",
        *[f"{i.name}（{i.max_points}）" for i in indicators],
        "得分",
        "适用满分",
        "得分率%",
        "等次",
        "处理意见",
        "奖励金额",
        "整改期限",
        "测评问卷",
        "满意",
        "基本满意",
        "不满意",
    ]

    def rows():
        for a in result_rows(campaign).iterator(chunk_size=500):
            adviser = a.contract.adviser
            yield [
                a.village.parent.name if a.village.parent_id else "",
                a.village.name,
                a.village_id,
                adviser.name,
                adviser.firm.name,
                a.get_stage_display(),
                *[scores[a.pk].get(i.pk, "") for i in indicators],
                a.total_points,
                a.max_points,
                a.percent,
                a.get_grade_display(),
                a.get_recommendation_display(),
                a.reward_amount,
                a.improvement_deadline.isoformat() if a.improvement_deadline else "",
                a.questionnaires,
                a.satisfied,
                a.basically_satisfied,
                a.not_satisfied,
            ]

    return [(f"{campaign.year}年度考评", headings, rows())]


def last_published(adviser_id: int) -> Assessment | None:
    """The adviser's most recent published result (the public adviser page shows its grade)."""
    return (
        Assessment.objects.filter(
            adviser_id=adviser_id, campaign__state=Campaign.State.PUBLISHED, grade__gt=""
        )
        .select_related("campaign__county")
        .order_by("-campaign__year", "-campaign__published_at")
        .first()
    )
