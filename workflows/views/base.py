"""Shared pieces of the workflow pages: breadcrumbs, the way back, the process context, task forms.

The admin page look and the 403 page are the platform's (`backoffice.adminpages`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from backoffice.adminpages import AdminPageMixin, ForbiddenAs403Mixin, forbid_as_403, forbidden, home_crumb

from .. import engine

__all__ = [
    "AdminPageMixin",
    "ForbiddenAs403Mixin",
    "TaskFormView",
    "forbid_as_403",
    "forbidden",
    "home_crumb",
    "inbox_crumb",
    "process_context",
    "process_crumb",
]


def inbox_crumb() -> dict[str, str]:
    return {"url": reverse("workflows_inbox"), "label": _("待办事项")}


def process_crumb(process) -> dict[str, str]:
    return {
        "url": reverse("workflows_process", args=[process.pk]),
        "label": _("流程 #%(pk)s") % {"pk": process.pk},
    }


def process_context(request, process) -> dict[str, Any]:
    """What the process and task pages show about a process: summary, history, open tasks."""
    from ..models import StepRecord

    flow_class = process.flow_class
    coerced = process.coerced
    return {
        "process": coerced,
        "flow_class": flow_class,
        "summary_template": getattr(
            flow_class, "summary_template", "workflows/includes/process_summary.html"
        ),
        "steps": StepRecord.objects.filter(process_id=process.pk).select_related("actor", "task", "process"),
        "open_tasks": list(engine.open_tasks(process)),
        # Private details (a client's name, supporting files): as the flow decides.
        "show_client": flow_class.instance.can_see_private(request.user, coerced),
        "process_open": engine.process_is_open(process),
    }


class TaskFormView(AdminPageMixin, FormView):
    """Base of a node's view: runs with `request.activation` set by the engine's dispatcher.

    Subclasses implement `perform(form)` (change the process, record the step); this class then
    executes the task, which moves the flow on, and returns to the process page.
    """

    template_name = "workflows/task_form.html"
    success_message = _("已办理。")

    @property
    def activation(self):
        return self.request.activation

    @property
    def process(self):
        return self.activation.process

    @property
    def task(self):
        return self.activation.task

    def get_page_title(self) -> str:
        return str(self.task.flow_task.task_title)

    def get_crumbs(self) -> list[dict[str, str]]:
        return [inbox_crumb(), process_crumb(self.process)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(process_context(self.request, self.process))
        context["task"] = self.task
        context["submit_label"] = self.submit_label()
        return context

    def submit_label(self) -> str:
        return str(_("提交"))

    def perform(self, form) -> None:
        raise NotImplementedError

    def form_valid(self, form):
        self.perform(form)
        self.activation.execute()
        messages.success(self.request, self.get_success_message(form))
        return HttpResponseRedirect(reverse("workflows_process", args=[self.process.pk]))

    def get_success_message(self, form) -> str:
        return str(self.success_message)
