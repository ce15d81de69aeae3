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


#: Campaign-level actions in the back office's audit trail (the steps are the engine's).
CAMPAIGN_ACTIONS = {
    "assessment.launch": _("发起年度考评"),
    "assessment.close": _("结束年度考评"),
    "assessment.publish": _("公示年度考评结果"),
}


@hooks.register("register_log_actions")
def register_campaign_log_actions(actions):
    from backoffice.models import ProgrammeLogEntry

    from .models import Campaign

    actions.register_model(Campaign, ProgrammeLogEntry)
    for action, label in CAMPAIGN_ACTIONS.items():
        actions.register_action(action, label, label)
