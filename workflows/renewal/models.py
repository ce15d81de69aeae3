"""The renewal process of one ending contract, and what each step decided.

"由村(居)委会与律师事务所、律师进行双向选择。双向无法选择时，由县(市、区)司法机关根据公平合理和
节约成本原则配置确定" (崇政办发〔2017〕101号 二(一)3) and "对按工作职责要求完成任务的，提出继续聘用
的建议 … 视情况提出不再继续聘用的意见" (三(二)). One process per ending contract (a database
constraint, so the daily sweep and an assessment starting it at the same moment make one); it
ends with a successor contract — the same adviser's renewal or another adviser's allocation — so
the village is never left without an adviser.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from advisers.models import ServiceContract
from places import codes
from places.models import Division
from workflows.models import ScopedProcess


class Renewal(ScopedProcess):
    """续聘: the committee's opinion, the rule checks, the bureau's decision and the successor."""

    class Reason(models.TextChoices):
        DUE = "due", _("合同期满前60天自动发起")
        CONTINUE = "continue", _("年度考核建议继续聘用")
        REWARD = "reward", _("年度考核建议奖励并继续聘用")

    class State(models.TextChoices):
        COMMITTEE = "committee", _("待村(居)委会发表意见")
        DECISION = "decision", _("待县级司法局决定")
        REALLOCATION = "reallocation", _("不再续聘，待司法局另行选配顾问")
        RENEWED = "renewed", _("已续聘")
        REALLOCATED = "reallocated", _("已另行选配顾问")

    class Decision(models.TextChoices):
        RENEW = "renew", _("续聘")
        NOT_RENEW = "not_renew", _("不再续聘")

    contract = models.OneToOneField(
        ServiceContract,
        verbose_name=_("到期合同"),
        on_delete=models.PROTECT,
        related_name="renewal",
    )
    village = models.ForeignKey(
        Division,
        verbose_name=_("村(社区)"),
        on_delete=models.PROTECT,
        related_name="renewals",
        limit_choices_to={"level": codes.VILLAGE},
    )
    reason = models.CharField(_("发起原因"), max_length=10, choices=Reason.choices, default=Reason.DUE)
    state = models.CharField(
        _("续聘状态"), max_length=12, choices=State.choices, default=State.COMMITTEE, db_index=True
    )

    committee_agrees = models.BooleanField(_("村(居)委会同意续聘"), null=True)
    committee_reasons = models.TextField(_("村(居)委会意见和理由"), blank=True)
    committee_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    committee_at = models.DateTimeField(_("村(居)委会发表意见时间"), null=True, blank=True)

    #: The rule checks at the time of the committee's opinion: [{"code", "ok", "blocking", "message"}].
    checks = models.JSONField(_("规则核查"), default=list, blank=True)
    checked_at = models.DateTimeField(_("核查时间"), null=True, blank=True)

    decision = models.CharField(_("司法局决定"), max_length=10, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(_("决定理由"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)

    successor = models.OneToOneField(
        ServiceContract,
        verbose_name=_("新合同"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewed_from",
    )
    committee_agreed_successor = models.BooleanField(_("村(居)委会同意新顾问"), default=False)
    firm_agreed_successor = models.BooleanField(_("律师事务所同意"), default=False)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("续聘")
        verbose_name_plural = _("续聘")
        ordering = ["-created"]
        default_permissions = ("add", "change", "delete", "view", "manage")
        permissions = [
            ("give_opinion_renewal", "村(居)委会就续聘发表意见"),
            ("decide_renewal", "县级司法局作出续聘决定、另行选配顾问"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} 续聘 #{self.pk}"

    @property
    def blocking_checks(self) -> list[dict]:
        return [c for c in self.checks or () if c.get("blocking") and not c.get("ok")]

    @property
    def may_renew(self) -> bool:
        """Renewal of the same adviser is open unless a binding rule fails (cap, grade 不合格)."""
        return not self.blocking_checks
