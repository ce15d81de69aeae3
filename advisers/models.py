"""People and agreements of the programme. Ordinary models, never Wagtail pages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from places import codes
from places.models import Division

from . import schedule

phone_validator = RegexValidator(
    r"^[0-9\-+ ()]{5,20}$", _("请输入有效的电话号码（只含数字、空格、“-”和括号）。")
)

# A mainland mobile number: 11 digits from 13x to 19x, optionally after +86, grouped 3-4-4 or not.
mobile_validator = RegexValidator(
    r"^(\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}$",
    _("请输入11位手机号码，例如 13977112345。"),
)

DEFAULT_ADVISER_CAP = 5
DEFAULT_FEE_STANDARD = Decimal("3000")
# A contract ending within this many days with no successor signed is a renewal to prepare: the
# coverage dashboard, the contract list's filter and the renewal flow all count with this figure.
ENDING_WITHIN_DAYS = 60


class CountyBureau(models.Model):
    """A county judicial bureau (县(市、区)司法局): its contact and its programme settings.

    The 5-village cap is "in principle" (崇政办发〔2017〕101号 二(一)2), so each county may set its
    own; the fee standard is at least 3,000 yuan per village per year (五(二)).
    """

    county = models.OneToOneField(
        Division,
        verbose_name=_("县(市、区)"),
        on_delete=models.PROTECT,
        related_name="bureau",
        limit_choices_to={"level": codes.COUNTY},
    )
    name = models.CharField(_("司法局名称"), max_length=100)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[phone_validator])
    address = models.CharField(_("地址"), max_length=200, blank=True)
    adviser_cap = models.PositiveSmallIntegerField(
        _("每名顾问最多服务村(社区)数"),
        default=DEFAULT_ADVISER_CAP,
        validators=[MinValueValidator(1)],
        help_text=_("政策规定原则上不超过5个；县级可以调低，超过5个须由市级司法局设置并说明理由。"),
    )
    cap_reason = models.CharField(
        _("超过5个的理由"),
        max_length=300,
        blank=True,
        help_text=_("上限超过5个时必填，如：山区村(社区)规模小、律师资源不足。"),
    )
    fee_standard = models.DecimalField(
        _("每村每年服务费标准（元）"),
        max_digits=10,
        decimal_places=2,
        default=DEFAULT_FEE_STANDARD,
        validators=[
            MinValueValidator(
                DEFAULT_FEE_STANDARD,
                message=_("服务费标准不得低于每村每年3000元（崇政办发〔2017〕101号 五(二)）。"),
            )
        ],
        help_text=_("不低于每村每年3000元，县级可以调高。"),
    )

    class Meta:
        verbose_name = _("县级司法局")
        verbose_name_plural = _("县级司法局")
        ordering = ["county_id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A cap above the policy's 5 is an exception that must say why (原则上不得超过5个)."""
        if (self.adviser_cap or 0) > DEFAULT_ADVISER_CAP and not (self.cap_reason or "").strip():
            raise ValidationError({"cap_reason": _("上限超过5个时，请说明理由。")})


class Specialty(models.Model):
    """A field of law an adviser is experienced in (婚姻家庭, 土地权属, ...)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("业务专长")
        verbose_name_plural = _("业务专长")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Firm(models.Model):
    """A law firm (律师事务所) or basic-level legal service office (基层法律服务所)."""

    class Kind(models.TextChoices):
        LAW_FIRM = "law_firm", _("律师事务所")
        SERVICE_OFFICE = "service_office", _("基层法律服务所")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.LAW_FIRM)
    licence_no = models.CharField(_("执业许可证号"), max_length=40, blank=True)
    county = models.ForeignKey(
        Division,
        verbose_name=_("所在县(市、区)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": codes.COUNTY},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    office_phone = models.CharField(_("办公电话"), max_length=20, blank=True, validators=[phone_validator])
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("律师事务所/法律服务所")
        verbose_name_plural = _("律师事务所/法律服务所")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence_no"], condition=~models.Q(licence_no=""), name="firm_licence_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def delete(self, *args, **kwargs):
        from .protection import keep_firm

        keep_firm(type(self), self)  # before Django's own transaction, so a refusal breaks nothing
        return super().delete(*args, **kwargs)


def county_cap(county_code: str) -> int:
    """The adviser cap of a county: its bureau's setting, else the policy's 5 (二(一)2).

    `cap_of_county` below is the same lookup as an SQL expression; keep the two together.
    """
    cap = CountyBureau.objects.filter(county_id=county_code[:6]).values_list("adviser_cap", flat=True).first()
    return DEFAULT_ADVISER_CAP if cap is None else cap


def cap_of_county(county_ref: str | models.expressions.Combinable) -> models.Expression:
    """The adviser cap of the county named by `county_ref` (a code, or an OuterRef/F to one)."""
    if isinstance(county_ref, str):
        county_ref = models.Value(county_ref[:6])
    bureau = CountyBureau.objects.filter(county_id=county_ref).values("adviser_cap")[:1]
    return Coalesce(models.Subquery(bureau), models.Value(DEFAULT_ADVISER_CAP))


class AdviserQuerySet(models.QuerySet):
    """The one definition of an adviser's load against the cap (rules, dashboard, choosers, filters).

    Load: the villages an adviser serves under contracts in force on a day. Cap: the cap of the
    county asked about (`county=`, e.g. the county of the village to be contracted, or of the
    user's jurisdiction); without one, the smallest cap among the counties whose villages the
    adviser serves that day, so that "full" means full somewhere they work; an adviser serving no
    village has the policy's 5. Never the firm's county: the cap is the serving county's rule.
    """

    def with_load(self, on: dt.date | None = None, county: str | None = None) -> AdviserQuerySet:
        """Annotate `load` and `cap` (see the class docstring) for the day `on` (today by default)."""
        on = on or timezone.localdate()
        serving = ServiceContract.objects.in_force(on).filter(adviser=OuterRef("pk")).order_by()
        load = serving.values("adviser").annotate(n=models.Count("village", distinct=True)).values("n")
        if county:
            cap = cap_of_county(county)
        else:
            smallest = (
                serving.annotate(county_cap=cap_of_county(OuterRef("village__county_code")))
                .order_by("county_cap")
                .values("county_cap")[:1]
            )
            cap = Coalesce(models.Subquery(smallest), models.Value(DEFAULT_ADVISER_CAP))
        return self.annotate(load=Coalesce(models.Subquery(load), models.Value(0)), cap=cap)

    def at_cap(self, on: dt.date | None = None, county: str | None = None) -> AdviserQuerySet:
        """Advisers who may take no further village (load has reached the cap, or passed it)."""
        return self.with_load(on, county).filter(load__gte=F("cap"))

    def with_room(self, on: dt.date | None = None, county: str | None = None) -> AdviserQuerySet:
        """Advisers in post with room for another village."""
        return self.with_load(on, county).filter(load__lt=F("cap"), is_active=True)


# Longest bio or reputation text on the public adviser page (about two screens on a phone).
BIO_MAX_LENGTH = 2000


class Adviser(models.Model):
    """A lawyer (律师) or basic-level legal service worker (基层法律服务工作者) serving villages."""

    class Kind(models.TextChoices):
        LAWYER = "lawyer", _("律师")
        WORKER = "worker", _("基层法律服务工作者")

    class Gender(models.TextChoices):
        UNSPECIFIED = "", _("未填写")
        MALE = "m", _("男")
        FEMALE = "f", _("女")

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    kind = models.CharField(_("身份"), max_length=10, choices=Kind.choices, default=Kind.LAWYER)
    licence_no = models.CharField(_("执业证号"), max_length=40, unique=True)
    firm = models.ForeignKey(
        Firm, verbose_name=_("所在机构"), on_delete=models.PROTECT, related_name="advisers"
    )
    office_phone = models.CharField(
        _("办公电话"),
        max_length=20,
        blank=True,
        validators=[phone_validator],
        help_text=_("留空时公开所在机构的办公电话。"),
    )
    mobile = models.CharField(_("个人手机"), max_length=20, blank=True, validators=[mobile_validator])
    # PIPL art. 25: a personal number is published only with the person's separate consent.
    mobile_consent = models.BooleanField(
        _("同意公开个人手机"),
        default=False,
        help_text=_(
            "依《个人信息保护法》第二十五条，须本人单独同意方可公开。撤回同意后号码立即从页面和接口中移除。"
        ),
    )
    mobile_consent_at = models.DateTimeField(_("同意公开时间"), null=True, blank=True, editable=False)
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("照片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    specialties = models.ManyToManyField(Specialty, verbose_name=_("业务专长"), blank=True)
    # Free text shown on the public adviser page: bounded here (admin, import, shell) and in the
    # database, so that nobody can publish a megabyte page.
    bio = models.TextField(
        _("个人简介"), blank=True, max_length=BIO_MAX_LENGTH, validators=[MaxLengthValidator(BIO_MAX_LENGTH)]
    )
    practising_since = models.PositiveSmallIntegerField(
        _("开始执业年份"), null=True, blank=True, validators=[MinValueValidator(1950)]
    )
    reputation = models.TextField(
        _("业绩与信誉"),
        blank=True,
        max_length=BIO_MAX_LENGTH,
        validators=[MaxLengthValidator(BIO_MAX_LENGTH)],
        help_text=_("司法行政机关公布的近年业绩、信誉等情况（崇政办发〔2017〕101号 二(一)3）。"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adviser",
    )
    is_active = models.BooleanField(_("在岗"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AdviserQuerySet.as_manager()

    class Meta:
        verbose_name = _("法律顾问")
        verbose_name_plural = _("法律顾问")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("bio"), BIO_MAX_LENGTH),
                name="adviser_bio_length",
                violation_error_message=_("个人简介不能超过 2000 个字。"),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("reputation"), BIO_MAX_LENGTH),
                name="adviser_reputation_length",
                violation_error_message=_("业绩与信誉不能超过 2000 个字。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        # Record when consent was given; forget the moment when it is withdrawn.
        if self.mobile_consent and self.mobile_consent_at is None:
            self.mobile_consent_at = timezone.now()
        elif not self.mobile_consent:
            self.mobile_consent_at = None
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        from .protection import keep_adviser

        keep_adviser(type(self), self)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        """A lawyer's practising certificate number (律师执业证号) has 17 digits; a legal service
        worker's (基层法律服务工作者执业证) is all digits too, in a county-issued format; nobody
        started practising in a future year."""
        errors: dict[str, str] = {}
        number = (self.licence_no or "").strip()
        self.licence_no = number
        if number and self.kind == self.Kind.LAWYER and not re.fullmatch(r"[0-9]{17}", number):
            errors["licence_no"] = _("律师执业证号为17位数字。")
        elif number and self.kind != self.Kind.LAWYER and not re.fullmatch(r"[0-9]{8,20}", number):
            errors["licence_no"] = _("基层法律服务工作者执业证号为8至20位数字。")
        if self.practising_since and self.practising_since > timezone.localdate().year:
            errors["practising_since"] = _("开始执业年份不能晚于今年。")
        if errors:
            raise ValidationError(errors)

    @property
    def years_of_practice(self) -> int | None:
        if not self.practising_since:
            return None
        return max(0, timezone.localdate().year - self.practising_since)

    @property
    def published_mobile(self) -> str:
        """The personal mobile, only where consent to publish it is recorded."""
        return self.mobile if (self.mobile and self.mobile_consent) else ""

    @property
    def public_office_phone(self) -> str:
        return self.office_phone or self.firm.office_phone

    @property
    def public_phone(self) -> str:
        """The number villagers should call: consented mobile, else the office phone."""
        return self.published_mobile or self.public_office_phone


def _in_force_from(day: dt.date) -> models.Q:
    """Active contracts, and terminated ones still in force on `day` (termination is not retroactive)."""
    return models.Q(status=ServiceContract.Status.ACTIVE) | models.Q(
        status=ServiceContract.Status.TERMINATED, terminated_on__gte=day
    )


class ContractQuerySet(models.QuerySet):
    def in_force(self, on: dt.date | None = None) -> ContractQuerySet:
        """Contracts in force on `on` (today by default): active, or terminated after that day.

        A contract terminated on 15 November was in force until that day: November's compliance
        and a filing for work on 10 November still see it (`terminated_on` is its last day).
        """
        on = on or timezone.localdate()
        return self.filter(_in_force_from(on), start_date__lte=on, end_date__gte=on)

    def active_during(self, start: dt.date, end: dt.date) -> ContractQuerySet:
        """Contracts in force on some day of [start, end] (termination dates respected)."""
        return self.filter(_in_force_from(start), start_date__lte=end, end_date__gte=start)

    def with_last_day(self, name: str = "last_day") -> ContractQuerySet:
        """Annotate `name` (`last_day`): the end date, or the termination date when it is earlier.

        Rows fetched as model instances need another name (the model has a `last_day` property).
        """
        return self.annotate(
            **{
                name: models.Case(
                    models.When(
                        status=ServiceContract.Status.TERMINATED,
                        terminated_on__isnull=False,
                        terminated_on__lt=F("end_date"),
                        then=F("terminated_on"),
                    ),
                    default=F("end_date"),
                    output_field=models.DateField(),
                )
            }
        )

    def ending_without_successor(
        self, within_days: int = ENDING_WITHIN_DAYS, on: dt.date | None = None
    ) -> ContractQuerySet:
        """Contracts in force on `on` (today) whose last day comes within `within_days` days and
        that have no successor.

        The last day is the end date, or the termination date of a contract ended early (a village
        whose contract is terminated next week needs a new adviser as much as one whose term runs
        out). A successor is another contract of the same village, not terminated (a draft counts:
        the renewal is under way), that starts after this one starts and ends after its last day.
        These are the renewals to prepare: the dashboard's figure, the contract filter and the
        renewal flow all read this method.
        """
        on = on or timezone.localdate()
        successor = ServiceContract.objects.filter(
            village=OuterRef("village"),
            start_date__gt=OuterRef("start_date"),
            end_date__gt=OuterRef("ends_on"),
        ).exclude(status=ServiceContract.Status.TERMINATED)
        return (
            self.in_force(on)
            .with_last_day("ends_on")
            .filter(ends_on__lte=on + dt.timedelta(days=within_days))
            .exclude(Exists(successor))
        )


class ServiceContract(ClusterableModel):
    """The engagement (聘用合同) of one adviser by one village or community.

    All of the policy's rules on contracts are enforced by `advisers.rules`, called from `clean()`
    (forms, imports) and again under row locks from `save()` (every other path). A cluster, so that
    the back office edits a contract together with its on-site hours in one form.
    """

    class Selection(models.TextChoices):
        TWO_WAY = "two_way", _("双向选择")
        ALLOCATED = "allocated", _("司法局调配")

    class Status(models.TextChoices):
        DRAFT = "draft", _("拟签订")
        ACTIVE = "active", _("有效")
        TERMINATED = "terminated", _("已解除")

    adviser = models.ForeignKey(
        Adviser, verbose_name=_("法律顾问"), on_delete=models.PROTECT, related_name="contracts"
    )
    village = models.ForeignKey(
        Division,
        verbose_name=_("村(社区)"),
        on_delete=models.PROTECT,
        related_name="contracts",
        limit_choices_to={"level": codes.VILLAGE},
    )
    selection = models.CharField(
        _("选聘方式"), max_length=10, choices=Selection.choices, default=Selection.TWO_WAY
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    annual_fee = models.DecimalField(
        _("年度服务费（元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    # Ending a contract early keeps its history: it stays in force up to and including this day.
    terminated_on = models.DateField(
        _("解除日期"),
        null=True,
        blank=True,
        help_text=_("状态为“已解除”时必填：合同最后有效的一天，此前的驻点服务、台账和备案照常计入。"),
    )
    termination_reason = models.CharField(
        _("解除原因"), max_length=200, blank=True, help_text=_("如：顾问调离本县、村(居)委会提出解聘。")
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("聘用合同")
        verbose_name_plural = _("聘用合同")
        ordering = ["-start_date", "id"]
        indexes = [
            models.Index(fields=["village", "status", "end_date"], name="contract_village_status"),
            models.Index(fields=["adviser", "status", "end_date"], name="contract_adviser_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gt=models.F("start_date")),
                name="contract_end_after_start",
                violation_error_message=_("结束日期必须晚于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.village} — {self.adviser}"

    def save(self, *args, **kwargs) -> None:
        from . import rules

        rules.save_contract(self, lambda: super(ServiceContract, self).save(*args, **kwargs))

    def delete(self, *args, **kwargs):
        from .protection import keep_contract

        keep_contract(type(self), self)
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        from . import rules

        rules.check_contract(self)

    @property
    def last_day(self) -> dt.date:
        """The last day in force: the end date, or the termination date when it is earlier."""
        if (
            self.status == self.Status.TERMINATED
            and self.terminated_on
            and self.terminated_on < self.end_date
        ):
            return self.terminated_on
        return self.end_date

    def is_in_force(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        if self.status == self.Status.TERMINATED:
            return bool(self.terminated_on) and self.start_date <= on <= self.last_day
        return self.status == self.Status.ACTIVE and self.start_date <= on <= self.end_date

    def has_history(self) -> bool:
        """Whether the contract has been in force: compliance months, ledger entries and filings
        rest on it, so it is ended (已解除) rather than deleted. Drafts and contracts that have
        not started yet have no history."""
        return self.status != self.Status.DRAFT and self.start_date <= timezone.localdate()


class OnSiteSchedule(models.Model):
    """One recurring on-site slot of a contract (a contract may have several)."""

    class Frequency(models.TextChoices):
        WEEKLY = schedule.WEEKLY, _("每周")
        MONTHLY_WEEKDAY = schedule.MONTHLY_WEEKDAY, _("每月第几个星期几")
        MONTHLY_DAY = schedule.MONTHLY_DAY, _("每月几日")

    contract = ParentalKey(
        ServiceContract, on_delete=models.CASCADE, related_name="schedules", verbose_name=_("合同")
    )
    frequency = models.CharField(_("周期"), max_length=20, choices=Frequency.choices)
    weekdays = models.CharField(
        _("星期"), max_length=20, blank=True, help_text=_("1=星期一 … 7=星期日，多个用逗号分隔，如 3 或 2,4")
    )
    week_ordinals = models.CharField(
        _("第几个"), max_length=20, blank=True, help_text=_("每月第几个，如 1,3；-1 表示最后一个")
    )
    month_days = models.CharField(_("日期"), max_length=40, blank=True, help_text=_("每月几日，如 5,20"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=100, blank=True, help_text=_("如：村委会法律服务室"))

    class Meta:
        verbose_name = _("驻点时间")
        verbose_name_plural = _("驻点时间")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.describe()

    @property
    def weekday_list(self) -> list[int]:
        return schedule.parse_numbers(self.weekdays)

    @property
    def ordinal_list(self) -> list[int]:
        return schedule.parse_numbers(self.week_ordinals)

    @property
    def month_day_list(self) -> list[int]:
        return schedule.parse_numbers(self.month_days)

    def _parts(self) -> tuple[str, list[int], list[int], list[int]]:
        return self.frequency, self.weekday_list, self.ordinal_list, self.month_day_list

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("结束时间必须晚于开始时间。")
        weekdays, ordinals, days = self.weekday_list, self.ordinal_list, self.month_day_list
        if self.frequency in (schedule.WEEKLY, schedule.MONTHLY_WEEKDAY):
            if not weekdays or any(d < 1 or d > 7 for d in weekdays):
                errors["weekdays"] = _("请填写星期几（1–7）。")
        if self.frequency == schedule.MONTHLY_WEEKDAY:
            if not ordinals or any(n not in (1, 2, 3, 4, -1) for n in ordinals):
                errors["week_ordinals"] = _("请填写第几个（1–4，或 -1 表示最后一个）。")
        if self.frequency == schedule.MONTHLY_DAY:
            if not days or any(d < 1 or d > 28 for d in days):
                errors["month_days"] = _("请填写每月几日（1–28，避免有的月份没有这一天）。")
        if errors:
            raise ValidationError(errors)

    def describe(self) -> str:
        return schedule.describe(*self._parts(), self.start_time, self.end_time)

    def rrule(self) -> str:
        return schedule.rrule_text(*self._parts(), until=self.contract.end_date)

    def next_dates(self, after: dt.date | None = None, count: int = 3) -> list[dt.date]:
        after = after or timezone.localdate()
        return schedule.occurrences(*self._parts(), after=after, until=self.contract.end_date, count=count)

    @property
    def monthly_hours(self) -> float:
        return schedule.monthly_hours(*self._parts(), self.start_time, self.end_time)


class LiaisonOfficer(models.Model):
    """The village's legal-service liaison officer (法律服务联络员), usually a committee member."""

    village = models.ForeignKey(
        Division,
        verbose_name=_("村(社区)"),
        on_delete=models.PROTECT,
        related_name="liaison_officers",
        limit_choices_to={"level": codes.VILLAGE},
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True, help_text=_("如：村委会副主任"))
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[phone_validator])
    phone_consent = models.BooleanField(
        _("同意公开电话"), default=False, help_text=_("须本人同意方可在页面和公示牌上公开。")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="liaison_officer",
    )
    is_active = models.BooleanField(_("在任"), default=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("法律服务联络员")
        verbose_name_plural = _("法律服务联络员")
        ordering = ["village_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def published_phone(self) -> str:
        return self.phone if self.phone_consent else ""


class ServiceRoom(models.Model):
    """The village legal-service room and its "六个一" standard (城北政办〔2019〕111号).

    The four physical items are recorded; the adviser and the liaison officer are derived from
    contracts and liaison records, so the checklist can never claim someone who is not there.
    """

    village = models.OneToOneField(
        Division,
        verbose_name=_("村(社区)"),
        on_delete=models.PROTECT,
        related_name="service_room",
        limit_choices_to={"level": codes.VILLAGE},
    )
    name = models.CharField(_("名称"), max_length=100, default=_("法律服务室"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    has_room = models.BooleanField(_("有一间服务场所"), default=False)
    has_publicity_window = models.BooleanField(_("有一个宣传窗口"), default=False)
    has_display_screen = models.BooleanField(_("有一块电子显示屏"), default=False)
    has_bookshelf = models.BooleanField(_("有一个法律书架"), default=False)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    class Meta:
        verbose_name = _("法律服务室")
        verbose_name_plural = _("法律服务室")
        ordering = ["village_id"]

    def __str__(self) -> str:
        return f"{self.village} {self.name}"

    def six_ones(self, has_adviser: bool, has_liaison: bool) -> list[tuple[str, bool]]:
        return [
            (_("一个服务场所"), self.has_room),
            (_("一个宣传窗口"), self.has_publicity_window),
            (_("一块电子显示屏"), self.has_display_screen),
            (_("一个法律书架"), self.has_bookshelf),
            (_("一名法律顾问"), has_adviser),
            (_("一名联络员"), has_liaison),
        ]


class Recusal(models.Model):
    """A matter in which an adviser must step aside for a conflict of interest, and who replaces them.

    "同一个律师担任法律顾问的村(社区)之间出现利益冲突时，法律顾问应当回避，由县(市、区)司法行政机关
    协调村(居)委会聘请其他律师" (崇政办发〔2017〕101号 二(一)4). The record is kept for the audit and
    so that the village knows whom to call for that matter.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待指派")
        ASSIGNED = "assigned", _("已指派")
        CLOSED = "closed", _("已办结")

    adviser = models.ForeignKey(
        Adviser, verbose_name=_("回避的法律顾问"), on_delete=models.PROTECT, related_name="recusals"
    )
    village = models.ForeignKey(
        Division,
        verbose_name=_("提出事项的村(社区)"),
        on_delete=models.PROTECT,
        related_name="recusals",
        limit_choices_to={"level": codes.VILLAGE},
    )
    other_village = models.ForeignKey(
        Division,
        verbose_name=_("对方村(社区)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": codes.VILLAGE},
        help_text=_("利益冲突发生在两个村(社区)之间时填写，如两村之间的土地、山林权属纠纷。"),
    )
    matter = models.CharField(_("事项"), max_length=200, help_text=_("如：两村交界山林权属纠纷调解"))
    reason = models.TextField(_("利益冲突情形"), blank=True)
    substitute = models.ForeignKey(
        Adviser,
        verbose_name=_("指派的法律顾问"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="substitutions",
        help_text=_("司法局协调指派、代为办理该事项的其他法律顾问。"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    raised_on = models.DateField(_("发现冲突日期"), default=timezone.localdate)
    assigned_on = models.DateField(_("指派日期"), null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("回避记录")
        verbose_name_plural = _("回避记录")
        ordering = ["-raised_on", "-id"]

    def __str__(self) -> str:
        return f"{self.matter}（{self.adviser}回避）" if self.adviser_id else self.matter

    def save(self, *args, **kwargs) -> None:
        if self.substitute_id and self.status == self.Status.PENDING:
            self.status = self.Status.ASSIGNED
        if self.substitute_id and self.assigned_on is None:
            self.assigned_on = timezone.localdate()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.village_id and self.other_village_id and self.village_id == self.other_village_id:
            errors["other_village"] = _("对方村(社区)不能与提出事项的村(社区)相同。")
        if self.raised_on and self.raised_on > timezone.localdate():
            errors["raised_on"] = _("发现冲突日期不能是将来的日期。")
        if self.assigned_on and self.raised_on and self.assigned_on < self.raised_on:
            errors["assigned_on"] = _("指派日期不能早于发现冲突日期。")
        for field in ("village", "other_village"):
            place = getattr(self, field) if getattr(self, f"{field}_id") else None
            if place is not None and place.level != codes.VILLAGE:
                errors[field] = _("“%(name)s”不是村(社区)。") % {"name": place.name}
        substitute = self.substitute if self.substitute_id else None
        if substitute is not None:
            if substitute.pk == self.adviser_id:
                errors["substitute"] = _("指派的法律顾问不能是需要回避的顾问本人。")
            elif not substitute.is_active:
                errors["substitute"] = _("%(name)s 已不在岗，不能指派。") % {"name": substitute.name}
            else:
                conflicted = (
                    ServiceContract.objects.in_force()
                    .filter(
                        adviser=substitute,
                        village_id__in=[c for c in (self.village_id, self.other_village_id) if c],
                    )
                    .select_related("village")
                    .first()
                )
                if conflicted is not None and self.other_village_id:
                    errors["substitute"] = _(
                        "%(name)s 是%(village)s的法律顾问，同样存在利益冲突，请指派其他顾问。"
                    ) % {"name": substitute.name, "village": conflicted.village.name}
        if self.status != self.Status.PENDING and substitute is None:
            errors["substitute"] = _("请选择指派的法律顾问，或将状态设为“待指派”。")
        if errors:
            raise ValidationError(errors)
