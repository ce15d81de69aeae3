"""Legal lectures (法制讲座): scheduled in a village or township, then recorded once held.

崇政办发〔2017〕101号 三(一): every adviser holds at least one legal lecture per village per year.
A lecture is an ordinary model (not a page): it belongs to a place by division code, and each site
shows the lectures inside its own area. After the lecture, staff or the speaking adviser record
that it was held, how many attended, and photos — the facts the work ledger counts.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from places import codes
from places.models import Division
from sites.limits import length_constraint, limited

LECTURE_LEVELS = (codes.TOWNSHIP, codes.VILLAGE)


def prefix_filter(field: str, prefixes: list[str]) -> Q:
    """Codes under any of `prefixes`, as ranges on the key (index-friendly on every database)."""
    condition = Q()
    for prefix in prefixes:
        condition |= Q(**{f"{field}__gte": prefix, f"{field}__lt": codes.prefix_upper_bound(prefix)})
    return condition


def start_of_today() -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.min))


class LectureQuerySet(models.QuerySet):
    def within(self, prefixes: list[str]) -> LectureQuerySet:
        """Lectures held in places under any of these code prefixes; no prefixes means everywhere."""
        prefixes = [p for p in prefixes if p]
        return self.filter(prefix_filter("place_id", prefixes)) if prefixes else self

    def upcoming(self) -> LectureQuerySet:
        """From today on (a lecture stays "upcoming" all of its day), soonest first."""
        return self.filter(starts_at__gte=start_of_today()).order_by("starts_at", "pk")

    def past(self) -> LectureQuerySet:
        return self.filter(starts_at__lt=start_of_today()).order_by("-starts_at", "-pk")

    def for_village(self, village_code: str) -> LectureQuerySet:
        """Lectures in the village itself or for its whole township (open to every village there)."""
        return self.filter(place_id__in=[village_code, village_code[: codes.CODE_LENGTHS[codes.TOWNSHIP]]])

    def for_listing(self) -> LectureQuerySet:
        return self.select_related("place__parent", "speaker__firm", "category")


class Lecture(index.Indexed, ClusterableModel):
    """A legal lecture in a village (村/社区) or for a township (乡镇/街道)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已举办")
        CANCELLED = "cancelled", _("已取消")

    topic = models.CharField(_("讲座主题"), max_length=120)
    description = models.TextField(_("内容简介"), blank=True, **limited(1000))
    category = models.ForeignKey(
        "content.ArticleCategory",
        verbose_name=_("普法分类"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lectures",
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("时长（分钟）"), default=90, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    place = models.ForeignKey(
        "places.Division",
        verbose_name=_("举办地"),
        on_delete=models.PROTECT,
        related_name="lectures",
        limit_choices_to={"level__in": LECTURE_LEVELS},
        help_text=_("举办讲座的村(社区)，或面向全乡镇(街道)时选乡镇(街道)。可输入 9 位或 12 位区划代码。"),
    )
    venue = models.CharField(_("具体地点"), max_length=120, help_text=_("如：卜寨村委会二楼会议室"))
    speaker = models.ForeignKey(
        "advisers.Adviser",
        verbose_name=_("主讲法律顾问"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    guest_speaker = models.CharField(
        _("其他主讲人"),
        max_length=60,
        blank=True,
        help_text=_("主讲人不是法律顾问时填写，如：江州区司法局 李某某"),
    )
    audience = models.CharField(_("面向对象"), max_length=120, default=_("全体村(居)民"))
    registration_note = models.CharField(
        _("报名须知"), max_length=300, blank=True, default=_("无需报名，欢迎直接到场。")
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    cancellation_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    attendance = models.PositiveIntegerField(_("到场人数"), null=True, blank=True)
    summary = models.TextField(
        _("讲座情况"),
        **limited(2000),
        blank=True,
        help_text=_("讲了什么、群众问了什么。请勿填写群众的姓名、电话等个人信息。"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(_("演示数据"), default=False, editable=False)

    objects = LectureQuerySet.as_manager()

    search_fields = [
        index.SearchField("topic"),
        index.SearchField("description"),
        index.AutocompleteField("topic"),
        index.RelatedFields("place", [index.SearchField("name")]),
        index.RelatedFields("speaker", [index.SearchField("name")]),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.FilterField("place_id"),
        index.FilterField("starts_at"),
        index.FilterField("status"),
    ]

    class Meta:
        verbose_name = _("法制讲座")
        verbose_name_plural = _("法制讲座")
        ordering = ["-starts_at", "-pk"]
        indexes = [models.Index(fields=["place", "starts_at"], name="lecture_place_start")]
        constraints = [
            length_constraint(
                "description", 1000, "lecture_description_length", _("内容简介不能超过 1000 个字。")
            ),
            length_constraint("summary", 2000, "lecture_summary_length", _("讲座情况不能超过 2000 个字。")),
        ]

    def __str__(self) -> str:
        when = timezone.localtime(self.starts_at).strftime("%Y-%m-%d %H:%M") if self.starts_at else ""
        return f"{when} {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("lectures:detail", args=[self.pk])

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def speaker_name(self) -> str:
        return self.speaker.name if self.speaker_id else self.guest_speaker

    @property
    def is_upcoming(self) -> bool:
        return self.starts_at >= start_of_today()

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def needs_record(self) -> bool:
        """Past, not cancelled, and nobody has recorded whether it was held."""
        return self.status == self.Status.SCHEDULED and self.ends_at < timezone.now()

    def place_label(self) -> str:
        """Township and village names, e.g. 太平街道卜寨村委会 (needs place__parent loaded)."""
        place = self.place
        if place.level == codes.VILLAGE and place.parent_id:
            return f"{place.parent.name}{place.name}"
        return place.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.place_id:
            level = codes.level_of(self.place_id)
            if level not in LECTURE_LEVELS:
                errors["place"] = _("请选择村(社区)或乡镇(街道)。")
        if not self.speaker_id and not self.guest_speaker.strip():
            errors["speaker"] = _("请选择主讲法律顾问，或填写其他主讲人。")
        if self.status == self.Status.HELD:
            if self.starts_at and self.starts_at > timezone.now():
                errors["status"] = _("讲座还没有开始，不能记录为已举办。")
            if self.attendance is None:
                errors["attendance"] = _("请填写到场人数。")
        elif self.attendance is not None and self.status != self.Status.HELD:
            errors["attendance"] = _("只有已举办的讲座才能填写到场人数。")
        if self.status == self.Status.CANCELLED and not self.cancellation_reason.strip():
            errors["cancellation_reason"] = _("请说明取消原因，方便群众知晓。")
        if errors:
            raise ValidationError(errors)

    def record(self, *, held: bool, attendance: int | None, summary: str, user, reason: str = "") -> None:
        """Record the outcome: the one place where a lecture becomes held (or cancelled)."""
        self.status = self.Status.HELD if held else self.Status.CANCELLED
        self.attendance = attendance if held else None
        self.cancellation_reason = "" if held else reason
        self.summary = summary
        self.recorded_by = user
        self.recorded_at = timezone.now()
        self.full_clean()
        self.save()

    def note_recorder(self, user, *, status_changed: bool) -> None:
        """Whoever sets the outcome (held or cancelled) is its recorder, through `record()` or the
        lecture's own edit form alike: the ledger credits the entry to them."""
        if self.status == self.Status.SCHEDULED:
            return
        if status_changed or self.recorded_by_id is None:
            self.recorded_by = user
            self.recorded_at = timezone.now()

    def can_be_recorded_by(self, user) -> bool:
        """The adviser who gave it, or staff who may change lectures in this place (their scope)."""
        if not user.is_authenticated:
            return False
        if self.speaker_id and self.speaker.user_id == user.pk:
            return True
        if not user.has_perm("content.change_lecture"):
            return False
        from backoffice.scope import is_in_scope

        return is_in_scope(user, self)


class LecturePhoto(Orderable):
    lecture = ParentalKey(Lecture, on_delete=models.CASCADE, related_name="photos")
    image = models.ForeignKey(
        "wagtailimages.Image", verbose_name=_("照片"), on_delete=models.CASCADE, related_name="+"
    )
    caption = models.CharField(_("说明"), max_length=120, blank=True)

    panels = [FieldPanel("image"), FieldPanel("caption")]

    class Meta(Orderable.Meta):
        verbose_name = _("讲座照片")
        verbose_name_plural = _("讲座照片")


def next_in_village(village: Division, limit: int) -> list[Lecture]:
    """A village page's next lectures, its own and its township's, in one query.

    The directory's village page shows them; content registers this in ContentConfig.ready()
    (`directory.queries.provide_village_lectures`), as the directory sits below content.
    """
    return list(
        Lecture.objects.for_village(village.code)
        .upcoming()
        .select_related("place__parent", "speaker")[:limit]
    )
