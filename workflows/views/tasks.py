"""Inbox, queue and task pages. Every lookup goes through the engine's scoped querysets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS
from wagtail.admin.widgets.button import HeaderButton

from .. import engine, workdays
from .base import AdminPageMixin, ForbiddenAs403Mixin, inbox_crumb, process_context, process_crumb

ARCHIVE_SIZE = 10


def require_workflow_access(user) -> None:
    if not user.has_perm(engine.VIEW_PROCESS):
        raise PermissionDenied


class InboxView(AdminPageMixin, TemplateView):
    """待办事项: my tasks, tasks my role may take here, overdue ones (heads), what I finished."""

    template_name = "workflows/inbox.html"
    page_title = _("待办事项")

    def dispatch(self, request, *args, **kwargs):
        require_workflow_access(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_header_buttons(self):
        buttons = []
        for flow_class in engine.flows_startable_by(self.request.user):
            start_url = engine.start_url(flow_class)
            if start_url:
                buttons.append(HeaderButton(flow_class.start_label, start_url, icon_name="plus"))
        buttons.append(HeaderButton(_("全部流程"), reverse("workflows_processes"), icon_name="list-ul"))
        return buttons

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["inbox"] = _rows(engine.inbox(user))
        context["queue"] = _rows(engine.queue(user))
        context["uses_queue"] = engine.takes_tasks_from_queue(user)
        context["escalated"] = _rows(engine.escalated(user)) if engine.is_head(user) else None
        context["archive"] = _rows(engine.archive(user)[:ARCHIVE_SIZE])
        return context


def _rows(tasks) -> list[dict[str, Any]]:
    """Tasks with their (coerced) process, place name and deadline state, for the listings."""
    from places.models import Division

    tasks = list(tasks.select_related("process__scopedprocess", "owner"))
    codes = {task.process.scopedprocess.scope_code for task in tasks}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    rows = []
    for task in tasks:
        process = task.process.scopedprocess
        rows.append(
            {
                "task": task,
                "process": process,
                "flow_label": getattr(process.flow_class, "label", "") or process.flow_class.process_title,
                "place": names.get(process.scope_code, process.scope_code),
                "deadline": getattr(task, "deadline", None),
                "days_left": workdays.working_days_left(task.deadline)
                if getattr(task, "deadline", None)
                else None,
                "overdue": engine.is_overdue(task),
                "escalated": bool((task.data or {}).get("escalated_at")),
            }
        )
    return rows


def visible_task_or_404(user, task_pk: int) -> Task:
    return get_object_or_404(engine.visible_tasks(user), pk=task_pk)


class TaskView(AdminPageMixin, TemplateView):
    """One task: the node's form when it is the user's to do, otherwise its state and actions."""

    template_name = "workflows/task_detail.html"

    def dispatch(self, request, *args, **kwargs):
        require_workflow_access(request.user)
        self.task = visible_task_or_404(request.user, kwargs["task_pk"])
        if self.task.flow_task is None:
            raise Http404
        node_view = getattr(self.task.flow_task, "view", None)
        if node_view is not None and engine.can_execute(request.user, self.task):
            try:
                return engine.run_task_view(request, self.task, node_view)
            except (engine.TaskUnavailable, TransitionNotAllowed) as exc:
                messages.warning(
                    request, str(exc) if isinstance(exc, engine.TaskUnavailable) else _("该事项已办结。")
                )
                return HttpResponseRedirect(reverse("workflows_process", args=[self.task.process_id]))
        if request.method == "POST":
            # Not the user's task (any more): nothing to execute here.
            messages.warning(request, _("该事项已办结或已不在您的待办中，未作任何改动。"))
            return HttpResponseRedirect(reverse("workflows_process", args=[self.task.process_id]))
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(self.task.flow_task.task_title)

    def get_crumbs(self):
        return [inbox_crumb(), process_crumb(self.task.process)]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(process_context(self.request, self.task.process))
        task = engine.human_tasks(user).filter(pk=self.task.pk).first() or self.task
        context["task"] = task
        context["overdue"] = engine.is_overdue(task)
        context["can_claim"] = engine.can_claim(user, task)
        context["can_release"] = engine.can_release(user, task)
        context["can_take_over"] = engine.can_take_over(user, task)
        return context


class TaskActionView(ForbiddenAs403Mixin, View):
    """POST-only actions on a task: claim, release, take over. Scope-checked, under the lock."""

    action = ""
    done_message = ""

    def post(self, request, task_pk: int):
        require_workflow_access(request.user)
        task = visible_task_or_404(request.user, task_pk)
        operation = {"claim": engine.claim, "release": engine.release, "take_over": engine.take_over}[
            self.action
        ]
        try:
            operation(request.user, task.pk)
        except PermissionError as exc:
            raise PermissionDenied from exc
        except (engine.TaskUnavailable, TransitionNotAllowed) as exc:
            messages.warning(
                request, str(exc) if isinstance(exc, engine.TaskUnavailable) else _("该事项状态已变化。")
            )
            return HttpResponseRedirect(reverse("workflows_process", args=[task.process_id]))
        messages.success(request, self.done_message)
        if self.action == "release":
            return HttpResponseRedirect(reverse("workflows_inbox"))
        return HttpResponseRedirect(reverse("workflows_task", args=[task.pk]))


class ClaimView(TaskActionView):
    action = "claim"
    done_message = _("已领取，请办理。")


class ReleaseView(TaskActionView):
    action = "release"
    done_message = _("已放回待领取。")


class TakeOverView(TaskActionView):
    action = "take_over"
    done_message = _("已由您接办。")


__all__ = ["STATUS", "ClaimView", "InboxView", "ReleaseView", "TakeOverView", "TaskView"]
