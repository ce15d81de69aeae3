"""The generic process list and process page (summary, open tasks, history, flow chart).

They know each flow only through its interface (`ScopedFlow`: process title, `state_label`,
`summary_template`, `can_see_private`), never a flow's own model.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from viewflow.workflow import chart
from viewflow.workflow.status import PROCESS

from places import codes
from places.models import Division

from .. import engine
from ..models import ScopedProcess
from .base import AdminPageMixin, inbox_crumb, process_context
from .tasks import require_workflow_access

PAGE_SIZE = 30


class ProcessListView(AdminPageMixin, TemplateView):
    """全部流程: every process the user may see, newest first, filterable by state and place."""

    template_name = "workflows/process_list.html"
    page_title = _("全部流程")

    STATES = [("open", _("办理中")), ("done", _("已办结")), ("all", _("全部"))]

    def dispatch(self, request, *args, **kwargs):
        require_workflow_access(request.user)
        return super().dispatch(request, *args, **kwargs)

    def get_crumbs(self):
        return [inbox_crumb()]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        processes = engine.visible_processes(user).select_related("adviser")
        state = self.request.GET.get("state", "open")
        if state == "open":
            processes = processes.exclude(status__in=[PROCESS.DONE, PROCESS.CANCELED])
        elif state == "done":
            processes = processes.filter(status__in=[PROCESS.DONE, PROCESS.CANCELED])
        place = self.request.GET.get("place", "").strip()
        if place and place.isdigit() and len(place) <= codes.CODE_LENGTHS[codes.VILLAGE]:
            processes = processes.filter(scope_code__startswith=place)
        else:
            place = ""
        paginator = Paginator(processes.order_by("-created", "-pk"), PAGE_SIZE)
        page = paginator.get_page(self.request.GET.get("p"))
        states = process_states(page.object_list)
        names = dict(
            Division.objects.filter(code__in={p.scope_code for p in page.object_list}).values_list(
                "code", "name"
            )
        )
        context.update(
            {
                "page": page,
                "rows": [
                    {
                        "process": p,
                        "state_label": states.get(p.pk, ""),
                        "place": names.get(p.scope_code, p.scope_code),
                    }
                    for p in page.object_list
                ],
                "state": state,
                "states": self.STATES,
                "place": place,
            }
        )
        return context


def process_states(processes) -> dict[int, str]:
    """Each process's state as its flow labels it, one query per flow on the page."""
    by_flow: dict[type, list[int]] = {}
    for process in processes:
        flow_class = engine.flow_of(process)
        if flow_class is not None:
            by_flow.setdefault(flow_class, []).append(process.pk)
    states: dict[int, str] = {}
    for flow_class, ids in by_flow.items():
        flow = flow_class.instance
        for process in flow_class.process_class._default_manager.filter(pk__in=ids):
            states[process.pk] = flow.state_label(process)
    return states


def visible_process_or_404(user, pk: int) -> ScopedProcess:
    return get_object_or_404(engine.visible_processes(user), pk=pk)


class ProcessView(AdminPageMixin, TemplateView):
    """One process: what it is about, where it stands, who did what, and the flow chart."""

    template_name = "workflows/process_detail.html"

    def dispatch(self, request, *args, **kwargs):
        require_workflow_access(request.user)
        self.process = visible_process_or_404(request.user, kwargs["process_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return f"{self.process.flow_class.process_title} #{self.process.pk}"

    def get_crumbs(self):
        return [inbox_crumb()]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(process_context(self.request, self.process))
        user = self.request.user
        for task in context["open_tasks"]:
            task.is_mine = task.owner_id == user.pk
            task.overdue = engine.is_overdue(task)
            task.claimable = engine.can_claim(user, task)
        context["chart"] = flow_chart(self.process)
        return context


def flow_chart(process: ScopedProcess) -> str:
    """The flow's BPMN-style chart as inline SVG, with this process's steps coloured."""
    flow_class = process.flow_class
    grid = chart.calc_layout_data(flow_class)
    chart.calc_cell_status(flow_class, grid, process.pk)
    return mark_safe(chart.grid_to_svg(grid))  # noqa: S308 -- rendered by viewflow's template from node titles
