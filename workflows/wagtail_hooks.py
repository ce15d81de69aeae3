"""The workflows inside the one back office: admin URLs, a menu item with a count, a home panel."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent

from . import engine


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("workflows/", include("workflows.urls"))]


class TasksMenuItem(MenuItem):
    """待办事项, with the number of tasks waiting for the user (computed per request)."""

    def is_shown(self, request) -> bool:
        return request.user.has_perm(engine.VIEW_PROCESS)

    def render_component(self, request):
        numbers = engine.counts(request.user)
        waiting = numbers["waiting"]
        label = gettext("待办事项（%(n)d）") % {"n": waiting} if waiting else gettext("待办事项")
        return LinkMenuItemComponent(
            self.name, label, self.url, icon_name=self.icon_name, classname=self.classname, attrs=self.attrs
        )


@hooks.register("register_admin_menu_item")
def register_tasks_menu_item():
    return TasksMenuItem(
        _("待办事项"), reverse("workflows_inbox"), name="workflow-tasks", icon_name="tasks", order=150
    )


class TasksPanel(Component):
    """The home page's panel: what waits for the user, with deadlines, and a link to the rest."""

    name = "workflow_tasks"
    template_name = "workflows/home_panel.html"
    order = 50
    LIMIT = 5

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        from .views.tasks import _rows

        user = self.request.user
        numbers = engine.counts(user)
        return {
            "inbox": _rows(engine.inbox(user)[: self.LIMIT]),
            "queue": _rows(engine.queue(user)[: self.LIMIT]),
            "escalated": _rows(engine.escalated(user)[: self.LIMIT]) if numbers["escalated"] else [],
            "counts": numbers,
            "startable": [
                (flow.start_label, engine.start_url(flow))
                for flow in engine.flows_startable_by(user)
                if engine.start_url(flow)
            ],
        }


@hooks.register("construct_homepage_panels")
def add_tasks_panel(request, panels):
    if request.user.has_perm(engine.VIEW_PROCESS):
        panels.append(TasksPanel(request))


@hooks.register("before_delete_user")
def keep_accounts_that_handled_tasks(request, user):
    """viewflow deletes a user's tasks with the user: deactivate such accounts instead."""
    from django.contrib import messages
    from django.shortcuts import redirect
    from viewflow.workflow.models import Task

    if request.method == "POST" and Task.objects.filter(owner=user).exists():
        messages.error(
            request,
            gettext("该账号办理过审批事项，删除会丢失办理记录。请改为停用该账号（取消勾选“有效”）。"),
        )
        return redirect("wagtailusers_users:edit", user.pk)
    return None


def step_formatter(label) -> type:
    """A log formatter for one step action: its label, and the step's reason as the comment."""
    from wagtail.log_actions import LogFormatter

    class StepFormatter(LogFormatter):
        def format_message(self, log_entry) -> str:
            return str(label)

        def format_comment(self, log_entry) -> str:
            return (log_entry.data or {}).get("reason", "")

    StepFormatter.label = label
    return StepFormatter


@hooks.register("register_log_actions")
def register_workflow_log_actions(actions):
    from backoffice.models import ProgrammeLogEntry

    from .models import ScopedProcess

    actions.register_model(ScopedProcess, ProgrammeLogEntry)
    labels: dict[str, object] = {}
    for flow in engine.registered_flows():
        for value, label in flow.step_actions().items():
            labels.setdefault(value, label)
    for value, label in labels.items():
        actions.register_action(f"workflows.{value}")(step_formatter(label))
