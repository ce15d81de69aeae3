"""The assessment flow: one process per contract, started in bulk when a campaign is launched.

    launch ─▶ adviser's self-report ─▶ village committee (opinion, score, questionnaires)
           ─▶ township office's initial opinion ─▶ county bureau's scoring, grade, recommendation
           ─┬▶ improvement notice ─▶ adviser acknowledges ─▶ done
            └▶ done
    (every human step has a time limit in working days; overdue → escalated to the bureau heads)

崇政办发〔2017〕101号 三(二) (考核评价, the village committee's opinion and the villagers'
satisfaction), 四(一) (the county bureau assesses) and 五(二) (以案定补). Everything the engine
needs is declared here: step actions, time limits, who starts, and a `perform_<node>` per step.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows import engine
from workflows.engine import TimeLimit

from . import roles, services
from .models import Assessment, Recommendation
from .views import steps as views


class AssessmentFlow(engine.ScopedFlow):
    """法律顾问年度考评

    县级司法局发起年度考评，顾问自评，村(居)委会评议，司法所初评，县级司法局评定等次并提出处理意见。
    """

    process_class = Assessment
    process_title = _("法律顾问年度考评")
    label = _("年度考评")
    summary_template = "assessment/summary.html"
    start_permission = roles.LAUNCH
    start_action = services.LAUNCHED
    private_permission = roles.SCORE

    actions = {
        services.LAUNCHED: _("发起年度考评"),
        services.SELF_REPORTED: _("提交自评述职"),
        services.COMMITTEE_GIVEN: _("村(居)委会评议"),
        services.TOWNSHIP_GIVEN: _("司法所初评"),
        services.DECIDED: _("评定等次和处理意见"),
        services.ACKNOWLEDGED: _("顾问确认整改通知"),
        services.OBJECTED: _("提出公示异议"),
        services.ANSWERED: _("答复公示异议"),
    }
    time_limits = {
        "self_report": TimeLimit(working_days=10, setting="ASSESSMENT_SELF_REPORT_WORKING_DAYS"),
        "committee": TimeLimit(working_days=10, setting="ASSESSMENT_COMMITTEE_WORKING_DAYS"),
        "township": TimeLimit(working_days=5, setting="ASSESSMENT_TOWNSHIP_WORKING_DAYS"),
        "bureau": TimeLimit(working_days=10, setting="ASSESSMENT_BUREAU_WORKING_DAYS"),
    }

    start = (
        flow.StartHandle(this.start_from_code)
        .Annotation(title=_("县级司法局发起考评"))
        .Next(this.self_report)
    )
    self_report = (
        flow.View(views.SelfReportView.as_view())
        .Annotation(title=_("顾问自评述职"))
        .Permission(roles.SELF_REPORT)
        .Assign(this.adviser_account)
        .OnTimeout(this.deadline, this.escalate, interrupting=False, title=_("超过自评时限"))
        .Next(this.committee)
    )
    committee = (
        flow.View(views.CommitteeView.as_view())
        .Annotation(title=_("村(居)委会评议"))
        .Permission(roles.COMMITTEE)
        .OnTimeout(this.deadline, this.escalate, interrupting=False, title=_("超过评议时限"))
        .Next(this.township)
    )
    township = (
        flow.View(views.TownshipView.as_view())
        .Annotation(title=_("司法所初评"))
        .Permission(roles.TOWNSHIP)
        .OnTimeout(this.deadline, this.escalate, interrupting=False, title=_("超过初评时限"))
        .Next(this.bureau)
    )
    bureau = (
        flow.View(views.BureauView.as_view())
        .Annotation(title=_("县级司法局评定"))
        .Permission(roles.SCORE)
        .OnTimeout(this.deadline, this.escalate, interrupting=False, title=_("超过评定时限"))
        .Next(this.notice)
    )
    notice = (
        flow.If(this.needs_acknowledgement)
        .Annotation(title=_("是否限期整改"))
        .Then(this.acknowledge)
        .Else(this.done)
    )
    acknowledge = (
        flow.View(views.AcknowledgeView.as_view())
        .Annotation(title=_("顾问确认整改通知"))
        .Permission(roles.SELF_REPORT)
        .Assign(this.adviser_account)
        .Next(this.done)
    )
    escalate = flow.Function(this.escalate_overdue).Annotation(title=_("升级至局负责人")).Next(this.escalated)

    done = flow.End().Annotation(title=_("考评完成"))
    escalated = flow.End().Annotation(title=_("已督办"))

    # --- the engine's interface ---

    def prepare(self, activation, user, *, campaign, contract) -> None:
        """A new assessment of `contract` in `campaign` (rows come from `services.launch`)."""
        if contract.village_id[: len(campaign.county_id)] != campaign.county_id:
            raise ValidationError(_("合同不属于该县(市、区)。"))
        process: Assessment = activation.process
        process.campaign = campaign
        process.contract = contract
        process.village_id = contract.village_id
        process.scope_code = contract.village_id
        process.adviser_id = contract.adviser_id
        process.is_demo = campaign.is_demo

    def state_label(self, process) -> str:
        return process.get_stage_display()

    def get_urls(self) -> list:
        from .urls import urlpatterns

        return urlpatterns

    def perform_self_report(self, activation, user, *, summary, scores=None, not_applicable=(), files=()):
        return services.submit_self_report(activation, user, summary, scores or {}, not_applicable, files)

    def perform_committee(self, activation, user, *, opinion, scores=None, not_applicable=(), **counts):
        return services.give_committee_opinion(
            activation, user, opinion, scores or {}, not_applicable, **counts
        )

    def perform_township(self, activation, user, *, opinion, scores=None, not_applicable=()):
        return services.give_township_opinion(activation, user, opinion, scores or {}, not_applicable)

    def perform_bureau(self, activation, user, *, scores=None, not_applicable=(), **decision):
        return services.decide(activation, user, scores or {}, not_applicable, **decision)

    def perform_acknowledge(self, activation, user):
        return services.acknowledge(activation, user)

    # --- assignments and conditions ---

    def adviser_account(self, activation):
        """The self-report and the acknowledgement go to the adviser's own account, when it has one
        (otherwise they wait in the adviser's queue until an account is linked)."""
        contract = activation.process.contract  # the launch preloads adviser and user
        user = contract.adviser.user if contract.adviser_id else None
        return user if user is not None and user.is_active else None

    def needs_acknowledgement(self, activation) -> bool:
        return activation.process.recommendation == Recommendation.IMPROVE


def open_task(assessment: Assessment):
    """The assessment's open human task (at most one at a time), for tests, the demo and services."""
    return (
        AssessmentFlow.task_class.objects.filter(
            process=assessment, flow_task_type="HUMAN", status__in=engine.OPEN_TASK_STATES
        )
        .order_by("-created")
        .first()
    )
