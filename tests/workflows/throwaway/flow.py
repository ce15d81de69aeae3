"""核对清单: start (from code only) -> one scoped, time-limited human check -> end.

The check belongs to whoever holds `CHECK` in the process's county; if it is still open when its
time limit passes, the engine escalates it to the bureau heads in scope.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from viewflow import this
from viewflow.workflow import flow

from workflows import engine
from workflows.engine import Decision, TimeLimit
from workflows.models import ScopedProcess
from workflows.views.base import TaskFormView

CHECK = "workflows.manage_scopedprocess"


class CheckForm(forms.Form):
    decision = forms.ChoiceField(choices=[("ok", "无误"), ("wrong", "有误")])
    reason = forms.CharField(required=False)


class CheckView(TaskFormView):
    form_class = CheckForm

    def perform(self, form) -> None:
        self.activation.flow_task.flow_class.instance.perform(
            self.activation, self.request.user, **form.cleaned_data
        )


class ChecklistFlow(engine.ScopedFlow):
    """核对清单（测试）"""

    process_class = ScopedProcess
    label = "核对清单"
    start_permission = "workflows.view_scopedprocess"
    start_action = "opened"
    actions = {"opened": "发起核对"}
    decisions = {
        "check": (
            Decision("ok", "无误", action="checked", action_label="核对无误", reason_required=False),
            Decision("wrong", "有误", action="found_wrong", action_label="核对有误"),
        )
    }
    time_limits = {
        "check": TimeLimit(
            working_days=2, setting="THROWAWAY_CHECK_DAYS", county_setting="THROWAWAY_CHECK_DAYS_BY_COUNTY"
        )
    }

    start = flow.StartHandle(this.start_from_code).Next(this.check)
    check = (
        flow.View(CheckView.as_view())
        .Permission(CHECK)
        .OnTimeout(this.deadline, this.escalate, interrupting=False)
        .Next(this.done)
    )
    escalate = flow.Function(this.escalate_overdue).Next(this.escalated)
    escalated = flow.End()
    done = flow.End()

    def prepare(self, activation, user, *, village: str, broken: bool = False) -> None:
        if broken:
            raise ValidationError({"village": "这一行的数据有误。"})
        activation.process.scope_code = village

    def perform_check(self, activation, user, *, decision: str, reason: str = "") -> ScopedProcess:
        declared, reason = type(self).check_decision("check", decision, reason)
        engine.record(
            activation.process, declared.step_action, actor=user, task=activation.task, reason=reason
        )
        return activation.process
