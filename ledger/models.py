"""What advisers record of their work, and the trainings bureaus hold.

崇政办发〔2017〕101号 三(一): "村(社区)法律顾问开展工作应及时记入工作台账，作为工作考评的重要依据".
The compliance figures (5 hours a month, 1 lecture a year, 1 training a year) are computed from
these rows by `ledger.compliance`, never typed in.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advisers.models import Adviser, ServiceContract
from places import codes
from places.models import Division

from .storage import private_storage
from .validators import validate_half_hours, validate_no_personal_numbers

MAX_HOURS_PER_ENTRY = Decimal("12")


class LedgerEntry(models.Model):
    """One piece of work for one village on one day."""

    class Kind(models.TextChoices):
        ON_DUTY = "on_duty", _("驻点值班")
        CONSULTATION = "consultation", _("法律咨询")
        DOCUMENTS = "documents", _("起草/审核文书")
        MEDIATION = "mediation", _("参与调解")
        LECTURE = "lecture", _("法制讲座")
        LEGAL_AID_REFERRAL = "legal_aid", _("法律援助转介")
        LITIGATION = "litigation", _("代理诉讼")
        DECISION_OPINION = "decision", _("重大决策法律意见")
        ELECTION = "election", _("换届选举法律问题")
        OTHER = "other", _("其他")

    class Confirmation(models.TextChoices):
        PENDING = "pending", _("待村(居)委会确认")
        CONFIRMED = "confirmed", _("已确认")
        DISPUTED = "disputed", _("有异议")
        NOT_NEEDED = "not_needed", _("无需确认")

    adviser = models.ForeignKey(
        Adviser, verbose_name=_("法律顾问"), on_delete=models.PROTECT, related_name="ledger_entries"
    )
    village = models.ForeignKey(
        Division,
        verbose_name=_("村(社区)"),
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        limit_choices_to={"level": codes.VILLAGE},
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("工作类型"), max_length=20, choices=Kind.choices)
    on_site = models.BooleanField(
        _("到村(社区)服务"),
        default=True,
        help_text=_("在村(社区)现场提供的服务计入每月不少于5小时的驻点要求，须村(居)委会确认。"),
    )
    hours = models.DecimalField(
        _("时长（小时）"),
        max_digits=4,
        decimal_places=1,
        validators=[
            MinValueValidator(Decimal("0.5")),
            MaxValueValidator(MAX_HOURS_PER_ENTRY),
            validate_half_hours,
        ],
    )
    people_served = models.PositiveIntegerField(_("服务人数"), default=0)
    summary = models.TextField(
        _("工作摘要"),
        max_length=1000,
        validators=[validate_no_personal_numbers],
        help_text=_("简要说明所做工作。请勿填写群众的姓名、身份证号、电话等个人信息。"),
    )
    confirmation = models.CharField(
        _("确认状态"), max_length=12, choices=Confirmation.choices, default=Confirmation.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    dispute_reason = models.CharField(_("异议说明"), max_length=300, blank=True)
    lecture = models.OneToOneField(
        "content.Lecture",
        verbose_name=_("法制讲座"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="ledger_entry",
        help_text=_("由讲座举办记录自动生成的台账记录。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("台账记录")
        verbose_name_plural = _("工作台账")
        ordering = ["-date", "-id"]
        permissions = [("confirm_ledgerentry", "确认或提出异议：驻点服务记录（村(居)委会）")]
        indexes = [
            models.Index(fields=["village", "date"], name="ledger_village_date"),
            models.Index(fields=["adviser", "date"], name="ledger_adviser_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.village} {self.get_kind_display()}"

    def save(self, *args, **kwargs) -> None:
        # Only on-site work needs the committee's confirmation (policy: 到村(社区)服务).
        if not self.on_site:
            self.confirmation = self.Confirmation.NOT_NEEDED
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.date and self.date > timezone.localdate():
            errors["date"] = _("不能登记将来日期的工作。")
        if self.village_id and self.village.level != codes.VILLAGE:
            errors["village"] = _("只能为村(社区)登记台账。")
        if self.adviser_id and self.village_id and self.date and "date" not in errors:
            serves = (
                ServiceContract.objects.in_force(self.date)
                .filter(adviser_id=self.adviser_id, village_id=self.village_id)
                .exists()
            )
            if not serves:
                errors["village"] = _("%(date)s 该顾问与此村(社区)没有有效的聘用合同，不能登记台账。") % {
                    "date": self.date.isoformat()
                }
        if errors:
            raise ValidationError(errors)

    @property
    def counts_on_site(self) -> bool:
        return self.on_site and self.confirmation == self.Confirmation.CONFIRMED

    @property
    def source(self) -> str:
        """Where an automatic entry comes from ("" for what the adviser typed)."""
        if self.lecture_id:
            return "lecture"
        from .sources import source_of

        found = source_of(self)
        return found.code if found else ""

    @property
    def is_locked(self) -> bool:
        """Confirmed entries, and entries made from a lecture or by another app (a fee filing:
        `ledger.sources`), are not edited here."""
        return self.confirmation == self.Confirmation.CONFIRMED or bool(self.source)

    def confirm(self, user) -> None:
        """The village committee confirms on-site work (policy: 到村(社区)服务, committee's opinion)."""
        self.confirmation = self.Confirmation.CONFIRMED
        self.confirmed_by = user
        self.confirmed_at = timezone.now()
        self.dispute_reason = ""
        self.save(
            update_fields=["confirmation", "confirmed_by", "confirmed_at", "dispute_reason", "updated_at"]
        )

    def dispute(self, user, reason: str) -> None:
        if not reason.strip():
            raise ValidationError({"dispute_reason": _("请说明异议理由。")})
        self.confirmation = self.Confirmation.DISPUTED
        self.confirmed_by = user
        self.confirmed_at = timezone.now()
        self.dispute_reason = reason.strip()[:300]
        self.save(
            update_fields=["confirmation", "confirmed_by", "confirmed_at", "dispute_reason", "updated_at"]
        )


class LedgerAttachment(models.Model):
    """A file backing an entry (sign-in sheet, photo, document draft)."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="ledger/%Y/%m/", storage=private_storage)
    title = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("台账附件")
        verbose_name_plural = _("台账附件")

    def __str__(self) -> str:
        return self.title or self.file.name


class Training(models.Model):
    """A training the bureau holds; advisers attend at least one a year (四(一) 建立培训制度)."""

    title = models.CharField(_("培训名称"), max_length=200)
    date = models.DateField(_("日期"))
    # A training of no length is not a training attended (四(一): 每年至少参加1次培训).
    hours = models.DecimalField(
        _("学时"),
        max_digits=4,
        decimal_places=1,
        default=Decimal("3"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("80"))],
    )
    place = models.CharField(_("地点"), max_length=200, blank=True)
    organiser = models.ForeignKey(
        Division,
        verbose_name=_("组织单位所在地"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("举办培训的市、县(市、区)司法局所在地。"),
    )
    attendees = models.ManyToManyField(
        Adviser,
        verbose_name=_("参训顾问"),
        through="TrainingAttendance",
        related_name="trainings",
        blank=True,
    )
    is_demo = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("培训")
        verbose_name_plural = _("培训")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class TrainingAttendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE)
    adviser = models.ForeignKey(Adviser, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("参训记录")
        verbose_name_plural = _("参训记录")
        constraints = [models.UniqueConstraint(fields=["training", "adviser"], name="training_once")]

    def __str__(self) -> str:
        return f"{self.training} — {self.adviser}"
