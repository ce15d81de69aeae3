"""The county's yearly programme funding and the payments of each contract's annual fee.

"各县(市、区)级政府购买一村(社区)一法律顾问经费财政预算保障标准应不低于每村(社区)每年3000元"; the
region's subsidy is "约2000元/村(社区)"; the bureau pays the firm "根据政府购买服务以及律师履行协议
开展工作情况，充分征求村(居委会)意见后" (崇政办发〔2017〕101号 五(二)). The rules of a payment live
in `funding.rules`, called from `clean()` (forms) and again from `save()` (every other path).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from advisers.models import ServiceContract
from places import codes
from places.models import Division

DEFAULT_WITHHELD_PERCENT = Decimal("30")


def default_regional_subsidy() -> Decimal:
    return Decimal(str(getattr(settings, "PORTAL_REGIONAL_SUBSIDY_PER_VILLAGE", "2000")))


class CountyFundingRule(models.Model):
    """A county's rule on what an assessment changes in the payment (a county setting)."""

    county = models.OneToOneField(
        Division,
        verbose_name=_("县(市、区)"),
        on_delete=models.PROTECT,
        related_name="funding_rule",
        limit_choices_to={"level": codes.COUNTY},
    )
    withheld_percent_failed = models.DecimalField(
        _("考核不合格扣减比例（%）"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_WITHHELD_PERCENT,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("年度考核“不合格”的合同，当年服务费扣减的比例，按本县规定填写。"),
    )
    note = models.CharField(_("依据"), max_length=300, blank=True, help_text=_("如：县司法局文件文号。"))

    class Meta:
        verbose_name = _("经费扣减规则")
        verbose_name_plural = _("经费扣减规则")
        ordering = ["county_id"]

    def __str__(self) -> str:
        return f"{self.county_id} {self.withheld_percent_failed}%"


class CountyBudget(models.Model):
    """What the county budgeted for the programme in a year, as the bureau entered it."""

    county = models.ForeignKey(
        Division,
        verbose_name=_("县(市、区)"),
        on_delete=models.PROTECT,
        related_name="programme_budgets",
        limit_choices_to={"level": codes.COUNTY},
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2014), MaxValueValidator(2100)]
    )
    budget = models.DecimalField(
        _("本级财政预算（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    regional_subsidy_per_village = models.DecimalField(
        _("自治区奖补（元/村）"),
        max_digits=10,
        decimal_places=2,
        default=default_regional_subsidy,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("自治区财政奖补资金，约2000元/村(社区)。"),
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("年度经费预算")
        verbose_name_plural = _("年度经费预算")
        ordering = ["-year", "county_id"]
        constraints = [models.UniqueConstraint(fields=["county", "year"], name="budget_once_per_county_year")]

    def __str__(self) -> str:
        return f"{self.county_id} {self.year}"


class Payment(models.Model):
    """The bureau's payment of one contract's annual fee for one year, to the adviser's firm.

    `standard`, `reward` and `withheld` are what the rules computed when it was recorded (the
    contract's fee for the days of the year it covers, the 以案定补 reward, the share withheld for
    不合格), kept so the record still says why after a later change.
    """

    contract = models.ForeignKey(
        ServiceContract, verbose_name=_("聘用合同"), on_delete=models.PROTECT, related_name="payments"
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2014), MaxValueValidator(2100)]
    )
    amount = models.DecimalField(
        _("支付金额（元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    paid_on = models.DateField(_("支付日期"))
    voucher_no = models.CharField(_("凭证号"), max_length=40)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    standard = models.DecimalField(_("当年应付服务费（元）"), max_digits=10, decimal_places=2, editable=False)
    reward = models.DecimalField(_("奖励（元）"), max_digits=10, decimal_places=2, default=0, editable=False)
    withheld = models.DecimalField(
        _("扣减（元）"), max_digits=10, decimal_places=2, default=0, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("服务费支付")
        verbose_name_plural = _("服务费支付")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="payment_once_per_contract_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.voucher_no}"

    def save(self, *args, **kwargs) -> None:
        from . import rules

        rules.save_payment(self, lambda: super(Payment, self).save(*args, **kwargs))

    def clean(self) -> None:
        from . import rules

        rules.check_payment(self)

    @property
    def payable(self) -> Decimal:
        return self.standard - self.withheld + self.reward
