"""Fictional firms and advisers for every village of the national import (search benchmark data).

`search_bench.py` runs this once, in a subprocess, after `import_divisions` and `load_demo`: the
demo covers 崇左市 and 西宁市城北区; this covers every other village, so that the search index holds
what a national deployment would: 620,573 villages, each with an adviser in force, and about
one adviser per four villages (the policy allows five), grouped in five firms per county.

Rows are written with bulk inserts that bypass `advisers.rules` (the rules would hold: one
contract per village, at most four per adviser here). Names are drawn from common surnames and
given-name characters with a fixed seed, so every run builds the same people.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import _setup_django  # noqa: E402 -- the bench scripts share Django's set-up

SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英霞平刚桂兰华建国红梅文辉鹏飞玲波宁海燕春晓雪琳斌鑫亮婷浩宇"
)
FIRM_WORDS = ["正义", "公信", "明德", "诚信", "法正", "衡平", "启明", "和谐", "民安", "通达", "为民", "公正"]
VILLAGES_PER_ADVISER = 4
FIRMS_PER_COUNTY = 5
SEED = 20260318


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    _setup_django()

    from advisers.models import Adviser, Firm, ServiceContract, Specialty
    from places import codes
    from places.models import Division

    started = time.perf_counter()
    rng = random.Random(SEED)
    covered = set(ServiceContract.objects.values_list("village_id", flat=True))
    by_county: dict[str, list[str]] = defaultdict(list)
    for code in Division.objects.villages().order_by("code").values_list("code", flat=True).iterator(10_000):
        if code not in covered:
            by_county[code[:6]].append(code)
    county_names = dict(Division.objects.filter(level=codes.COUNTY).values_list("code", "name"))
    specialties = list(Specialty.objects.all())
    today = dt.date.today()

    firms = []
    for county in by_county:
        if county not in county_names:
            continue
        base = county_names[county].rstrip("县区市旗")
        for n in range(FIRMS_PER_COUNTY):
            kind = Firm.Kind.LAW_FIRM if n < 3 else Firm.Kind.SERVICE_OFFICE
            suffix = "律师事务所" if kind == Firm.Kind.LAW_FIRM else "法律服务所"
            firms.append(
                Firm(
                    name=f"{base}{FIRM_WORDS[(n * 5 + len(firms)) % len(FIRM_WORDS)]}{suffix}",
                    kind=kind,
                    county_id=county,
                )
            )
    Firm.objects.bulk_create(firms, batch_size=5000)
    firms_by_county: dict[str, list[Firm]] = defaultdict(list)
    for firm in Firm.objects.filter(is_demo=False, county__isnull=False).order_by("pk"):
        firms_by_county[firm.county_id].append(firm)

    advisers = []
    plan = []  # (adviser index, villages)
    licence = 0
    for county, villages in by_county.items():
        county_firms = firms_by_county.get(county)
        if not county_firms:
            continue
        for start in range(0, len(villages), VILLAGES_PER_ADVISER):
            licence += 1
            firm = county_firms[licence % len(county_firms)]
            advisers.append(
                Adviser(
                    name=person_name(rng),
                    kind=Adviser.Kind.LAWYER if firm.kind == Firm.Kind.LAW_FIRM else Adviser.Kind.WORKER,
                    licence_no=f"B{licence:09d}",
                    firm=firm,
                    office_phone=f"0{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}",
                    practising_since=rng.randint(1995, 2022),
                )
            )
            plan.append(villages[start : start + VILLAGES_PER_ADVISER])
    Adviser.objects.bulk_create(advisers, batch_size=5000)
    through = Adviser.specialties.through
    links = []
    contracts = []
    for adviser, villages in zip(advisers, plan, strict=True):
        for specialty in rng.sample(specialties, k=min(len(specialties), rng.choice((1, 2, 3)))):
            links.append(through(adviser_id=adviser.pk, specialty_id=specialty.pk))
        for village in villages:
            contracts.append(
                ServiceContract(
                    adviser_id=adviser.pk,
                    village_id=village,
                    status=ServiceContract.Status.ACTIVE,
                    start_date=today - dt.timedelta(days=rng.randint(10, 300)),
                    end_date=today + dt.timedelta(days=rng.randint(60, 700)),
                    annual_fee=Decimal("3000"),
                )
            )
    through.objects.bulk_create(links, batch_size=10_000)
    # bulk_create skips ServiceContract.save() and so the rules: fine for generated, valid data.
    ServiceContract.objects.bulk_create(contracts, batch_size=10_000)
    figures = {
        "firms": len(firms),
        "advisers": len(advisers),
        "contracts": len(contracts),
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.out.write_text(json.dumps(figures), encoding="utf-8")


if __name__ == "__main__":
    main()
