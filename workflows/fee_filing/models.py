"""The fee filing's records: the filing (a `ScopedProcess`) and its supporting files.

The tables keep their names from when the filing lived in the engine app (`workflows_feefiling`,
`workflows_feefilingattachment`): the move into this package was a state-only migration, no
data moved.
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
from ledger.validators import validate_half_hours, validate_no_personal_numbers
from places import codes
from places.models import Division
from workflows.models import ScopedProcess


class FeeFiling(ScopedProcess):
    """A fee-charging or fee-reduced/waived service filed with the county bureau (收费/减免备案).

    "提供需另行收费的法律服务，须报县(市、区)司法行政机关备案" and drafting documents or taking
    part in litigation for villagers "应酌情减免服务费用" (崇政办发〔2017〕101号 二(二)2, 三(一)).
    No villager's identity is required; a client name, when given, is shown only to the adviser
    and the competent bureau, never logged and never indexed.
    """

    class ClientType(models.TextChoices):
        VILLAGER = "villager", _("村(居)民个人")
        COMMITTEE = "committee", _("村(居)民委员会")
        COLLECTIVE = "collective", _("村(居)集体经济组织")
        ORGANISATION = "organisation", _("村(社区)内企业或其他组织")

    class ServiceType(models.TextChoices):
        DOCUMENTS = "documents", _("代写、修改法律文书")
        LITIGATION = "litigation", _("代理诉讼")
        ARBITRATION = "arbitration", _("代理仲裁")
        NON_LITIGATION = "non_litigation", _("代理非诉讼法律事务")
        SPECIAL_COUNSEL = "special_counsel", _("专项法律顾问服务")
        OTHER = "other", _("其他")

    class Basis(models.TextChoices):
        CHARGED = "charged", _("按标准收费")
        REDUCED = "reduced", _("减收")
        WAIVED = "waived", _("免收")

    class Reason(models.TextChoices):
        HARDSHIP = "hardship", _("经济困难")
        LEGAL_AID = "legal_aid", _("符合法律援助条件")
        VULNERABLE = "vulnerable", _("老年人、残疾人、未成年人、军人军属等特殊群体")
        PUBLIC_INTEREST = "public_interest", _("村(社区)公益事项")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待司法局审核")
        RETURNED = "returned", _("已退回，待顾问修改")
        APPROVED = "approved", _("已备案通过")
        REJECTED = "rejected", _("不予备案")
        REFERRED = "referred", _("已转法律援助")
        WITHDRAWN = "withdrawn", _("已撤回")

    village = models.ForeignKey(
        Division,
        verbose_name=_("村(社区)"),
        on_delete=models.PROTECT,
        related_name="fee_filings",
        limit_choices_to={"level": codes.VILLAGE},
    )
    client_type = models.CharField(_("服务对象类型"), max_length=20, choices=ClientType.choices)
    client_name = models.CharField(
        _("服务对象姓名或名称（选填）"),
        max_length=60,
        blank=True,
        help_text=_("仅您本人和县级司法局可见，不会公开、不进入检索，也不写入日志。"),
    )
    service_type = models.CharField(_("服务类型"), max_length=20, choices=ServiceType.choices)
    service_date = models.DateField(_("服务日期"), help_text=_("提供服务或接受委托的日期。"))
    hours = models.DecimalField(
        _("服务时长（小时）"),
        max_digits=4,
        decimal_places=1,
        validators=[
            MinValueValidator(Decimal("0.5")),
            MaxValueValidator(Decimal("12")),
            validate_half_hours,
        ],
        help_text=_("备案通过后计入工作台账。"),
    )
    description = models.TextField(
        _("事项简述"),
        max_length=500,
        validators=[validate_no_personal_numbers],
        help_text=_("如：代写赡养纠纷起诉状。请勿填写身份证号、电话、住址等个人信息。"),
    )
    basis = models.CharField(_("收费方式"), max_length=10, choices=Basis.choices)
    standard_fee = models.DecimalField(
        _("收费标准（元）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("按律师服务收费标准应收取的金额。"),
    )
    fee_charged = models.DecimalField(
        _("实收金额（元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    reduction_reason = models.CharField(_("减免理由"), max_length=20, choices=Reason.choices, blank=True)
    reduction_detail = models.CharField(
        _("减免说明"), max_length=300, blank=True, help_text=_("减收或免收时简要说明依据。")
    )
    state = models.CharField(
        _("备案状态"), max_length=12, choices=State.choices, default=State.SUBMITTED, db_index=True
    )
    decision_reason = models.TextField(_("审核意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    ledger_entry = models.OneToOneField(
        "ledger.LedgerEntry",
        verbose_name=_("台账记录"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fee_filing",
    )
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("收费/减免备案")
        verbose_name_plural = _("收费/减免备案")
        db_table = "workflows_feefiling"
        ordering = ["-created"]
        default_permissions = ("add", "change", "delete", "view", "manage")
        permissions = [("review_feefiling", "审核收费/减免备案")]

    def __str__(self) -> str:
        # Never the client's name: this string reaches lists, logs and the audit trail.
        return f"{self.get_service_type_display()}（{self.get_basis_display()}）#{self.pk}"

    @property
    def reduction(self) -> Decimal:
        return (self.standard_fee or Decimal("0")) - (self.fee_charged or Decimal("0"))

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.service_date and self.service_date > timezone.localdate():
            errors["service_date"] = _("服务日期不能晚于今天。")
        if self.village_id:
            village = Division.objects.filter(code=self.village_id).first()
            if village is None or village.level != codes.VILLAGE:
                errors["village"] = _("请选择村(社区)。")
        standard, charged = self.standard_fee, self.fee_charged
        if standard is not None and charged is not None:
            if charged > standard:
                errors["fee_charged"] = _("实收金额不能高于收费标准。")
            elif self.basis == self.Basis.CHARGED and charged != standard:
                errors["fee_charged"] = _("按标准收费时，实收金额应等于收费标准；少收请选择“减收”。")
            elif self.basis == self.Basis.REDUCED and not (Decimal("0") < charged < standard):
                errors["fee_charged"] = _("减收时，实收金额应大于0且低于收费标准；不收费请选择“免收”。")
            elif self.basis == self.Basis.WAIVED and charged != 0:
                errors["fee_charged"] = _("免收时，实收金额应为0。")
        if self.basis in (self.Basis.REDUCED, self.Basis.WAIVED) and not self.reduction_reason:
            errors["reduction_reason"] = _("减收或免收须说明理由。")
        if self.basis == self.Basis.CHARGED and self.reduction_reason:
            errors["reduction_reason"] = _("按标准收费时无需填写减免理由。")
        if self.reduction_reason == self.Reason.OTHER and not self.reduction_detail.strip():
            errors["reduction_detail"] = _("理由为“其他”时，请简要说明。")
        if (
            self.adviser_id
            and self.village_id
            and self.service_date
            and "service_date" not in errors
            and not ServiceContract.objects.in_force(self.service_date)
            .filter(adviser_id=self.adviser_id, village_id=self.village_id)
            .exists()
        ):
            errors["village"] = _("%(date)s 您与该村(社区)没有有效的聘用合同。") % {
                "date": self.service_date.isoformat()
            }
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        if self.village_id and not self.scope_code:
            self.scope_code = self.village_id
        if self.basis == self.Basis.CHARGED:
            self.reduction_reason = ""
        super().save(*args, **kwargs)


def _attachment_path(instance: FeeFilingAttachment, filename: str) -> str:
    return f"fee-filings/{timezone.now():%Y/%m}/{filename}"


class FeeFilingAttachment(models.Model):
    """A supporting file (fee agreement, proof of hardship, legal-aid eligibility)."""

    filing = models.ForeignKey(FeeFiling, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to=_attachment_path, storage=private_storage)
    title = models.CharField(_("说明"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("备案附件")
        verbose_name_plural = _("备案附件")
        db_table = "workflows_feefilingattachment"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title or self.file.name.rsplit("/", 1)[-1]
