"""Shared pieces of the back-office pages: the Wagtail admin look, breadcrumbs, the way back."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .. import engine


def home_crumb() -> dict[str, str]:
    return {"url": reverse("wagtailadmin_home"), "label": _("首页")}


def inbox_crumb() -> dict[str, str]:
    return {"url": reverse("workflows_inbox"), "label": _("待办事项")}


def process_crumb(process) -> dict[str, str]:
    return {
        "url": reverse("workflows_process", args=[process.pk]),
        "label": _("流程 #%(pk)s") % {"pk": process.pk},
    }


def forbidden(request, message: str | None = None):
    """The back office's 403 page (Wagtail's own answer is a silent redirect to the dashboard)."""
    from backoffice.viewsets import forbidden as back_office_forbidden

    return back_office_forbidden(request, message)


def forbid_as_403(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return forbidden(request, str(exc) or None)

    return wrapped


class ForbiddenAs403Mixin:
    """Refusals are a 403 page inside the admin, so users and tests can tell what happened.

    Wraps the whole view (not `dispatch`), so a refusal raised by any subclass's dispatch counts.
    """

    @classmethod
    def as_view(cls, **initkwargs):
        return forbid_as_403(super().as_view(**initkwargs))


class AdminPageMixin(ForbiddenAs403Mixin, WagtailAdminTemplateMixin):
    """A page inside the Wagtail admin: its header, breadcrumbs and side menu."""

    header_icon = "tasks"
    crumbs: list[dict[str, str]] = []

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [home_crumb(), *self.get_crumbs(), {"url": "", "label": self.get_page_title()}]

    def get_crumbs(self) -> list[dict[str, str]]:
        return list(self.crumbs)


def process_context(request, process) -> dict[str, Any]:
    """What the process and task pages show about a process: summary, history, open tasks."""
    from ..models import StepRecord

    flow_class = process.flow_class
    coerced = process.coerced
    user = request.user
    return {
        "process": coerced,
        "flow_class": flow_class,
        "summary_template": getattr(
            flow_class, "summary_template", "workflows/includes/process_summary.html"
        ),
        "steps": StepRecord.objects.filter(process_id=process.pk).select_related("actor", "task"),
        "open_tasks": list(engine.open_tasks(process)),
        "show_client": can_see_client(user, coerced),
        "process_open": engine.process_is_open(process),
    }


def can_see_client(user, process) -> bool:
    """A villager's name on a filing: only for the adviser who filed it and the competent bureau."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    scope = engine.scope_of(user)
    if scope.is_adviser:
        return getattr(process, "adviser_id", None) == scope.adviser_id
    return user.has_perm("workflows.review_feefiling") or engine.is_head(user)


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
