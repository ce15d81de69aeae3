"""Back-office records: each staff member's place scope, failed logins, import staging, audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models.audit_log import BaseLogEntry, ModelLogEntryManager

from places.models import Division

from .scope import Scope, place_code_of, scope_for


class StaffProfile(models.Model):
    """The place a staff account answers for: a division whose code is the account's scope prefix.

    The brief: "a staff member's scope is a division code prefix (city 4 digits, county 6,
    township 9, village 12)". Roles (what one may do) are Django groups; the scope says where.
    Accounts of advisers and liaison officers may leave it blank: their scope follows from the
    adviser's contracts or the liaison officer's village (see `backoffice.scope.scope_for`).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    scope = models.ForeignKey(
        Division,
        verbose_name=_("管辖范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("市、县(市、区)、乡镇(街道)或村(社区)；账号只能看到和管理这一范围内的记录。"),
    )
    organisation = models.CharField(
        _("单位"), max_length=100, blank=True, help_text=_("如：江州区司法局、太平街道司法所")
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("工作人员范围")
        verbose_name_plural = _("工作人员范围")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user.get_username()}（{self.scope or _('未设置范围')}）"

    @property
    def scope_code(self) -> str:
        return self.scope_id or ""


def staff_profile_scope(user) -> Scope | None:
    """A staff account's scope: the division of its profile (registered first, in ready())."""
    code = StaffProfile.objects.filter(user=user).values_list("scope_id", flat=True).first()
    return Scope(prefixes=(code,)) if code else None


class LoginFailure(models.Model):
    """One failed login, kept for the lockout window.

    Lockout state lives in the database so that every web process sees it (the brief: several
    stateless web processes, no in-memory state that must be shared).
    """

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class ImportBatch(models.Model):
    """An uploaded import file's parsed rows, waiting for the user to commit or abandon them.

    The preview never touches live tables: rows are kept here (as JSON, so the uploaded file with
    its personal data is not kept in public media storage) until the user commits them, when
    every row is saved through the models' own rules in one transaction.
    """

    class Kind(models.TextChoices):
        ADVISERS = "advisers", _("法律顾问")
        CONTRACTS = "contracts", _("聘用合同")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        COMMITTED = "committed", _("已导入")
        FAILED = "failed", _("导入失败")
        ABANDONED = "abandoned", _("已放弃")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PREVIEW)
    file_name = models.CharField(_("文件名"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    rows = models.JSONField(_("数据行"), default=list)
    errors = models.JSONField(_("错误"), default=list)
    result = models.JSONField(_("结果"), default=dict)

    class Meta:
        verbose_name = _("批量导入")
        verbose_name_plural = _("批量导入")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}"


class ProgrammeLogEntryManager(ModelLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.setdefault("place_code", place_code_of(instance))
        return super().log_action(instance, action, **kwargs)

    def viewable_by_user(self, user):
        """Entries the user may see in Wagtail's site history: their permissions *and* their scope.

        (Wagtail's own implementation caches the allowed content types on the user object across
        log models, so it is not reused here.)
        """
        from django.contrib.contenttypes.models import ContentType

        if user.is_superuser:
            return self.all()
        models_seen = [ct.model_class() for ct in ContentType.objects.filter(pk__in=self._content_type_ids())]
        allowed = [
            ContentType.objects.get_for_model(model).pk
            for model in models_seen
            if model is not None
            and any(
                user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
                for action in ("add", "change", "delete", "view")
            )
        ]
        return self.filter(content_type_id__in=allowed).filter(scope_for(user).q("place_code"))

    def _content_type_ids(self):
        return self.order_by().values_list("content_type_id", flat=True).distinct()


class ProgrammeLogEntry(BaseLogEntry):
    """Wagtail's log entry for the programme's records, with the place of the record.

    Wagtail's site history lists every entry of a model type the user has a permission on; a county
    bureau must not read the changes of another county, so each entry carries the division code
    of its record and `viewable_by_user` filters by the reader's scope.
    """

    object_id = models.CharField(max_length=255, blank=False, db_index=True)
    place_code = models.CharField(_("区划代码"), max_length=12, blank=True, db_index=True)

    objects = ProgrammeLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("业务记录日志")
        verbose_name_plural = _("业务记录日志")

    def __str__(self) -> str:
        return f"ProgrammeLogEntry {self.pk}: {self.action} on {self.object_verbose_name} {self.object_id}"


class EnrolmentCode(models.Model):
    """A one-time code that lets one account enrol an authenticator (second factor).

    A stolen password alone must not be enough to bind the thief's phone to a bureau account, so
    enrolment asks for this code, issued by a superuser and handed over out of band (in person,
    by telephone). Only a keyed hash of the code is stored; it expires, it is used once, and a
    newer code replaces any older unused one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="enrolment_codes",
    )
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("签发时间"))
    expires_at = models.DateTimeField(_("有效期至"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("验证器绑定码")
        verbose_name_plural = _("验证器绑定码")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.user.get_username()} {self.issued_at:%Y-%m-%d %H:%M}"


class UsedFormToken(models.Model):
    """A one-time form token that a POST has consumed (backoffice/idempotency.py).

    The primary key is the token's random part: inserting it succeeds once, so a form posted twice
    creates its record once. `result_url` is where the first post led, shown to a replay.
    """

    token = models.CharField(_("令牌"), max_length=32, primary_key=True)
    purpose = models.CharField(_("表单"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    used_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    result_url = models.CharField(_("提交结果"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("已用表单令牌")
        verbose_name_plural = _("已用表单令牌")
        indexes = [models.Index(fields=["used_at"], name="backoffice_formtoken_used")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.used_at:%Y-%m-%d %H:%M}"
