"""Wagtail pages and site settings.

Villages and advisers are not pages (620k villages must not enter the page tree); the home page
only links into the directory, which plain views render.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Page

from places import codes


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

    panels = [FieldPanel("bureau_name"), FieldPanel("area_codes"), FieldPanel("hotline")]

    class Meta:
        verbose_name = _("辖区设置")

    @property
    def area_prefixes(self) -> list[str]:
        parts = [p.strip() for p in self.area_codes.replace("，", ",").split(",")]
        return [p for p in parts if codes.is_valid_code(p)]


class HomePage(Page):
    """`/`: find your village's adviser, call 12348."""

    heading = models.CharField(_("标题"), max_length=100, default=_("找到您村(社区)的法律顾问"))
    intro = models.TextField(
        _("简介"),
        blank=True,
        default=_("每个村(社区)都有一名律师或基层法律服务工作者担任法律顾问，免费为村(居)民解答法律问题。"),
    )

    content_panels = [*Page.content_panels, FieldPanel("heading"), FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = None

    class Meta:
        verbose_name = _("首页")

    def get_context(self, request, *args, **kwargs):
        from directory.home import home_context

        context = super().get_context(request, *args, **kwargs)
        context.update(home_context(request))
        return context
