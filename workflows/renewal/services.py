"""The renewal's steps, in one place for the views, the assessment flow, the demo and tests.

`start_for(contract, reason=...)` is how anything starts a renewal (the daily sweep, the annual
assessment's "continue"/"reward" recommendation); the step functions take the activation the
engine's dispatcher prepared, so the views and code drive the same flow, locks and history.
Every contract is saved through the model, i.e. through `advisers.rules` (cap, one adviser per
village, fee not below the county's standard); nothing here re-checks those rules itself.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from advisers.models import Adviser, OnSiteSchedule, ServiceContract
from workflows import engine

from .models import Renewal

#: A renewal starts this many days before the contract ends (the coverage forecast's horizon too).
RENEWAL_LEAD_DAYS = 60

SCHEDULE_FIELDS = ("frequency", "weekdays", "week_ordinals", "month_days", "start_time", "end_time", "place")


def ending_contracts(within_days: int = RENEWAL_LEAD_DAYS, on: dt.date | None = None) -> QuerySet:
    """Contracts in force that end within `within_days` days with no successor signed."""
    return ServiceContract.objects.ending_without_successor(within_days=within_days, on=on)


def due_contracts(on: dt.date | None = None) -> QuerySet:
    """Ending contracts that have no renewal yet: what the daily sweep starts (a terminated
    contract is not renewed: its village gets a new contract from the bureau)."""
    return (
        ending_contracts(on=on)
        .filter(renewal__isnull=True, status=ServiceContract.Status.ACTIVE)
        .select_related("village", "adviser")
        .order_by("end_date", "pk")
    )


def start_for(contract: ServiceContract, reason: str = Renewal.Reason.DUE, user=None) -> Renewal | None:
    """Start the renewal of `contract` (idempotent): the existing one if it was started already,
    None when there is nothing to renew (not active, or a successor is signed).

    `reason` is `Renewal.Reason.DUE`, `.CONTINUE` or `.REWARD` (the assessment's recommendation).
    With `user` (e.g. the bureau officer who closed the assessment) the start goes through
    `engine.start`, which checks the user may start renewals and that the village is in their
    scope (PermissionError otherwise); without one it is the system's, like the daily sweep.
    """
    from .flow import RenewalFlow

    if reason not in Renewal.Reason.values:
        raise ValueError(f"unknown renewal reason {reason!r}")
    existing = Renewal.objects.filter(contract=contract).first()
    if existing is not None:
        return existing
    if contract.status != ServiceContract.Status.ACTIVE or has_successor(contract):
        return None
    try:
        if user is not None:
            return engine.start(RenewalFlow, user, node="start", contract=contract, reason=reason)
        return RenewalFlow.start_due.start_one(contract, reason)
    except IntegrityError:  # started by someone else meanwhile (one renewal per contract)
        return Renewal.objects.get(contract=contract)


def has_successor(contract: ServiceContract) -> bool:
    return (
        ServiceContract.objects.filter(
            village_id=contract.village_id,
            start_date__gt=contract.start_date,
            end_date__gt=contract.end_date,
        )
        .exclude(status=ServiceContract.Status.TERMINATED)
        .exists()
    )


# --- steps, with the activation prepared by the engine ------------------------------------------


def give_opinion(activation, user, agrees: bool, reasons: str) -> Renewal:
    """The village committee's opinion on renewing its adviser (双向选择: the village's side)."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("请填写意见和理由。")})
    renewal: Renewal = activation.process
    renewal.committee_agrees = bool(agrees)
    renewal.committee_reasons = reasons
    renewal.committee_by = user
    renewal.committee_at = timezone.now()
    renewal.save(update_fields=["committee_agrees", "committee_reasons", "committee_by", "committee_at"])
    verdict = gettext("同意续聘") if agrees else gettext("不同意续聘")
    engine.record(renewal, "opinion", actor=user, task=activation.task, reason=f"{verdict}：{reasons}")
    return renewal


def copy_schedules(source: ServiceContract, target: ServiceContract) -> None:
    for slot in source.schedules.all():
        OnSiteSchedule.objects.create(
            contract=target, **{name: getattr(slot, name) for name in SCHEDULE_FIELDS}
        )


def build_successor(
    renewal: Renewal,
    *,
    adviser: Adviser,
    start_date: dt.date,
    end_date: dt.date,
    annual_fee: Decimal,
    selection: str,
) -> ServiceContract:
    """The successor contract, unsaved, checked by `advisers.rules` (ValidationError by field)."""
    today = timezone.localdate()
    contract = ServiceContract(
        adviser=adviser,
        village_id=renewal.village_id,
        start_date=start_date,
        end_date=end_date,
        annual_fee=annual_fee,
        selection=selection,
        status=ServiceContract.Status.ACTIVE,
        signed_on=today if start_date and today <= start_date else None,
        note=gettext("续聘流程 #%(pk)s") % {"pk": renewal.pk},
    )
    contract.full_clean(exclude=["schedules"])
    return contract


def _save_successor(renewal: Renewal, contract: ServiceContract, copy_schedule: bool) -> ServiceContract:
    contract.save()  # through advisers.rules, under its row locks
    if copy_schedule:
        copy_schedules(renewal.contract, contract)
    renewal.successor = contract
    return contract


def decide(
    activation,
    user,
    decision: str,
    reasons: str = "",
    *,
    start_date: dt.date | None = None,
    end_date: dt.date | None = None,
    annual_fee: Decimal | None = None,
    copy_schedule: bool = True,
) -> Renewal:
    """The county bureau's decision: renew (the new contract is saved now) or not (allocation next)."""
    renewal: Renewal = activation.process
    reasons = (reasons or "").strip()
    if decision not in Renewal.Decision.values:
        raise ValidationError({"decision": _("请选择决定。")})
    if decision == Renewal.Decision.NOT_RENEW and not reasons:
        raise ValidationError({"reasons": _("不再续聘须说明理由。")})
    if decision == Renewal.Decision.RENEW:
        if not renewal.may_renew:
            raise ValidationError(
                {"decision": [c["message"] for c in renewal.blocking_checks] or [_("不符合续聘条件。")]}
            )
        old = renewal.contract
        selection = (
            ServiceContract.Selection.TWO_WAY
            if renewal.committee_agrees
            else ServiceContract.Selection.ALLOCATED
        )
        contract = build_successor(
            renewal,
            adviser=old.adviser,
            start_date=start_date,
            end_date=end_date,
            annual_fee=annual_fee,
            selection=selection,
        )
        _save_successor(renewal, contract, copy_schedule)
        renewal.state = Renewal.State.RENEWED
        action = "renewed"
        note = gettext("续聘：%(start)s 至 %(end)s，年度服务费 %(fee)s 元。%(reasons)s") % {
            "start": contract.start_date.isoformat(),
            "end": contract.end_date.isoformat(),
            "fee": contract.annual_fee,
            "reasons": reasons,
        }
    else:
        renewal.state = Renewal.State.REALLOCATION
        action = "not_renewed"
        note = gettext("不再续聘：%(reasons)s") % {"reasons": reasons}
    renewal.decision = decision
    renewal.decision_reasons = reasons
    renewal.decided_by = user
    renewal.decided_at = timezone.now()
    renewal.save()
    engine.record(renewal, action, actor=user, task=activation.task, reason=note.strip())
    return renewal


def reallocate(
    activation,
    user,
    *,
    adviser: Adviser,
    selection: str,
    start_date: dt.date,
    end_date: dt.date,
    annual_fee: Decimal,
    committee_agreed: bool = False,
    firm_agreed: bool = False,
    copy_schedule: bool = False,
    note: str = "",
) -> Renewal:
    """Another adviser for the village, by two-way selection (both sides agreed) or by allocation,
    starting no later than the day after the old contract ends."""
    renewal: Renewal = activation.process
    old = renewal.contract
    errors: dict[str, list[str]] = {}
    if adviser.pk == old.adviser_id:
        errors.setdefault("adviser", []).append(str(_("不再续聘时，请选择另一名法律顾问。")))
    if selection not in ServiceContract.Selection.values:
        errors.setdefault("selection", []).append(str(_("请选择选聘方式。")))
    if selection == ServiceContract.Selection.TWO_WAY and not (committee_agreed and firm_agreed):
        errors.setdefault("selection", []).append(
            str(_("双向选择须村(居)委会和律师事务所均同意；否则请选择“司法局调配”。"))
        )
    latest_start = max(old.end_date + dt.timedelta(days=1), timezone.localdate())
    if start_date and start_date > latest_start:
        errors.setdefault("start_date", []).append(
            str(
                _("新合同最迟应于 %(day)s 开始，村(社区)不能没有法律顾问。")
                % {"day": latest_start.isoformat()}
            )
        )
    if errors:
        raise ValidationError(errors)
    contract = build_successor(
        renewal,
        adviser=adviser,
        start_date=start_date,
        end_date=end_date,
        annual_fee=annual_fee,
        selection=selection,
    )
    _save_successor(renewal, contract, copy_schedule)
    renewal.committee_agreed_successor = bool(committee_agreed)
    renewal.firm_agreed_successor = bool(firm_agreed)
    renewal.state = Renewal.State.REALLOCATED
    renewal.save()
    engine.record(
        renewal,
        "reallocated",
        actor=user,
        task=activation.task,
        reason=(
            gettext(
                "另行选配：%(adviser)s（%(selection)s），%(start)s 至 %(end)s，年度服务费 %(fee)s 元。%(note)s"
            )
            % {
                "adviser": adviser.name,
                "selection": contract.get_selection_display(),
                "start": contract.start_date.isoformat(),
                "end": contract.end_date.isoformat(),
                "fee": contract.annual_fee,
                "note": (note or "").strip(),
            }
        ).strip(),
    )
    return renewal


# --- the committee's opinion, for payments ---------------------------------------------------------


def opinions_on_record(year: int) -> QuerySet:
    """Renewals whose committee opinion was given in `year` (values: contract id)."""
    return Renewal.objects.filter(committee_at__year=year, committee_agrees__isnull=False)
