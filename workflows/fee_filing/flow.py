"""The fee filing flow (收费/减免备案), the first flow built on the engine (`workflows.engine`).

崇政办发〔2017〕101号 三(一) "提供需另行收费的法律服务，须报县(市、区)司法行政机关备案" and
二(二)2 "应酌情减免服务费用":

    adviser files ─▶ county bureau reviews (time limit: N working days) ─┬▶ approved ─▶ ledger entry
                          │ (overdue: escalated to the bureau head)       ├▶ returned ─▶ adviser corrects ─▶ review again
                          ▼                                               │                 └▶ withdrawn
                      escalate                                            ├▶ referred to legal aid
                                                                          └▶ rejected

Everything the engine needs is declared here: decisions, the review's time limit, the step
actions, the start page, who may file and who sees the client's name.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import path
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from backoffice.scope import scope_for
from workflows import engine
from workflows.engine import OPEN_TASK_STATES, Decision, TimeLimit

from . import services, views
from .models import FeeFiling

ADD = "fee_filing.add_feefiling"
REVIEW = "fee_filing.review_feefiling"

#: What the form and the services validate on a filing (the engine fills in the rest).
ENGINE_FIELDS = ["flow_class", "status", "created_by", "adviser", "state"]


def may_file(user) -> bool:
    """Only an adviser's own account files, and only while serving at least one village."""
    if not user.is_authenticated or not user.has_perm(ADD):
        return False
    user_scope = scope_for(user)
    return user_scope.is_adviser and bool(user_scope.prefixes)


class FeeFilingFlow(engine.ScopedFlow):
    """收费/减免服务备案

    顾问提供收费或减收、免收的法律服务，报县级司法局备案审核。
    """

    process_class = FeeFiling
    process_title = _("收费/减免服务备案")
    label = _("收费/减免备案")
    slug = "fee-filings"
    summary_template = "fee_filing/summary.html"
    start_label = _("提交收费/减免备案")
    start_view = views.FileView
    start_refused = _("只有在聘的法律顾问可以提交收费/减免备案。")
    start_action = services.SUBMITTED
    private_permission = REVIEW

    actions = {
        services.SUBMITTED: _("提交"),
        services.RESUBMITTED: _("修改后重新提交"),
        services.WITHDRAWN: _("撤回"),
        services.RECORDED: _("已记入工作台账"),
    }
    decisions = {
        "review": (
            Decision(services.APPROVE, _("通过备案"), "approved", _("通过"), reason_required=False),
            Decision(services.RETURN, _("退回修改"), "returned", _("退回修改")),
            Decision(services.REJECT, _("不予备案"), "rejected", _("不予通过")),
            Decision(services.REFER, _("转法律援助"), "referred", _("转法律援助")),
        )
    }
    time_limits = {
        "review": TimeLimit(
            working_days=5,
            setting="FEE_FILING_REVIEW_WORKING_DAYS",
            county_setting="FEE_FILING_REVIEW_WORKING_DAYS_BY_COUNTY",
        )
    }

    start = flow.StartHandle(this.start_from_code).Annotation(title=_("顾问提交备案")).Next(this.review)
    review = (
        flow.View(views.ReviewView.as_view())
        .Annotation(title=_("县级司法局审核"))
        .Permission(REVIEW)
        .OnTimeout(this.deadline, this.escalate, interrupting=False, title=_("超过办理时限"))
        .Next(this.decision)
    )
    decision = (
        flow.Switch()
        .Annotation(title=_("审核结果"))
        .Case(this.enter_in_ledger, this.is_approved)
        .Case(this.correct, this.is_returned)
        .Case(this.enter_referral, this.is_referred)
        .Default(this.rejected)
    )
    enter_in_ledger = (
        flow.Function(this.record_in_ledger).Annotation(title=_("记入工作台账")).Next(this.approved)
    )
    enter_referral = (
        flow.Function(this.record_in_ledger)
        .Annotation(title=_("记入工作台账（法律援助转介）"))
        .Next(this.referred)
    )
    correct = (
        flow.View(views.CorrectView.as_view())
        .Annotation(title=_("顾问修改"))
        .Assign(this.filer)
        .Next(this.after_correction)
    )
    after_correction = (
        flow.Switch()
        .Annotation(title=_("重新提交或撤回"))
        .Case(this.withdrawn, this.is_withdrawn)
        .Default(this.review)
    )
    escalate = flow.Function(this.escalate_overdue).Annotation(title=_("升级至局负责人")).Next(this.escalated)

    approved = flow.End().Annotation(title=_("备案通过"))
    rejected = flow.End().Annotation(title=_("不予备案"))
    referred = flow.End().Annotation(title=_("转法律援助"))
    withdrawn = flow.End().Annotation(title=_("顾问撤回"))
    escalated = flow.End().Annotation(title=_("已督办"))

    # --- the engine's interface ---

    def may_start(self, user) -> bool:
        return may_file(user)

    def state_label(self, process) -> str:
        return process.get_state_display()

    def get_urls(self) -> list:
        return [
            path(
                "processes/<int:process_pk>/files/<int:attachment_pk>/",
                views.forbid_as_403(views.attachment),
                name="workflows_attachment",
            )
        ]

    def prepare(self, activation, user, *, files=(), **fields) -> None:
        """A new filing from the adviser's data (the form's or a caller's), validated like the form."""
        filing: FeeFiling = activation.process
        filing.adviser_id = scope_for(user).adviser_id
        for name, value in fields.items():
            if name not in services.CODE_FIELDS:
                raise ValidationError(_("未知字段：%(name)s") % {"name": name})
            setattr(filing, name, value)
        filing.state = FeeFiling.State.SUBMITTED
        filing.scope_code = filing.village_id or ""
        filing.full_clean(exclude=ENGINE_FIELDS)

    def after_start(self, activation, user, *, files=(), **fields) -> None:
        services.save_attachments(activation.process, files)

    def perform_review(self, activation, user, *, decision: str, reason: str = "") -> FeeFiling:
        return services.apply_decision(activation, user, decision, reason)

    def perform_correct(self, activation, user, *, action: str, note: str = "", **fields) -> FeeFiling:
        if action == services.WITHDRAW:
            return services.withdraw(activation, user, note)
        if action != services.RESUBMIT:
            raise ValidationError(_("请选择重新提交或撤回。"))
        for name, value in fields.items():
            if name not in services.FILED_FIELDS:
                raise ValidationError(_("未知字段：%(name)s") % {"name": name})
            setattr(activation.process, name, value)
        activation.process.full_clean(exclude=ENGINE_FIELDS)
        return services.resubmit(activation, user, note)

    # --- conditions and assignments ---

    def is_approved(self, activation) -> bool:
        return activation.process.state == FeeFiling.State.APPROVED

    def is_returned(self, activation) -> bool:
        return activation.process.state == FeeFiling.State.RETURNED

    def is_referred(self, activation) -> bool:
        return activation.process.state == FeeFiling.State.REFERRED

    def is_withdrawn(self, activation) -> bool:
        return activation.process.state == FeeFiling.State.WITHDRAWN

    def filer(self, activation):
        """A returned filing goes back to the account that filed it."""
        return activation.process.created_by

    # --- automatic steps ---

    def record_in_ledger(self, activation) -> None:
        """An approved service, or a referral to legal aid, appears in the adviser's work ledger
        (off site, needs no confirmation)."""
        filing = activation.process
        if filing.ledger_entry_id:
            return
        entry = services.ledger_entry_for(filing)
        entry.full_clean()
        entry.save()
        FeeFiling.objects.filter(pk=filing.pk).update(ledger_entry=entry)
        filing.ledger_entry = entry
        engine.record(filing, services.RECORDED, task=activation.task)


def open_review_task(filing: FeeFiling):
    """The filing's open review task, if any (used by tests and the demo loader)."""
    return (
        FeeFilingFlow.task_class.objects.filter(
            process=filing, flow_task=FeeFilingFlow.review, status__in=OPEN_TASK_STATES
        )
        .order_by("-created")
        .first()
    )


def review_working_days(scope_code: str = "") -> int:
    """The review's time limit in working days (for the start page's notice)."""
    return FeeFilingFlow.working_days("review", scope_code)


__all__ = ["FeeFilingFlow", "may_file", "open_review_task", "review_working_days"]
