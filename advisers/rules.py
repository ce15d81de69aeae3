"""The policy's rules on contracts, in one place; every entry point goes through here.

- at most N active contracts per adviser at any time, N per county, default 5
  (崇政办发〔2017〕101号 二(一)2: "原则上不得超过5个");
- at most one active contract per village at any time (一村(社区)一法律顾问);
- the period ends after it starts;
- the annual fee is not below the county's standard, default 3,000 yuan (五(二)).

`save_contract` checks again under row locks so that two concurrent requests cannot both take
an adviser's last free place: on PostgreSQL the adviser and village rows are locked with
SELECT ... FOR UPDATE; on SQLite a no-op UPDATE takes the database's write lock first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from places import codes
from places.models import Division

from .models import DEFAULT_ADVISER_CAP, DEFAULT_FEE_STANDARD, Adviser, CountyBureau, ServiceContract

# Sanity bounds that catch a mistyped year: the programme began in 2014 at the earliest (the
# national pilots; 崇政办发〔2017〕101号 for 崇左), and a term is a year or a few, never a decade.
EARLIEST_START = dt.date(2014, 1, 1)
MAX_TERM_YEARS = 5


def county_settings(village: Division) -> tuple[int, Decimal]:
    """(adviser cap, fee standard) of the village's county, defaulting to the policy's figures.

    The cap is read as `models.county_cap` reads it (one query here for both settings)."""
    bureau = (
        CountyBureau.objects.filter(county_id=village.code[:6]).only("adviser_cap", "fee_standard").first()
    )
    if bureau is None:
        return DEFAULT_ADVISER_CAP, DEFAULT_FEE_STANDARD
    return bureau.adviser_cap, bureau.fee_standard


def may_raise_cap(*, is_superuser: bool, prefixes: Sequence[str] | None) -> bool:
    """Who may set a county's cap above the policy's 5: a superuser or a city-level (or wider)
    account. A county bureau may only lower its own cap (and raise its fee standard)."""
    if is_superuser or prefixes is None:
        return True
    return bool(prefixes) and all(len(p) <= codes.CODE_LENGTHS[codes.CITY] for p in prefixes)


def check_bureau_settings(
    bureau: CountyBureau, *, previous_cap: int | None, is_superuser: bool, prefixes: Sequence[str] | None
) -> None:
    """The county settings a user may save (the model's own checks run in `full_clean`)."""
    raised = bureau.adviser_cap > DEFAULT_ADVISER_CAP and bureau.adviser_cap != previous_cap
    if raised and not may_raise_cap(is_superuser=is_superuser, prefixes=prefixes):
        raise ValidationError({"adviser_cap": _("县级司法局只能把上限调低；超过5个须由市级司法局设置。")})


def _overlaps(qs, start: dt.date, end: dt.date):
    return qs.filter(start_date__lte=end, end_date__gte=start)


def busiest_day(
    periods: list[tuple[dt.date, dt.date]], start: dt.date, end: dt.date
) -> tuple[int, dt.date | None]:
    """(largest number of `periods` running on one day within [start, end], the first such day).

    The number is the adviser's load on that day as `Adviser.objects.with_load(on=day)` counts
    it (contracts in force that day), taken at the worst day of the new contract's period.
    """
    events: list[tuple[dt.date, int]] = []
    for s, e in periods:
        s, e = max(s, start), min(e, end)
        if s <= e:
            events.append((s, 1))
            events.append((e + dt.timedelta(days=1), -1))
    events.sort(key=lambda item: (item[0], item[1]))
    running = peak = 0
    peak_day: dt.date | None = None
    for day, delta in events:
        running += delta
        if running > peak:
            peak, peak_day = running, day
    return peak, peak_day


def max_concurrent(periods: list[tuple[dt.date, dt.date]], start: dt.date, end: dt.date) -> int:
    """The largest number of `periods` running on one day within [start, end] (inclusive)."""
    return busiest_day(periods, start, end)[0]


def check_contract(contract: ServiceContract, pending: Sequence[ServiceContract] = ()) -> None:
    """Raise ValidationError (field → Chinese message) when the contract breaks a rule.

    `pending` are contracts not saved yet that the check must count as if they were, e.g. the
    earlier rows of one import file, so that the cap and the one-adviser-per-village rule hold
    across the rows of a file before anything is written.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    start, end = contract.start_date, contract.end_date
    if start and end and end <= start:
        add("end_date", _("结束日期必须晚于开始日期。"))
    if start and start < EARLIEST_START:
        add("start_date", _("开始日期早于 %(year)s 年，请检查年份。") % {"year": EARLIEST_START.year})
    if start and end and (end - start).days > 366 * MAX_TERM_YEARS:
        add("end_date", _("聘期不能超过 %(years)s 年，请检查年份。") % {"years": MAX_TERM_YEARS})
    signed = getattr(contract, "signed_on", None)
    if signed and start and signed > start:
        add("signed_on", _("签订日期不能晚于聘期开始日期。"))
    if signed and signed > timezone.localdate():
        add("signed_on", _("签订日期不能是将来的日期。"))
    village = contract.village if contract.village_id else None
    if village is not None and village.level != codes.VILLAGE:
        add("village", _("只能为村(社区)签订聘用合同，“%(name)s”不是村(社区)。") % {"name": village.name})
        village = None
    adviser = contract.adviser if contract.adviser_id else None
    check_termination(contract, add)

    if village is not None:
        cap, fee_standard = county_settings(village)
        if contract.annual_fee is not None and contract.annual_fee < fee_standard:
            add(
                "annual_fee",
                _("年度服务费不得低于本县标准 %(fee)s 元。") % {"fee": f"{fee_standard:,.0f}"},
            )
    else:
        cap = DEFAULT_ADVISER_CAP

    active = contract.status == ServiceContract.Status.ACTIVE
    if active and adviser is not None and not adviser.is_active:
        add("adviser", _("%(name)s 已不在岗，不能签订有效合同。") % {"name": adviser.name})

    if active and start and end and end > start:
        # Terminated contracts count up to their termination date: ending one frees its place
        # from the next day, never retroactively.
        others = ServiceContract.objects.active_during(start, end)
        if contract.pk:
            others = others.exclude(pk=contract.pk)
        pending_active = [
            p
            for p in pending
            if p is not contract
            and p.status == ServiceContract.Status.ACTIVE
            and p.start_date <= end
            and p.end_date >= start
        ]
        if village is not None:
            clash = _overlaps(others.filter(village=village), start, end).select_related("adviser").first()
            if clash is None:
                clash = next((p for p in pending_active if p.village_id == village.pk), None)
            if clash is not None:
                add(
                    "village",
                    _(
                        "%(village)s 在此期间已有有效合同：%(adviser)s，%(start)s 至 %(end)s。一个村(社区)同一时间只能有一名法律顾问。"
                    )
                    % {
                        "village": village.name,
                        "adviser": clash.adviser.name,
                        "start": clash.start_date.isoformat(),
                        "end": clash.last_day.isoformat(),
                    },
                )
        if adviser is not None:
            current = list(
                others.filter(adviser=adviser)
                .active_during(start, end)
                .select_related("village")
                .order_by("village_id")
            )
            current += [p for p in pending_active if p.adviser_id == adviser.pk]
            peak, day = busiest_day([(c.start_date, c.last_day) for c in current], start, end)
            if peak >= cap:
                # Name the villages counted: those served on the busiest day, not every village
                # of the period (the count and the list must agree).
                names = "、".join(
                    sorted(c.village.name for c in current if c.start_date <= day <= c.last_day)
                )
                add(
                    "adviser",
                    _(
                        "%(name)s 在此期间已担任 %(count)d 个村(社区)的法律顾问（上限 %(cap)d 个）：%(villages)s。不能再签订新的合同。"
                    )
                    % {"name": adviser.name, "count": peak, "cap": cap, "villages": names},
                )
    if errors:
        raise ValidationError(errors)


def check_termination(contract: ServiceContract, add: Callable[[str, str], None]) -> None:
    """A contract ends on a date, with a reason, and its history before that date stays.

    已解除 needs the last day in force (within the contract's period) and the reason; only an
    ended contract carries a termination date. A terminated contract saved before termination
    dates existed (no date) keeps its old meaning, never in force, until someone edits it.
    """
    terminated = contract.status == ServiceContract.Status.TERMINATED
    day, start, end = contract.terminated_on, contract.start_date, contract.end_date
    if not terminated:
        if day or (contract.termination_reason or "").strip():
            add("terminated_on", _("只有状态为“已解除”的合同才填写解除日期和原因。"))
        return
    if day is None:
        add("terminated_on", _("请填写解除日期：合同最后有效的一天（此前的服务和备案照常计入）。"))
    elif start and day < start:
        add("terminated_on", _("解除日期不能早于合同开始日期 %(start)s。") % {"start": start.isoformat()})
    elif end and day > end:
        add("terminated_on", _("解除日期不能晚于合同结束日期 %(end)s。") % {"end": end.isoformat()})
    if not (contract.termination_reason or "").strip():
        add("termination_reason", _("请填写解除原因。"))


def _lock(contract: ServiceContract) -> None:
    """Serialise writers that could both pass the checks: lock adviser, then village."""
    if connection.vendor == "postgresql":
        if contract.adviser_id:
            list(Adviser.objects.select_for_update().filter(pk=contract.adviser_id).values_list("pk"))
        if contract.village_id:
            list(Division.objects.select_for_update().filter(pk=contract.village_id).values_list("pk"))
    elif contract.adviser_id:
        # SQLite has no row locks; a write takes its single write lock before we read.
        Adviser.objects.filter(pk=contract.adviser_id).update(is_active=F("is_active"))


def save_contract(contract: ServiceContract, do_save: Callable[[], None]) -> None:
    """Check the rules under locks and save, atomically."""
    with transaction.atomic():
        _lock(contract)
        check_contract(contract)
        do_save()
