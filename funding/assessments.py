"""What payments need from the flows: the assessment's result, and whether the committee was heard.

Funding sits above the workflows, so it reads both flow packages' records directly:

- `result_for(contract, year)`: the contract's assessment of that year (grade, reward), from the
  annual assessment (`workflows.assessment`), once the bureau has graded it. The same function is
  registered with `workflows.renewal.grades`, so the renewal's "assessment not 不合格" check reads
  the same answer (renewal cannot import the assessment, which starts renewals).
- `start_renewal`: the assessment's "continue"/"reward" recommendation (its `recommendation_made`
  signal) starts the contract's renewal (`workflows.renewal.services.start_for`).
- `committee_opinion_on_record(contract, year)`: the one query behind "充分征求村(居委会)意见后支付"
  (崇政办发〔2017〕101号 五(二)): the village committee gave its opinion on this contract for that
  year, in the year's assessment or in a renewal of the contract.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.apps import apps

from advisers.models import ServiceContract
from workflows.renewal import grades
from workflows.renewal.models import Renewal

ASSESSMENT_APP = "workflows.assessment"


def _assessments():
    """The assessment model, when that flow package is installed (it is in every settings file
    that installs this app; the check keeps a deployment without assessments working)."""
    if not apps.is_installed(ASSESSMENT_APP):
        return None
    return apps.get_model("assessment", "Assessment")


def result_for(contract: ServiceContract, year: int) -> grades.Result | None:
    model = _assessments()
    if model is None:
        return None
    row = (
        model.objects.filter(contract_id=contract.pk, campaign__year=year)
        .exclude(grade="")
        .order_by("-pk")
        .first()
    )
    return None if row is None else _result(row)


def results_for_year(year: int, contract_ids: Iterable[int]) -> dict[int, grades.Result]:
    """`result_for` for many contracts of one year, in one query (the funding page)."""
    model = _assessments()
    if model is None:
        return {}
    rows = (
        model.objects.filter(contract_id__in=list(contract_ids), campaign__year=year)
        .exclude(grade="")
        .order_by("contract_id", "pk")
    )
    return {row.contract_id: _result(row) for row in rows}


def _result(row) -> grades.Result:
    reward = row.reward_amount if row.recommendation == "reward" and row.reward_amount else Decimal("0")
    return grades.Result(
        grade=row.get_grade_display(),
        failed=row.grade == "failed",
        reward=reward,
        recommendation=row.get_recommendation_display() if row.recommendation else "",
    )


def start_renewal(sender, assessment, recommendation, user=None, **kwargs) -> None:
    """The assessment's "continue" or "reward" starts the contract's renewal (三(二))."""
    from workflows.renewal import services as renewal

    reason = {"continue": Renewal.Reason.CONTINUE, "reward": Renewal.Reason.REWARD}.get(recommendation)
    if reason is None:
        return
    try:
        renewal.start_for(assessment.contract, reason=reason, user=user)
    except PermissionError:
        # The officer may decide assessments but not start renewals: the system starts it.
        renewal.start_for(assessment.contract, reason=reason)


def connect() -> None:
    """Wire the two flows together from above them (flow packages never import each other)."""
    grades.register(result_for)
    model = _assessments()
    if model is not None:
        from workflows.assessment.services import recommendation_made

        recommendation_made.connect(start_renewal, dispatch_uid="funding.start_renewal")


def contracts_with_committee_opinion(year: int, contract_ids: Iterable[int] | None = None) -> set[int]:
    """Ids of the contracts (among `contract_ids`, or all) whose committee opinion for `year` is on record."""
    renewals = Renewal.objects.filter(committee_at__year=year, committee_agrees__isnull=False)
    if contract_ids is not None:
        contract_ids = list(contract_ids)
        renewals = renewals.filter(contract_id__in=contract_ids)
    found = set(renewals.values_list("contract_id", flat=True))
    model = _assessments()
    if model is not None:
        heard = model.objects.filter(campaign__year=year, committee_at__isnull=False)
        if contract_ids is not None:
            heard = heard.filter(contract_id__in=contract_ids)
        found |= set(heard.values_list("contract_id", flat=True))
    return found


def committee_opinion_on_record(contract: ServiceContract, year: int) -> bool:
    """Whether the village committee's opinion on `contract` for `year` is on record."""
    return contract.pk in contracts_with_committee_opinion(year, [contract.pk])
