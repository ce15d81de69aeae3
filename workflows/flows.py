"""The back office's flows. Each is a `ScopedFlow`, so the engine's scope, locking and history apply.

Fee filing (收费/减免备案), 崇政办发〔2017〕101号 三(一) "提供需另行收费的法律服务，须报县(市、区)
司法行政机关备案" and 二(二)2 "应酌情减免服务费用":

    adviser files ─▶ county bureau reviews (time limit: N working days) ─┬▶ approved ─▶ ledger entry
                          │ (overdue: escalated to the bureau head)       ├▶ returned ─▶ adviser corrects ─▶ review again
                          ▼                                               │                 └▶ withdrawn
                      escalate                                            ├▶ referred to legal aid
                                                                          └▶ rejected
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.status import STATUS

from . import engine, workdays
from .models import FeeFiling, StepRecord
from .views import fee_filing as views

logger = logging.getLogger(__name__)


def may_file(user) -> bool:
    """Only an adviser's own account files, and only while serving at least one village."""
    if not user.is_authenticated or not user.has_perm("workflows.add_feefiling"):
        return False
    scope = engine.scope_of(user)
    return scope.is_adviser and bool(scope.prefixes)


class FeeFilingFlow(engine.ScopedFlow):
    """收费/减免服务备案

    顾问提供收费或减收、免收的法律服务，报县级司法局备案审核。
    """

    process_class = FeeFiling
    process_title = _("收费/减免服务备案")
    label = _("收费/减免备案")
    summary_template = "workflows/fee_filing/summary.html"
    start_url_name = "workflows_fee_filing_new"
    start_label = _("提交收费/减免备案")

    start = (
        flow.Start(views.FileView.as_view())
        .Annotation(title=_("顾问提交备案"))
        .Available(may_file)
        .Next(this.review)
    )
    review = (
        flow.View(views.ReviewView.as_view())
        .Annotation(title=_("县级司法局审核"))
        .Permission("workflows.review_feefiling")
        .OnTimeout(this.review_deadline, this.escalate, interrupting=False, title=_("超过办理时限"))
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

    def review_deadline(self, activation) -> dt.datetime:
        """N working days from the moment the filing reaches the bureau (限时办结制)."""
        return workdays.deadline_after(timezone.now(), engine.review_working_days())

    # --- automatic steps ---

    def record_in_ledger(self, activation) -> None:
        """An approved service, or a referral to legal aid, appears in the adviser's work ledger
        (off site, needs no confirmation)."""
        from .services import ledger_entry_for

        filing = activation.process
        if filing.ledger_entry_id:
            return
        entry = ledger_entry_for(filing)
        entry.full_clean()
        entry.save()
        FeeFiling.objects.filter(pk=filing.pk).update(ledger_entry=entry)
        filing.ledger_entry = entry
        engine.record(filing, StepRecord.Action.RECORDED, task=activation.task)

    def escalate_overdue(self, activation) -> None:
        """The time limit passed with the review still open: flag it and tell the bureau head."""
        timer = activation.task.previous.first()
        host = timer.previous.first() if timer else None
        if host is None or host.status not in engine.OPEN_TASK_STATES:
            return
        filing = activation.process
        due = timezone.localtime(timer.scheduled) if timer.scheduled else None
        reason = gettext("办理期限（%(due)s）已过，事项仍未办结。") % {
            "due": due.strftime("%Y-%m-%d %H:%M") if due else "—"
        }
        host.data = {**(host.data or {}), "escalated_at": timezone.now().isoformat()}
        host.save(update_fields=["data"])
        engine.record(filing, StepRecord.Action.ESCALATED, task=host, reason=reason)
        transaction.on_commit(lambda: notify_heads(filing.pk, host.pk))


def notify_heads(process_pk: int, task_pk: int) -> None:
    """E-mail the bureau heads whose scope covers the process (no personal data in the message)."""
    from django.conf import settings

    from backoffice.scope import scope_for

    process = FeeFiling.objects.filter(pk=process_pk).first()
    if process is None:
        return
    heads = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=engine.BUREAU_HEAD, email__gt="")
        .distinct()
    )
    recipients = [user.email for user in heads if scope_for(user).covers(process.scope_code)]
    if not recipients:
        logger.info("workflow escalation of process %s: no bureau head with an e-mail address", process_pk)
        return
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    url = base + reverse("workflows_task", args=[task_pk])
    subject = gettext("【超期督办】收费/减免备案 #%(pk)s 已超过办理时限") % {"pk": process_pk}
    body = gettext("收费/减免备案 #%(pk)s 已超过办理时限，请督促办理：%(url)s") % {
        "pk": process_pk,
        "url": url,
    }
    try:
        send_mail(subject, body, None, recipients)
    except Exception:  # the escalation is recorded and shown in the admin; mail is a courtesy
        logger.warning("workflow escalation mail for process %s could not be sent", process_pk, exc_info=True)


def open_review_task(filing: FeeFiling):
    """The filing's open review task, if any (used by tests and the demo loader)."""
    return (
        FeeFilingFlow.task_class.objects.filter(
            process=filing, flow_task=FeeFilingFlow.review, status__in=engine.OPEN_TASK_STATES
        )
        .order_by("-created")
        .first()
    )


__all__ = ["FeeFilingFlow", "STATUS", "may_file", "open_review_task"]
