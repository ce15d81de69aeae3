"""`make bench-assessment`: launching annual assessment campaigns in bulk, on SQLite and PostgreSQL.

The issue's budget: launching a campaign for 1,000 contracts takes at most 60 s on PostgreSQL
(one process per contract, started through viewflow in one transaction, all or nothing). Two
launches are measured on a fresh database holding the demo (崇左市 and 城北区, `load_demo
--without-work`):

- **all of 崇左**: the city bureau launches this year's campaigns of every county of 崇左市 at
  once (the demo's contracts, about 900);
- **1,000 contracts**: the same for an earlier year, for which the bench adds half-year contracts
  (not through the contract rules: set-up only, not measured) until exactly 1,000 are active.

Each launch calls `workflows.assessment.services.launch` in-process, as the launch page does; the
wall time and the cost per process are printed, with the campaign dashboard's SQL query count
(which must not grow with the villages). Figures go to .cache/bench/assessment.json. Exit status:
0 within budget (PostgreSQL may be skipped when no server answers), 1 over budget or failed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as base  # noqa: E402 -- bench/run.py: database targets and subprocess helpers

ROOT = base.ROOT
BUDGET_S = 60.0  # for 1,000 contracts on PostgreSQL
CONTRACTS = 1000
DATABASE = "portal_bench_assessment"


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT / "site"))
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # as in production: no query log kept in memory


def _city_account():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from backoffice import roles
    from backoffice.models import StaffProfile

    roles.ensure_roles()
    user, _created = get_user_model().objects.get_or_create(username="bench_city")
    user.groups.add(Group.objects.get(name=roles.CITY_BUREAU))
    StaffProfile.objects.update_or_create(user=user, defaults={"scope_id": "4514"})
    return user


def _top_up(year: int, wanted: int) -> int:
    """Add half-year contracts in 崇左's villages until `wanted` are active during `year`."""
    from decimal import Decimal

    from advisers.models import Adviser, Firm, ServiceContract
    from places.models import Division
    from workflows.assessment.services import contracts_for

    counties = list(Division.objects.counties().within("4514").values_list("code", flat=True))
    have = sum(contracts_for(c, year).count() for c in counties)
    villages = list(
        Division.objects.villages().within("4514").order_by("code").values_list("code", flat=True)
    )
    firm = Firm.objects.create(name="基准测试律师事务所")
    rows, index = [], 0
    halves = [(dt.date(year, 1, 1), dt.date(year, 6, 30)), (dt.date(year, 7, 1), dt.date(year, 12, 31))]
    while have + len(rows) < wanted:
        village = villages[index % len(villages)]
        start, end = halves[(index // len(villages)) % 2]
        if index % 5 == 0:
            adviser = Adviser.objects.create(
                name=f"基准顾问{index // 5}", licence_no=f"{9 * 10**16 + index:017d}", firm=firm
            )
        rows.append(
            ServiceContract(
                adviser=adviser,
                village_id=village,
                start_date=start,
                end_date=end,
                annual_fee=Decimal("3000"),
            )
        )
        index += 1
    # bulk_create skips the model's save(), i.e. the contract rules: set-up data only.
    ServiceContract.objects.bulk_create(rows)
    return have + len(rows)


def _dashboard_queries(user, campaign) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/admin/workflows/assessment/{campaign.pk}/", HTTP_HOST="127.0.0.1")
    if response.status_code != 200:
        raise RuntimeError(f"dashboard answered {response.status_code}")
    return len(queries)


def _launch(user, year: int) -> dict:
    from places.models import Division
    from workflows.assessment import services
    from workflows.assessment.models import Assessment

    counties = list(Division.objects.counties().within("4514").values_list("code", flat=True))
    counties = [c for c in counties if services.contracts_for(c, year).exists()]
    started = time.perf_counter()
    campaigns = services.launch(user, counties, year)
    elapsed = time.perf_counter() - started
    processes = Assessment.objects.filter(campaign__in=campaigns).count()
    largest = max(campaigns, key=lambda c: c.assessments.count())
    return {
        "year": year,
        "counties": len(campaigns),
        "processes": processes,
        "seconds": round(elapsed, 2),
        "ms_per_process": round(1000 * elapsed / processes, 1) if processes else None,
        "dashboard_queries": _dashboard_queries(user, largest),
        "dashboard_processes": largest.assessments.count(),
    }


def inner(out: Path) -> None:
    """In the bench database's own process: both launches, figures to `out`."""
    _setup_django()
    from django.utils import timezone

    user = _city_account()
    this_year = timezone.localdate().year
    figures = {"chongzuo": _launch(user, this_year)}
    earlier = this_year - 3
    figures["contracts_active"] = _top_up(earlier, CONTRACTS)
    figures["thousand"] = _launch(user, earlier)
    figures["load_average"] = [round(x, 1) for x in os.getloadavg()]
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


def measure(target) -> dict:
    base._run(target, ["manage.py", "migrate", "--noinput"], "migrate")
    base._run(target, ["manage.py", "load_demo", "--without-work"], "load_demo")
    out = target.var_dir / "assessment.json"
    base._run(target, [str(Path(__file__).resolve()), "--inner", str(out)], "launch")
    return json.loads(out.read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", action="store_true", help="keep the bench databases")
    parser.add_argument("--inner", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.inner:
        inner(Path(args.inner))
        return 0
    targets, skipped = [], []
    if args.only in (None, "sqlite"):
        targets.append(base.sqlite_target())
    if args.only in (None, "postgresql"):
        target, reason = base.postgres_target(DATABASE)
        if target is None:
            skipped.append(reason)
        else:
            targets.append(target)
    status, results = 0, {}
    for target in targets:
        try:
            results[target.key] = measure(target)
        except (base.BenchError, subprocess.SubprocessError) as exc:
            print(exc, file=sys.stderr)
            status = 1
        finally:
            if not args.keep:
                base.drop(target)
    print("\nAssessment launch (one process per contract, one transaction)")
    print(
        f"{'database':<12}{'launch':<22}{'processes':>10}{'seconds':>10}{'ms/process':>12}{'dashboard SQL':>15}"
    )
    for key, figures in results.items():
        for name, label in (("chongzuo", "all of 崇左"), ("thousand", "1,000 contracts")):
            row = figures[name]
            print(
                f"{base.LABELS[key]:<12}{label:<22}{row['processes']:>10}{row['seconds']:>10}"
                f"{row['ms_per_process']:>12}{row['dashboard_queries']:>15}"
            )
    for key, figures in results.items():
        print(f"{base.LABELS[key]}: load average during the run {figures.get('load_average')} (2 cores)")
    pg = results.get("postgresql", {}).get("thousand")
    if pg is not None:
        verdict = "within" if pg["seconds"] <= BUDGET_S else "OVER"
        print(f"\nPostgreSQL, 1,000 contracts: {pg['seconds']} s, {verdict} the {BUDGET_S:.0f} s budget")
        if pg["seconds"] > BUDGET_S:
            status = 1
    for reason in skipped:
        print(f"PostgreSQL skipped: {reason}")
    base.CACHE.mkdir(parents=True, exist_ok=True)
    (base.CACHE / "assessment.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return status


if __name__ == "__main__":
    raise SystemExit(main())
