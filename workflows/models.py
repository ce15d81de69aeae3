"""Processes of the back office and what they decide.

Every flow's process is a `ScopedProcess`: a viewflow process that knows the place it concerns
(`scope_code`, a division code) and the adviser it concerns, so that one rule decides who may see
it (see `workflows.engine`). Each step a person or the timer takes is a `StepRecord`: who, when,
what was decided and why. A flow's own process model (e.g. `workflows.fee_filing.models.FeeFiling`)
extends `ScopedProcess` in the flow's package; the engine app holds no flow's models.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

from advisers.models import Adviser
from places.models import Division


class ScopedProcess(Process):
    """A process about one place (and usually one adviser): the unit of scope checks."""

    scope_code = models.CharField(
        _("区划代码"),
        max_length=12,
        db_index=True,
        help_text=_("流程涉及的村(社区)或其他区划的代码，决定哪些工作人员能看到和办理。"),
    )
    adviser = models.ForeignKey(
        Adviser,
        verbose_name=_("法律顾问"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="processes",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("审批流程")
        verbose_name_plural = _("审批流程")
        ordering = ["-created"]
        # viewflow adds "manage" to a flow's process model when the flow class is built; stating
        # it here keeps migrations independent of import order.
        default_permissions = ("add", "change", "delete", "view", "manage")
        permissions = [("supervise_scopedprocess", "督办超期事项（局负责人）")]

    @property
    def place(self) -> Division | None:
        return Division.objects.filter(code=self.scope_code).first()


class StepRecord(models.Model):
    """One entry of a process's history: who did what, when, the reason given, and details.

    `action` is a free code (no choices at the database level) so a flow adds its own steps
    without an engine migration; `workflows.engine.record` refuses a code the process's flow does
    not declare (`ScopedFlow.step_actions()`), and the label shown comes from the flow too.
    `details` holds what a flow wants to keep with a step (scores, amounts, a changed deadline)
    as JSON.
    """

    process = models.ForeignKey(ScopedProcess, on_delete=models.CASCADE, related_name="steps")
    task = models.ForeignKey(Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("为空表示由系统（如超时提醒）完成。"),
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    action = models.CharField(_("操作"), max_length=40, db_index=True)
    reason = models.TextField(_("理由或说明"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def get_action_display(self) -> str:
        """The label the process's flow declares for this action (the code if none does)."""
        flow_class = self.process.flow_class if self.process_id else None
        actions = (
            flow_class.step_actions()
            if flow_class is not None and hasattr(flow_class, "step_actions")
            else {}
        )
        return str(actions.get(self.action, self.action))
