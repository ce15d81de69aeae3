"""The work ledger in the back office: URLs, items of the programme menu, a home panel, audit."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent

from . import access, dashboard
from .models import LedgerEntry, Training

PROGRAMME_MENU_HOOK = "register_programme_menu_item"  # the back office's 顾问工作 menu


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("ledger/", include("ledger.urls"))]


class LedgerMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(access.VIEW)


class ConfirmMenuItem(MenuItem):
    """待确认, with the number of on-site entries waiting for the committee."""

    def is_shown(self, request) -> bool:
        return access.can_confirm_any(request.user)

    def render_component(self, request):
        waiting = access.confirmable(request.user).count()
        label = gettext("待确认台账（%(n)d）") % {"n": waiting} if waiting else gettext("待确认台账")
        return LinkMenuItemComponent(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname, attrs=self.attrs
        )


class TrainingMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(access.VIEW_TRAINING)


@hooks.register(PROGRAMME_MENU_HOOK)
def ledger_menu_item():
    return LedgerMenuItem(
        _("工作台账"), reverse("ledger_index"), name="ledger", icon_name="list-ul", order=20
    )


@hooks.register(PROGRAMME_MENU_HOOK)
def confirm_menu_item():
    return ConfirmMenuItem(
        _("待确认台账"), reverse("ledger_confirm_list"), name="ledger-confirm", icon_name="check", order=21
    )


@hooks.register(PROGRAMME_MENU_HOOK)
def compliance_menu_item():
    return LedgerMenuItem(
        _("履职统计"), reverse("ledger_compliance"), name="compliance", icon_name="view", order=22
    )


@hooks.register(PROGRAMME_MENU_HOOK)
def training_menu_item():
    return TrainingMenuItem(
        _("培训记录"), reverse("ledger_trainings"), name="trainings", icon_name="group", order=23
    )


class CompliancePanel(Component):
    """This month's compliance on the admin home: the user's villages or area at a glance."""

    name = "compliance"
    order = 60
    template_name = "ledger/home_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from .views.compliance import board_for

        board, role = board_for(self.request, trend=False, this_month=True)
        return {
            "board": board,
            "role": role,
            "confirm_waiting": access.confirmable(self.request.user).count()
            if access.can_confirm_any(self.request.user)
            else 0,
            "can_record": access.can_record(self.request.user),
        }


@hooks.register("construct_homepage_panels")
def add_compliance_panel(request, panels):
    user = request.user
    if not user.has_perm(access.VIEW):
        return
    scope = access.scope_of(user)
    if scope.unrestricted or scope.prefixes:
        panels.append(CompliancePanel(request))


@hooks.register("register_log_actions")
def register_ledger_log_actions(actions):
    from backoffice.models import ProgrammeLogEntry

    actions.register_model(LedgerEntry, ProgrammeLogEntry)
    actions.register_model(Training, ProgrammeLogEntry)
    actions.register_action("ledger.confirm", _("确认驻点服务"), _("村(居)委会确认了驻点服务记录"))
    actions.register_action("ledger.dispute", _("对驻点服务提出异议"), _("村(居)委会对驻点服务记录提出异议"))


__all__ = ["dashboard"]
