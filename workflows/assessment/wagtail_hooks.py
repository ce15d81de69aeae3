"""The assessment in the back office's menu (its pages are mounted by the engine, see urls.py)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem


class CampaignsMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm("assessment.view_campaign")


@hooks.register("register_admin_menu_item")
def register_campaigns_menu_item():
    return CampaignsMenuItem(
        _("年度考评"), reverse("assessment_campaigns"), name="assessment", icon_name="list-ol", order=160
    )
