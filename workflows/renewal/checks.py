"""The rule checks shown to the county bureau before it decides on a renewal, each with its reason.

| check | source | binding? |
| --- | --- | --- |
| the adviser's cap | `advisers.rules.check_contract` on the proposed successor (二(一)2) | yes: the rules refuse the contract anyway |
| adviser in post | the same rules | yes |
| assessment not 不合格 | the assessment's result (`grades.result_for`), this year or last (三(二)) | yes |
| training attended this year | `ledger.compliance.trainings_for` (四(一): "作为是否继续聘用…的重要依据") | no: shown, the bureau weighs it |
| open recusals | `advisers.Recusal` not closed (二(一)4) | no: shown |
| the committee's opinion | the renewal's first step (二(一)3: 双向选择) | no: renewing against it is recorded as allocation |

The rules themselves live in `advisers.rules` and `ledger.compliance`; this module only asks them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from advisers import rules
from advisers.models import Recusal, ServiceContract
from ledger.compliance import trainings_for

from . import grades


def default_period(contract: ServiceContract) -> tuple[dt.date, dt.date]:
    """The successor's default period: from the day after the old one ends, for the same length
    (a year when the old term was a year), so there is no day without an adviser."""
    start = contract.end_date + dt.timedelta(days=1)
    try:
        end = contract.end_date.replace(year=contract.end_date.year + max(1, _term_years(contract)))
    except ValueError:  # 29 February
        end = contract.end_date.replace(year=contract.end_date.year + 1, day=28)
    return start, end


def _term_years(contract: ServiceContract) -> int:
    return max(1, round((contract.end_date - contract.start_date).days / 365.25))


def default_fee(contract: ServiceContract) -> Decimal:
    """The old fee, raised to the county's standard if the standard went up meanwhile (五(二))."""
    _cap, standard = rules.county_settings(contract.village)
    return max(contract.annual_fee, standard)


def proposed_successor(contract: ServiceContract, **overrides) -> ServiceContract:
    """The same adviser's next contract, unsaved, with the default period and fee."""
    start, end = default_period(contract)
    values = {
        "adviser_id": contract.adviser_id,
        "village_id": contract.village_id,
        "start_date": start,
        "end_date": end,
        "annual_fee": default_fee(contract),
        "status": ServiceContract.Status.ACTIVE,
        "selection": contract.selection,
    }
    values.update(overrides)
    return ServiceContract(**values)


def _check(code: str, ok: bool, message: str, *, blocking: bool) -> dict:
    return {"code": code, "ok": bool(ok), "blocking": blocking, "message": message}


def latest_result(contract: ServiceContract, today: dt.date) -> tuple[int, grades.Result] | None:
    for year in (today.year, today.year - 1):
        result = grades.result_for(contract, year)
        if result is not None:
            return year, result
    return None


def run_checks(
    contract: ServiceContract, *, committee_agrees: bool | None, today: dt.date | None = None
) -> list[dict]:
    """Every check for renewing `contract` with the same adviser (see the module docstring)."""
    today = today or timezone.localdate()
    adviser = contract.adviser
    results: list[dict] = []

    try:
        rules.check_contract(proposed_successor(contract))
    except ValidationError as exc:
        messages = exc.message_dict
        for field in ("adviser", "village", "annual_fee", "end_date", "start_date"):
            for message in messages.get(field, ()):
                results.append(_check(f"rules_{field}", False, message, blocking=True))
    if not any(c["code"] == "rules_adviser" for c in results):
        cap, _standard = rules.county_settings(contract.village)
        results.append(
            _check(
                "cap",
                True,
                _("续聘后 %(name)s 服务的村(社区)数不超过上限 %(cap)d 个。")
                % {"name": adviser.name, "cap": cap},
                blocking=True,
            )
        )

    assessed = latest_result(contract, today)
    if assessed is None:
        results.append(_check("assessment", True, _("暂无年度考核结果。"), blocking=True))
    else:
        year, result = assessed
        if result.failed:
            message = _("%(year)d 年度考核结果为“%(grade)s”，不得续聘。") % {
                "year": year,
                "grade": result.grade,
            }
        else:
            message = _("%(year)d 年度考核结果为“%(grade)s”。") % {"year": year, "grade": result.grade}
        results.append(_check("assessment", not result.failed, message, blocking=True))

    trained = trainings_for(adviser.pk, today.year)
    if trained:
        message = _("%(year)d 年已参加培训 %(n)d 次。") % {"year": today.year, "n": trained}
    else:
        message = _("%(year)d 年尚未参加培训（每年至少1次，是能否续聘的重要依据）。") % {"year": today.year}
    results.append(_check("training", bool(trained), message, blocking=False))

    open_recusals = list(
        Recusal.objects.filter(adviser_id=adviser.pk)
        .exclude(status=Recusal.Status.CLOSED)
        .order_by("raised_on")
        .values_list("matter", flat=True)[:5]
    )
    if open_recusals:
        message = _("有未办结的回避事项：%(matters)s。") % {"matters": "；".join(open_recusals)}
    else:
        message = _("没有未办结的回避事项。")
    results.append(_check("recusals", not open_recusals, message, blocking=False))

    if committee_agrees:
        message = _("村(居)委会同意续聘（双向选择）。")
    else:
        message = _("村(居)委会不同意续聘；如仍续聘，将记为司法局调配。")
    results.append(_check("committee", bool(committee_agrees), message, blocking=False))
    return results
