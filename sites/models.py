"""Per-site settings: which places a site serves and how it presents its bureau.

One installation serves several jurisdictions as separate Wagtail Sites (the demo: 崇左市司法局 and
西宁市城北区司法局). Each Site's JurisdictionSettings scope its directory and lectures (area codes),
choose its theme, and carry the footer items Chinese government websites show (主办单位, ICP 备案号,
网站标识码, 公安机关备案号).

The model moved here from `content` (issue 10) so that the directory, the search and the content
all read it from below them; its table is still `content_jurisdictionsettings` (the move changed
only Django's state, see migrations/0001_initial.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page, PageViewRestriction, Site

from sites import areas, memo, themes
from sites.limits import length_constraint, limited

site_code_validator = RegexValidator(r"^[0-9A-Za-z]{0,20}$", _("网站标识码只能包含数字和字母。"))


@register_setting(icon="site")
class JurisdictionSettings(BaseSiteSetting):
    """Which places a site serves and how it presents its bureau (one per Wagtail Site)."""

    bureau_name = models.CharField(_("主办单位"), max_length=100, blank=True, help_text=_("如：崇左市司法局"))
    area_codes = models.CharField(
        _("服务区域代码"),
        max_length=200,
        blank=True,
        help_text=_("本网站服务的行政区划代码前缀，多个用逗号分隔（如 4514 或 630105）；留空表示全部。"),
        validators=[areas.validate_area_codes],
    )
    hotline = models.CharField(_("热线电话"), max_length=20, default="12348")

    site_title = models.CharField(
        _("网站名称"),
        max_length=60,
        blank=True,
        help_text=_("显示在页头；留空时使用“一村(社区)一法律顾问”。"),
    )
    theme = models.CharField(
        _("主题"),
        max_length=40,
        default=themes.DEFAULT_THEME,
        choices=themes.theme_choices,
        help_text=_("网站的配色、标志和版式，来自 themes/ 目录。"),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("标志"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("留空时使用主题自带的标志。"),
    )
    header_text = models.CharField(
        _("页头标语"),
        max_length=60,
        blank=True,
        help_text=_("如：法律服务进村(社区)，群众不出村享受法律服务"),
    )
    footer_text = models.TextField(
        _("页脚说明"), **limited(500), blank=True, help_text=_("如：地址、邮编、办公时间。")
    )
    undertaker = models.CharField(_("承办单位"), max_length=100, blank=True)
    icp_number = models.CharField(
        _("ICP 备案号"), max_length=50, blank=True, help_text=_("如：桂ICP备12345678号-1")
    )
    site_code = models.CharField(
        _("网站标识码"),
        max_length=20,
        blank=True,
        validators=[site_code_validator],
        help_text=_("政府网站标识码，如 4514000021。"),
    )
    police_record = models.CharField(
        _("公安机关备案号"), max_length=60, blank=True, help_text=_("如：桂公网安备 45140202000001号")
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("bureau_name"), FieldPanel("area_codes"), FieldPanel("hotline")],
            heading=_("辖区"),
        ),
        MultiFieldPanel(
            [FieldPanel("site_title"), FieldPanel("theme"), FieldPanel("logo"), FieldPanel("header_text")],
            heading=_("外观"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("footer_text"),
                FieldPanel("undertaker"),
                FieldPanel("icp_number"),
                FieldPanel("site_code"),
                FieldPanel("police_record"),
            ],
            heading=_("页脚"),
        ),
    ]

    class Meta:
        verbose_name = _("辖区设置")
        db_table = "content_jurisdictionsettings"
        constraints = [
            length_constraint(
                "footer_text", 500, "jurisdiction_footer_length", _("页脚说明不能超过 500 个字。")
            )
        ]

    def clean(self) -> None:
        super().clean()
        self.area_codes = areas.normalise(self.area_codes)

    def save(self, *args, **kwargs) -> None:
        """Refuse bad area codes on every save, not only through the admin form (issue 10)."""
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "area_codes" in update_fields:
            try:
                areas.validate_area_codes(self.area_codes)
            except ValidationError as error:
                raise ValidationError({"area_codes": error.messages}) from None
            self.area_codes = areas.normalise(self.area_codes)
        super().save(*args, **kwargs)

    @classmethod
    def for_request(cls, request: HttpRequest) -> JurisdictionSettings | None:
        """Wagtail's own per-request settings, fed from this process's copy when it is current.

        `BaseSiteSetting.for_request` keeps the settings on the request; `memo.prepare` first
        hands it (and `Site.find_for_request`) this process's copy of the site and its settings,
        so that a page costs no site queries (sites/memo.py). None when no Site matches at all.
        """
        memo.prepare(request, cls)
        try:
            return super().for_request(request)
        except cls.DoesNotExist:
            return None

    @property
    def area_prefixes(self) -> list[str]:
        """The site's code prefixes: [] is everywhere; a bad stored value is [areas.NOWHERE]."""
        return areas.prefixes(self.area_codes, self.site_id)

    def covers(self, code: str) -> bool:
        """Whether a division code lies inside this site's area (a blank area covers everything)."""
        prefixes = self.area_prefixes
        return not prefixes or any(code.startswith(p) for p in prefixes)

    @property
    def theme_info(self) -> themes.Theme:
        return themes.get_theme(self.theme)


@receiver(post_save, sender=JurisdictionSettings, dispatch_uid="site-settings-saved")
@receiver(post_delete, sender=JurisdictionSettings, dispatch_uid="site-settings-deleted")
@receiver(post_save, sender=Site, dispatch_uid="site-saved")
@receiver(post_delete, sender=Site, dispatch_uid="site-deleted")
@receiver(post_save, sender=PageViewRestriction, dispatch_uid="site-page-restriction-saved")
@receiver(post_delete, sender=PageViewRestriction, dispatch_uid="site-page-restriction-deleted")
def site_settings_changed(sender, **kwargs) -> None:
    """Web processes drop their copies of sites' settings once this save commits."""
    memo.changed()


@receiver(post_save, dispatch_uid="site-root-page-saved")
@receiver(post_delete, dispatch_uid="site-root-page-deleted")
def root_page_changed(sender, instance=None, **kwargs) -> None:
    """A site's root page (its home page) is part of each process's copy of the site: drop it too.

    Connected for every model, since pages are saved as their own types; anything that is not
    a page returns at once. A page is a root when it sits at depth 2, where Wagtail puts sites,
    or when some Site names it (an installation may root a site deeper).
    """
    if not isinstance(instance, Page):
        return
    if (
        instance.depth is not None
        and instance.depth <= 2
        or Site.objects.filter(root_page_id=instance.pk).exists()
    ):
        memo.changed()


def area_prefixes(request: HttpRequest) -> list[str]:
    """The code prefixes of the site serving this request ([] is everywhere, see `area_prefixes`)."""
    jurisdiction = JurisdictionSettings.for_request(request)
    return jurisdiction.area_prefixes if jurisdiction else []
