"""The renewal flow (续聘), 崇政办发〔2017〕101号 二(一)3 and 三(二):

    60 days before the end ─┐
    assessment: continue ───┴▶ committee's opinion ─▶ rule checks ─▶ county bureau decides ─┬▶ renew: new contract ─▶ 已续聘
                                (agree or not, why)    (shown with     (before the old        └▶ not renew ─▶ bureau allocates
                                                        reasons)        contract ends)             another adviser ─▶ 已另行选配

Every human step's time limit is the old contract's last day (the village must never be without
an adviser); overdue, the step is escalated to the bureau head by the engine. Every contract is
saved through `advisers.rules` (cap, one adviser per village, fee not below the county standard).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from workflows import engine

from . import roles, services
from . import views as renewal_views
from .models import Renewal

logger = logging.getLogger(__name__)

#: How often viewflow's `workflow_timers` looks for contracts entering their last 60 days.
SWEEP_INTERVAL = dt.timedelta(days=1)

OPINION, CHECKED, RENEWED, NOT_RENEWED, REALLOCATED = (
    "opinion",
    "checked",
    "renewed",
    "not_renewed",
    "reallocated",
)


class DueSweep(flow.StartTimer):
    """Starts one renewal for every contract that enters its last 60 days without a successor.

    viewflow's timer dispatcher (`manage.py workflow_timers`, every few minutes) calls `run()`
    when the node is due: a day after the last renewal it started, or at every run while none
    was due (one query). Each renewal starts in its own transaction; the one-renewal-per-
    contract constraint turns a second dispatcher's start into a no-op. No account starts these
    (the history says 系统).
    """

    def run(self, **kwargs):
        started = []
        for contract in services.due_contracts():
            try:
                started.append(self.start_one(contract, Renewal.Reason.DUE))
            except IntegrityError:
                logger.info("renewal of contract %s was started meanwhile", contract.pk)
        if started:
            logger.info("renewal sweep started %d renewal(s)", len(started))
        return started

    def start_one(self, contract, reason: str) -> Renewal:
        with transaction.atomic():
            activation = super().run(contract=contract, reason=reason)
            engine.record(
                activation.process,
                engine.STARTED,
                task=activation.task,
                reason=_start_note(activation.process),
            )
            return activation.process


def _start_note(renewal: Renewal) -> str:
    return gettext("%(reason)s（原合同 %(end)s 到期）") % {
        "reason": renewal.get_reason_display(),
        "end": renewal.contract.end_date.isoformat(),
    }


class RenewalFlow(engine.ScopedFlow):
    """续聘

    合同期满前由村(居)委会发表意见，经规则核查后由县级司法局决定续聘或另行选配顾问。
    """

    process_class = Renewal
    process_title = _("续聘")
    label = _("续聘")
    summary_template = "renewal/summary.html"
    start_permission = roles.START
    start_refused = _("只有县级司法局可以发起续聘。")
    actions = {
        OPINION: _("村(居)委会发表意见"),
        CHECKED: _("规则核查"),
        RENEWED: _("续聘"),
        NOT_RENEWED: _("不再续聘"),
        REALLOCATED: _("另行选配顾问"),
    }

    start_due = (
        DueSweep(interval=SWEEP_INTERVAL, func=this.begin)
        .Annotation(title=_("合同期满前60天自动发起"))
        .Next(this.committee)
    )
    start = (
        flow.StartHandle(this.start_from_code).Annotation(title=_("年度考核建议续聘")).Next(this.committee)
    )
    committee = (
        flow.View(renewal_views.OpinionView.as_view())
        .Annotation(title=_("村(居)委会意见"))
        .Permission(roles.OPINION)
        .OnTimeout(this.bureau_deadline, this.escalate, interrupting=False, title=_("超过办理时限"))
        .Next(this.check)
    )
    check = flow.Function(this.run_checks).Annotation(title=_("规则核查")).Next(this.decide)
    decide = (
        flow.View(renewal_views.DecisionView.as_view())
        .Annotation(title=_("县级司法局决定"))
        .Permission(roles.DECIDE)
        .OnTimeout(this.bureau_deadline, this.escalate, interrupting=False, title=_("超过办理时限"))
        .Next(this.outcome)
    )
    outcome = (
        flow.Switch()
        .Annotation(title=_("决定结果"))
        .Case(this.renewed, this.is_renewed)
        .Default(this.reallocate)
    )
    reallocate = (
        flow.View(renewal_views.ReallocateView.as_view())
        .Annotation(title=_("另行选配法律顾问"))
        .Permission(roles.DECIDE)
        .OnTimeout(this.bureau_deadline, this.escalate, interrupting=False, title=_("超过办理时限"))
        .Next(this.reallocated)
    )
    escalate = flow.Function(this.escalate_overdue).Annotation(title=_("升级至局负责人")).Next(this.escalated)

    renewed = flow.End().Annotation(title=_("已续聘"))
    reallocated = flow.End().Annotation(title=_("已另行选配顾问"))
    escalated = flow.End().Annotation(title=_("已督办"))

    # --- start: by the daily sweep (no account) or from code by a bureau account ---

    def begin(self, activation, contract, reason: str = Renewal.Reason.DUE):
        self.fill(activation, contract, reason)
        return activation

    def prepare(self, activation, user, contract=None, reason: str = Renewal.Reason.CONTINUE, **row) -> None:
        if contract is None:
            raise ValidationError(_("请选择到期的聘用合同。"))
        self.fill(activation, contract, reason)

    def fill(self, activation, contract, reason: str) -> None:
        renewal: Renewal = activation.process
        renewal.contract = contract
        renewal.village_id = contract.village_id
        renewal.scope_code = contract.village_id
        renewal.adviser_id = contract.adviser_id
        renewal.reason = reason
        renewal.state = Renewal.State.COMMITTEE

    def state_label(self, process) -> str:
        return process.get_state_display() if hasattr(process, "get_state_display") else ""

    # --- conditions, deadlines ---

    def is_renewed(self, activation) -> bool:
        return activation.process.decision == Renewal.Decision.RENEW

    def bureau_deadline(self, activation) -> dt.datetime:
        """Everything is settled before the old contract's last day, so no day goes uncovered."""
        end = activation.process.contract.end_date
        return timezone.make_aware(dt.datetime.combine(end, dt.time(0, 0)))

    # --- automatic step ---

    def run_checks(self, activation) -> None:
        from .checks import run_checks

        renewal: Renewal = activation.process
        renewal.checks = run_checks(renewal.contract, committee_agrees=renewal.committee_agrees)
        renewal.checked_at = timezone.now()
        renewal.state = Renewal.State.DECISION
        renewal.save(update_fields=["checks", "checked_at", "state"])
        failed = [c["message"] for c in renewal.checks if not c["ok"]]
        engine.record(
            renewal,
            CHECKED,
            task=activation.task,
            reason="；".join(failed) if failed else gettext("全部符合"),
            details={"checks": renewal.checks},
        )

    # --- the human steps driven from code (engine.execute) ---

    def perform_committee(self, activation, user, agrees: bool, reasons: str = ""):
        return services.give_opinion(activation, user, agrees, reasons)

    def perform_decide(self, activation, user, decision: str, reasons: str = "", **terms):
        return services.decide(activation, user, decision, reasons, **terms)

    def perform_reallocate(self, activation, user, **data):
        return services.reallocate(activation, user, **data)


def open_task(renewal: Renewal, node=None):
    """The renewal's open human task (optionally of one node), for tests and the demo."""
    tasks = RenewalFlow.task_class.objects.filter(process=renewal, status__in=engine.OPEN_TASK_STATES)
    if node is not None:
        tasks = tasks.filter(flow_task=node)
    return tasks.filter(flow_task_type__in=engine.HUMAN_TASK_TYPES).order_by("-created").first()
