"""Indicator tables, campaigns and the assessment of each contract (年度考评).

崇政办发〔2017〕101号 四(一): the county bureau "负责对村(社区)法律顾问工作进行考核", with the
village committee's opinion and the villagers' satisfaction (三(二)); the result decides renewal
and the case-based subsidy (五(二) 以案定补). The rules live in `services` and `indicators`; the
models hold what was decided and check only what a single row can.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advisers.models import ServiceContract
from ledger.storage import private_storage
from places import codes
from places.models import Division
from workflows.models import ScopedProcess

ZERO = Decimal("0")
HUNDRED = Decimal("100")


class Scorer(models.TextChoices):
    """Who gives an indicator its points, i.e. at which step of the flow it is scored."""

    LEDGER = "ledger", _("工作台账（系统计算）")
    SELF = "self", _("顾问自评")
    COMMITTEE = "committee", _("村(居)委会")
    REPRESENTATIVES = "representatives", _("村(居)民代表测评")
    TOWNSHIP = "township", _("司法所")
    BUREAU = "bureau", _("县级司法局")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    FAILED = "failed", _("不合格")


class Recommendation(models.TextChoices):
    """What the bureau decides with the grade (三(二), 五(二))."""

    CONTINUE = "continue", _("继续聘用")
    REWARD = "reward", _("奖励（以案定补）")
    IMPROVE = "improve", _("限期整改")
    NO_RENEWAL = "no_renewal", _("不再续聘")


class IndicatorTable(models.Model):
    """A county's (or, for all its counties, the city's) indicator table for one year.

    The grade bands are part of the table: a total at or above `excellent_min` per cent of the
    points that apply is 优秀, and so on down to 不合格 below `basic_min`.
    """

    area = models.ForeignKey(
        Division,
        verbose_name=_("适用地区"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("县(市、区)，或市（适用于其所辖各县(市、区)）。"),
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2017), MaxValueValidator(2100)]
    )
    title = models.CharField(_("名称"), max_length=100)
    excellent_min = models.DecimalField(
        _("优秀（不低于，%）"), max_digits=5, decimal_places=2, default=Decimal("90")
    )
    qualified_min = models.DecimalField(
        _("合格（不低于，%）"), max_digits=5, decimal_places=2, default=Decimal("75")
    )
    basic_min = models.DecimalField(
        _("基本合格（不低于，%）"), max_digits=5, decimal_places=2, default=Decimal("60")
    )
    min_questionnaires = models.PositiveSmallIntegerField(
        _("每村最少测评问卷数"),
        default=10,
        validators=[MinValueValidator(1)],
        help_text=_("少于该数量时，群众满意度指标标记为“样本不足”，由县级司法局核定。"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("考评指标表")
        verbose_name_plural = _("考评指标表")
        ordering = ["-year", "area_id"]
        constraints = [models.UniqueConstraint(fields=["area", "year"], name="indicator_table_once")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.area_id:
            area = Division.objects.filter(code=self.area_id).first()
            if area is None or area.level not in (codes.COUNTY, codes.CITY):
                errors["area"] = _("指标表适用于县(市、区)或市。")
        bands = (self.basic_min, self.qualified_min, self.excellent_min)
        if all(b is not None for b in bands) and not (ZERO < bands[0] < bands[1] < bands[2] <= HUNDRED):
            errors["excellent_min"] = _("等次分数线须满足：0 < 基本合格 < 合格 < 优秀 ≤ 100。")
        if errors:
            raise ValidationError(errors)

    def grade_for(self, percent: Decimal) -> str:
        if percent >= self.excellent_min:
            return Grade.EXCELLENT
        if percent >= self.qualified_min:
            return Grade.QUALIFIED
        if percent >= self.basic_min:
            return Grade.BASIC
        return Grade.FAILED


class Indicator(models.Model):
    """One line of an indicator table: what is scored, out of how much, by whom, on what evidence."""

    table = models.ForeignKey(IndicatorTable, on_delete=models.CASCADE, related_name="indicators")
    key = models.SlugField(
        _("代码"),
        max_length=40,
        help_text=_("系统计算的指标以代码对应计算方法，如 on_site_hours。"),
    )
    name = models.CharField(_("指标"), max_length=100)
    max_points = models.DecimalField(
        _("分值"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(HUNDRED)],
    )
    rule = models.TextField(_("评分（扣分）办法"), max_length=500)
    scorer = models.CharField(_("评分主体"), max_length=20, choices=Scorer.choices)
    evidence = models.CharField(_("所需佐证材料"), max_length=200, blank=True)
    optional = models.BooleanField(
        _("可不适用"),
        default=False,
        help_text=_("如“响应群众需求”：本年度没有群众提出需求时，评分主体可标记为不适用，不计入总分。"),
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["table", "key"], name="indicator_key_once")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}分）"

    def clean(self) -> None:
        from .indicators import COMPUTED_KEYS

        if self.scorer == Scorer.LEDGER and self.key not in COMPUTED_KEYS:
            # On the scorer: the form changes the scorer, the key is the table's own business.
            raise ValidationError(
                {
                    "scorer": _("系统计算的指标须使用以下代码之一：%(keys)s")
                    % {"keys": "、".join(COMPUTED_KEYS)}
                }
            )


class Campaign(models.Model):
    """One county's assessment of one year: launched once, closed, then published (公示)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("未发起")
        LAUNCHED = "launched", _("考评中")
        CLOSED = "closed", _("已结束，待公示")
        PUBLISHED = "published", _("已公示")

    county = models.ForeignKey(
        Division,
        verbose_name=_("县(市、区)"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": codes.COUNTY},
    )
    year = models.PositiveSmallIntegerField(
        _("考评年度"), validators=[MinValueValidator(2017), MaxValueValidator(2100)]
    )
    table = models.ForeignKey(
        IndicatorTable,
        verbose_name=_("指标表"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    launched_at = models.DateTimeField(_("发起时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    publication_days = models.PositiveSmallIntegerField(
        _("公示期（工作日）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    objection_deadline = models.DateTimeField(_("异议截止"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("考评活动")
        verbose_name_plural = _("考评活动")
        ordering = ["-year", "county_id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="campaign_once_per_county_year")
        ]
        permissions = [
            ("launch_campaign", "发起、结束和公示年度考评"),
            ("view_campaign_report", "查看年度考评汇总（市级）"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年度{self.county.name if self.county_id else ''}法律顾问考评"

    @property
    def is_public(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def objections_open(self) -> bool:
        return bool(
            self.state == self.State.PUBLISHED
            and self.objection_deadline
            and timezone.now() <= self.objection_deadline
        )


class Assessment(ScopedProcess):
    """The assessment of one contract in one campaign: a process of `AssessmentFlow` and its result.

    Other flows read the result with a plain query, e.g. the renewal and the payments:
    `Assessment.objects.filter(contract=c, campaign__year=2025).values("grade", "recommendation",
    "reward_amount")`.
    """

    class Stage(models.TextChoices):
        SELF_REPORT = "self_report", _("待顾问自评")
        COMMITTEE = "committee", _("待村(居)委会评议")
        TOWNSHIP = "township", _("待司法所初评")
        BUREAU = "bureau", _("待司法局评定")
        ACKNOWLEDGE = "acknowledge", _("待顾问确认整改通知")
        DONE = "done", _("已完成")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("考评活动"), on_delete=models.PROTECT, related_name="assessments"
    )
    contract = models.ForeignKey(
        ServiceContract, verbose_name=_("聘用合同"), on_delete=models.PROTECT, related_name="assessments"
    )
    village = models.ForeignKey(
        Division, verbose_name=_("村(社区)"), on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(
        _("进度"), max_length=12, choices=Stage.choices, default=Stage.SELF_REPORT, db_index=True
    )
    self_summary = models.TextField(_("年度述职"), max_length=3000, blank=True)
    self_reported_at = models.DateTimeField(_("自评时间"), null=True, blank=True)
    committee_opinion = models.TextField(_("村(居)委会意见"), max_length=2000, blank=True)
    committee_at = models.DateTimeField(_("评议时间"), null=True, blank=True)
    questionnaires = models.PositiveSmallIntegerField(_("测评问卷数"), null=True, blank=True)
    satisfied = models.PositiveSmallIntegerField(_("满意"), null=True, blank=True)
    basically_satisfied = models.PositiveSmallIntegerField(_("基本满意"), null=True, blank=True)
    not_satisfied = models.PositiveSmallIntegerField(_("不满意"), null=True, blank=True)
    township_opinion = models.TextField(_("司法所初评意见"), max_length=2000, blank=True)
    township_at = models.DateTimeField(_("初评时间"), null=True, blank=True)
    total_points = models.DecimalField(_("得分"), max_digits=6, decimal_places=1, null=True, blank=True)
    max_points = models.DecimalField(_("适用指标满分"), max_digits=6, decimal_places=1, null=True, blank=True)
    percent = models.DecimalField(_("得分率（%）"), max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices, blank=True, db_index=True)
    recommendation = models.CharField(
        _("处理意见"), max_length=12, choices=Recommendation.choices, blank=True
    )
    reward_amount = models.DecimalField(
        _("奖励金额（元）"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    improvement_items = models.TextField(_("整改事项"), max_length=2000, blank=True)
    improvement_deadline = models.DateField(_("整改期限"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("顾问确认时间"), null=True, blank=True)
    no_renewal_reasons = models.TextField(_("不再续聘的理由"), max_length=2000, blank=True)
    bureau_opinion = models.TextField(_("司法局评定意见"), max_length=2000, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("年度考评")
        verbose_name_plural = _("年度考评")
        ordering = ["village_id"]
        default_permissions = ("add", "change", "delete", "view", "manage")
        permissions = [
            ("submit_selfreport", "提交年度考评自评（法律顾问）"),
            ("give_committee_opinion", "年度考评评议（村(居)委会）"),
            ("give_township_opinion", "年度考评初评（司法所）"),
            ("score_assessment", "年度考评评分与评定（县级司法局）"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contract"], name="assessment_once_per_contract")
        ]

    def __str__(self) -> str:
        return f"{self.campaign.year}年度考评 #{self.pk}" if self.campaign_id else f"年度考评 #{self.pk}"

    def save(self, *args, **kwargs) -> None:
        if self.village_id and not self.scope_code:
            self.scope_code = self.village_id
        super().save(*args, **kwargs)


class IndicatorScore(models.Model):
    """The points one indicator got in one assessment, and who (or what) gave them."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("指标"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    not_applicable = models.BooleanField(_("不适用"), default=False)
    insufficient = models.BooleanField(_("样本不足"), default=False)
    computed = models.BooleanField(_("系统计算"), default=False)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["indicator__sort_order", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="score_once_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name}: {self.points}"


def _evidence_path(instance: EvidenceFile, filename: str) -> str:
    return f"assessments/{timezone.now():%Y/%m}/{filename}"


class EvidenceFile(models.Model):
    """A file backing the adviser's self-report (sign-in sheets, photos); private, served by scope."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("佐证材料"), upload_to=_evidence_path, storage=private_storage)
    title = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]


class Objection(models.Model):
    """An objection to a published result, lodged for the firm during the 公示 period."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("年度考评"), on_delete=models.CASCADE, related_name="objections"
    )
    text = models.TextField(_("异议内容"), max_length=2000)
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lodged_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    answer = models.TextField(_("答复"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["-lodged_at"]

    def __str__(self) -> str:
        return f"{self.assessment} 异议 #{self.pk}"
