"""The pages of the assessment's human steps, run by the engine's task dispatcher.

Each view builds its form from the step's indicators and hands the cleaned data to the step's
service function (`services`), the same one `perform_<node>` calls from code.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workflows.views.base import TaskFormView

from .. import forms, services
from ..models import Assessment


class StepView(TaskFormView):
    """A step that scores some indicators; subclasses name the stage, the form and the service call."""

    stage = ""
    template_name = "workflows/task_form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        assessment: Assessment = self.process
        kwargs["indicators"] = services.step_indicators(assessment, self.stage)
        kwargs["initial_scores"] = {s.indicator_id: s.points for s in assessment.scores.all()}
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["scores"] = list(self.process.scores.select_related("indicator"))
        context["evidence"] = list(self.process.evidence.all())
        return context

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ValidationError as exc:
            forms.add_errors(form, exc)
            return self.form_invalid(form)

    def call(self, form, values, not_applicable) -> None:
        raise NotImplementedError

    def perform(self, form) -> None:
        values, not_applicable = form.score_values()
        self.call(form, values, not_applicable)


class SelfReportView(StepView):
    stage = Assessment.Stage.SELF_REPORT
    form_class = forms.SelfReportForm
    success_message = _("自评述职已提交，转村(居)委会评议。")

    def call(self, form, values, not_applicable) -> None:
        data = form.cleaned_data
        services.submit_self_report(
            self.activation, self.request.user, data["summary"], values, not_applicable, data.get("files")
        )


class CommitteeView(StepView):
    stage = Assessment.Stage.COMMITTEE
    form_class = forms.CommitteeForm
    success_message = _("评议意见已提交，转司法所初评。")

    def call(self, form, values, not_applicable) -> None:
        data = form.cleaned_data
        services.give_committee_opinion(
            self.activation,
            self.request.user,
            data["opinion"],
            values,
            not_applicable,
            questionnaires=data["questionnaires"],
            satisfied=data["satisfied"],
            basically=data["basically"],
            not_satisfied=data["not_satisfied"],
        )


class TownshipView(StepView):
    stage = Assessment.Stage.TOWNSHIP
    form_class = forms.TownshipForm
    success_message = _("初评意见已提交，转县级司法局评定。")

    def call(self, form, values, not_applicable) -> None:
        services.give_township_opinion(
            self.activation, self.request.user, form.cleaned_data["opinion"], values, not_applicable
        )


class BureauView(StepView):
    """The bureau scores its indicators; the ledger's are computed now and shown, not editable."""

    stage = Assessment.Stage.BUREAU
    form_class = forms.BureauForm
    template_name = "assessment/task_bureau.html"
    success_message = _("已评定等次和处理意见。")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["assessment"] = self.process
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        computed = services.computed_scores(self.process)
        indicators = {i.pk: i for i in services.table_indicators(self.process)}
        context["computed"] = [(indicators[pk], result) for pk, result in computed.items()]
        return context

    def call(self, form, values, not_applicable) -> None:
        data = form.cleaned_data
        services.decide(
            self.activation,
            self.request.user,
            values,
            not_applicable,
            recommendation=data["recommendation"],
            opinion=data.get("opinion") or "",
            reward_amount=data.get("reward_amount"),
            improvement_items=data.get("improvement_items") or "",
            improvement_deadline=data.get("improvement_deadline"),
            no_renewal_reasons=data.get("no_renewal_reasons") or "",
        )


class AcknowledgeView(TaskFormView):
    form_class = forms.AcknowledgeForm
    template_name = "workflows/task_form.html"
    success_message = _("已确认整改通知。")

    def submit_label(self) -> str:
        return str(_("确认"))

    def perform(self, form) -> None:
        services.acknowledge(self.activation, self.request.user)
