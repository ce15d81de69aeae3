"""Per-site settings: which places a site serves and how it presents its bureau.

One installation serves several jurisdictions as separate Wagtail Sites (the demo: 崇左市司法局 and
西宁市城北区司法局). Each Site's JurisdictionSettings scope its directory and lectures (area codes),
choose its theme, and carry the footer items Chinese government websites show (主办单位, ICP 备案号,
网站标识码, 公安机关备案号).
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from content import themes
from content.models.limits import length_constraint, limited
from places import codes

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
        constraints = [
            length_constraint(
                "footer_text", 500, "jurisdiction_footer_length", _("页脚说明不能超过 500 个字。")
            )
        ]

    @property
    def area_prefixes(self) -> list[str]:
        parts = [p.strip() for p in self.area_codes.replace("，", ",").split(",")]
        return [p for p in parts if codes.is_valid_code(p)]

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
def site_settings_changed(sender, **kwargs) -> None:
    """Web processes drop their copies of sites' settings once this save commits."""
    from content import site_settings

    site_settings.changed()
