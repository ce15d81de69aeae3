"""The fee filing's business rules, in one place for every entry point (views, demo, imports).

The views and the flow's `perform_<node>` methods call these with the activation the engine
prepared; `file()`, `decide()` and `correct()` drive the same steps from code (the demo loader)
through the engine's API (`engine.start`, `engine.execute`): the same flow, locks and history.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ledger.models import LedgerEntry
from workflows import engine

from .models import FeeFiling, FeeFilingAttachment

LEDGER_KIND = {
    FeeFiling.ServiceType.DOCUMENTS: LedgerEntry.Kind.DOCUMENTS,
    FeeFiling.ServiceType.LITIGATION: LedgerEntry.Kind.LITIGATION,
}

APPROVE, RETURN, REJECT, REFER = "approve", "return", "reject", "refer"
#: The state each decision (declared on the flow, with its step action) puts the filing in.
OUTCOMES = {
    APPROVE: FeeFiling.State.APPROVED,
    RETURN: FeeFiling.State.RETURNED,
    REJECT: FeeFiling.State.REJECTED,
    REFER: FeeFiling.State.REFERRED,
}
RESUBMIT, WITHDRAW = "resubmit", "withdraw"
#: Step actions of the flow besides its decisions (labels: `FeeFilingFlow.actions`).
SUBMITTED, RESUBMITTED, WITHDRAWN, RECORDED = "submitted", "resubmitted", "withdrawn", "recorded"
#: The fields an adviser fills in (the form's, and what `file()` and `correct()` accept).
FILED_FIELDS = (
    "village",
    "village_id",
    "client_type",
    "client_name",
    "service_type",
    "service_date",
    "hours",
    "description",
    "basis",
    "standard_fee",
    "fee_charged",
    "reduction_reason",
    "reduction_detail",
)
#: What code may set besides (the demo loader marks its filings).
CODE_FIELDS = (*FILED_FIELDS, "is_demo")


def ledger_entry_for(filing: FeeFiling) -> LedgerEntry:
    """The (unsaved) ledger entry an approved or referred filing becomes.

    Paid or fee-reduced services are recorded off site: they count as work done for the village
    but not towards the free on-site hours the contract requires, so they need no confirmation.
    A case the bureau refers to legal aid is the adviser's 法律援助转介 (one of the policy's kinds
    of work), not the service that was filed: the legal aid centre takes the case on.
    """
    if filing.state == FeeFiling.State.REFERRED:
        template = gettext("收费/减免备案 #%(pk)s 经司法局审核转法律援助：%(service)s。%(text)s")
        kind = LedgerEntry.Kind.LEGAL_AID_REFERRAL
    else:
        template = gettext(
            "收费/减免备案 #%(pk)s：%(service)s，%(basis)s（实收 %(charged)s 元，标准 %(standard)s 元）。%(text)s"
        )
        kind = LEDGER_KIND.get(filing.service_type, LedgerEntry.Kind.OTHER)
    summary = template % {
        "pk": filing.pk,
        "service": filing.get_service_type_display(),
        "basis": filing.get_basis_display(),
        "charged": filing.fee_charged,
        "standard": filing.standard_fee,
        "text": filing.description,
    }
    return LedgerEntry(
        adviser_id=filing.adviser_id,
        village_id=filing.village_id,
        date=filing.service_date,
        kind=kind,
        on_site=False,
        hours=filing.hours,
        people_served=1 if filing.client_type == FeeFiling.ClientType.VILLAGER else 0,
        summary=summary[:1000],
        created_by_id=filing.created_by_id,
        is_demo=filing.is_demo,
    )


def ledger_source(entry: LedgerEntry):
    """The ledger's `sources` resolver: the filing an entry was made from, with its page."""
    from django.urls import reverse

    from ledger.sources import Source

    filing = getattr(entry, "fee_filing", None)
    if filing is None:
        return None
    label = gettext("收费/减免备案 #%(pk)s（%(state)s）") % {
        "pk": filing.pk,
        "state": filing.get_state_display(),
    }
    return Source("fee_filing", label, reverse("workflows_process", args=[filing.pk]))


def save_attachments(filing: FeeFiling, files: Iterable) -> None:
    for upload in files or ():
        FeeFilingAttachment.objects.create(filing=filing, file=upload, title=upload.name[:100])


# --- steps, with the activation prepared by the engine ------------------------------------------


def check_decision(filing: FeeFiling, decision: str, reason: str = "") -> str:
    """The rules of a bureau decision, for the form and for code alike; returns the clean reason.

    Every decision but approval needs a reason the adviser and the committee can read; an
    approval or a referral becomes a ledger entry, so that entry must be valid before the
    decision is taken (else the approval would fail half-way, after the decision was recorded).
    """
    from .flow import FeeFilingFlow

    _declared, reason = FeeFilingFlow.check_decision("review", decision, reason)
    if decision in (APPROVE, REFER):
        current = filing.state
        filing.state = OUTCOMES[decision]
        try:
            ledger_entry_for(filing).full_clean()
        except ValidationError as exc:
            raise ValidationError(
                _("该备案无法记入工作台账，请退回顾问修改：%(errors)s") % {"errors": "；".join(exc.messages)}
            ) from exc
        finally:
            filing.state = current
    return reason


def apply_decision(activation, user, decision: str, reason: str = "") -> FeeFiling:
    """The bureau's decision, recorded before the task executes (the flow routes on `state`)."""
    from .flow import FeeFilingFlow

    filing: FeeFiling = activation.process
    reason = check_decision(filing, decision, reason)
    declared, _reason = FeeFilingFlow.check_decision("review", decision, reason)
    filing.state = OUTCOMES[decision]
    filing.decision_reason = reason
    filing.decided_by = user
    filing.decided_at = timezone.now()
    filing.save(update_fields=["state", "decision_reason", "decided_by", "decided_at"])
    engine.record(filing, declared.step_action, actor=user, task=activation.task, reason=reason)
    return filing


def withdraw(activation, user, note: str = "") -> FeeFiling:
    filing: FeeFiling = activation.process
    FeeFiling.objects.filter(pk=filing.pk).update(state=FeeFiling.State.WITHDRAWN)
    filing.state = FeeFiling.State.WITHDRAWN
    engine.record(filing, WITHDRAWN, actor=user, task=activation.task, reason=note)
    return filing


def resubmit(activation, user, note: str = "", files: Iterable = (), remove: Iterable = ()) -> FeeFiling:
    """The corrected filing (already updated from the form) goes back to the bureau."""
    filing: FeeFiling = activation.process
    filing.state = FeeFiling.State.SUBMITTED
    filing.scope_code = filing.village_id
    # The returned decision is history now (kept in the step records), not the current opinion.
    filing.decision_reason = ""
    filing.decided_by = None
    filing.decided_at = None
    filing.save()
    for attachment in remove or ():
        attachment.file.delete(save=False)
        attachment.delete()
    save_attachments(filing, files)
    engine.record(filing, RESUBMITTED, actor=user, task=activation.task, reason=note)
    return filing


# --- the same steps driven from code (the engine's API) ---------------------------------------


def file(user, files: Iterable = (), **fields) -> FeeFiling:
    """File a fee filing as an adviser's account, validated like the form (`engine.start`)."""
    from .flow import FeeFilingFlow

    return engine.start(FeeFilingFlow, user, files=files, **fields)


def decide(user, task_pk: int, decision: str, reason: str = "") -> FeeFiling:
    """Claim (if needed) and decide a review task as a bureau officer (`engine.execute`)."""
    return engine.execute(user, task_pk, decision=decision, reason=reason)


def correct(user, task_pk: int, action: str, note: str = "", **fields) -> FeeFiling:
    """The adviser's answer to a returned filing: resubmit (with changed fields) or withdraw."""
    return engine.execute(user, task_pk, action=action, note=note, **fields)
