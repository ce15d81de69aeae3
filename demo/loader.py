"""Build the demo: real divisions, fictional (and plainly marked) firms, advisers and contracts.

Everything is generated from a fixed seed, so every machine gets the same demo: about 95% of
villages covered so that gaps show, and some advisers at the 5-village cap. Contracts are saved
through the model, so the demo obeys the same rules as real data.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw
from wagtail.images.models import Image as WagtailImage

from advisers.models import (
    Adviser,
    CountyBureau,
    Firm,
    LiaisonOfficer,
    OnSiteSchedule,
    ServiceContract,
    ServiceRoom,
    Specialty,
)
from places import codes
from places.importer import import_divisions
from places.models import Division

DIVISIONS_DIR = Path(__file__).resolve().parent / "divisions"
SEED = 12348
COVERAGE = 0.95
DEMO_MARK = "（演示数据，人物与机构均为虚构）"
BUZHAI = "451402001201"  # 江州区太平街道卜寨村委会: the village of the demo accounts

AREA_CODES = {"4514": "0771", "6301": "0971"}
CITY_BRANDS = {"4514": ("广西", "崇左"), "6301": ("青海", "西宁")}
FIRM_WORDS = [
    "明德",
    "正大",
    "公信",
    "崇信",
    "弘法",
    "恒正",
    "民本",
    "金桂",
    "和衡",
    "扬帆",
    "左江",
    "友谊关",
    "德天",
    "花山",
    "湟水",
    "昆仑",
    "正信",
    "致远",
    "立本",
    "同心",
    "求是",
    "泰和",
    "诚品",
    "远航",
]
SURNAMES = list("李王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韦覃蒙农黎廖陆梁卢")
GIVEN = list("建国华明丽芳军伟敏静强磊洋艳勇杰娟涛超霞平刚桂兰秀英文斌志红海燕春玲晓东宁")
TITLES = ["村委会副主任", "村委会委员", "村务监督委员会主任", "村委会主任"]
COMMUNITY_TITLES = ["社区居委会副主任", "社区居委会委员", "社区综治专干"]
PLACES = ["村委会法律服务室", "村委会办公楼一楼", "村级综合服务中心"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _phone(rng: random.Random, area: str) -> str:
    return f"{area}-{rng.randint(7200000, 7899999)}"


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice((3, 5, 7, 8))}{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"


def _portrait(rng: random.Random, name: str) -> WagtailImage:
    """A drawn head-and-shoulders placeholder: demo advisers are fictional, so no real faces."""
    background = rng.choice([(204, 222, 238), (230, 220, 200), (215, 232, 215), (236, 214, 214)])
    img = Image.new("RGB", (300, 400), background)
    draw = ImageDraw.Draw(img)
    suit = rng.choice([(40, 48, 70), (30, 30, 30), (70, 60, 50)])
    draw.ellipse((40, 250, 260, 520), fill=suit)
    draw.polygon([(150, 260), (120, 300), (150, 400), (180, 300)], fill=(245, 245, 245))
    draw.ellipse((95, 90, 205, 230), fill=(238, 204, 170))
    draw.pieslice((90, 70, 210, 200), 180, 360, fill=(35, 30, 30))
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    image = WagtailImage(title=f"{name}（演示照片）")
    image.file = ImageFile(buffer, name=f"demo-adviser-{abs(hash(name)) % 10**8}.png")
    image.save()
    return image


def _schedule(rng: random.Random, contract: ServiceContract) -> OnSiteSchedule:
    kind = rng.random()
    place = rng.choice(PLACES)
    if kind < 0.6:
        day = rng.randint(1, 5)
        ordinals = rng.choice(["1,3", "2,4"])
        return OnSiteSchedule(
            contract=contract,
            frequency=OnSiteSchedule.Frequency.MONTHLY_WEEKDAY,
            weekdays=str(day),
            week_ordinals=ordinals,
            start_time=dt.time(9),
            end_time=dt.time(12),
            place=place,
        )
    if kind < 0.85:
        first = rng.randint(1, 12)
        return OnSiteSchedule(
            contract=contract,
            frequency=OnSiteSchedule.Frequency.MONTHLY_DAY,
            month_days=f"{first},{first + 15}",
            start_time=dt.time(9),
            end_time=dt.time(11, 30),
            place=place,
        )
    return OnSiteSchedule(
        contract=contract,
        frequency=OnSiteSchedule.Frequency.WEEKLY,
        weekdays=str(rng.randint(1, 5)),
        start_time=dt.time(15),
        end_time=dt.time(17, 30),
        place=place,
    )


def _loads(rng: random.Random, villages: int) -> list[int]:
    """Villages per adviser: a few at the cap of 5, most with 3 or 4, some with 1 or 2."""
    loads: list[int] = []
    remaining = villages
    while remaining > 0:
        load = rng.choices([5, 4, 3, 2, 1], weights=[3, 4, 4, 2, 1])[0]
        load = min(load, remaining)
        loads.append(load)
        remaining -= load
    return loads


def _load_people(rng: random.Random) -> Iterator[str]:
    today = timezone.localdate()
    specialties = list(Specialty.objects.all())
    counties = list(Division.objects.counties().filter(code__in=_demo_county_codes()).order_by("code"))
    licence_serial = 0
    totals = {"firms": 0, "advisers": 0, "contracts": 0, "uncovered": 0}
    for county in counties:
        city = county.code[:4]
        province_word, city_word = CITY_BRANDS[city]
        area = AREA_CODES[city]
        CountyBureau.objects.update_or_create(
            county=county,
            defaults={
                "name": f"{county.name}司法局",
                "phone": _phone(rng, area),
                "address": f"{county.name}人民路{rng.randint(1, 200)}号（演示地址）",
            },
        )
        villages = list(Division.objects.villages().within(county.code).order_by("code"))
        rng.shuffle(villages)
        covered_count = round(len(villages) * COVERAGE)
        covered = villages[:covered_count]
        # The demo accounts' village is always covered.
        if any(v.code == BUZHAI for v in villages[covered_count:]):
            index = next(i for i, v in enumerate(villages) if v.code == BUZHAI)
            villages[0], villages[index] = villages[index], villages[0]
            covered = villages[:covered_count]
        totals["uncovered"] += len(villages) - covered_count

        firms = []
        for word in rng.sample(FIRM_WORDS, 3):
            firms.append(
                Firm.objects.create(
                    name=f"{province_word}{word}律师事务所（{city_word}演示）",
                    kind=Firm.Kind.LAW_FIRM,
                    county=county,
                    address=f"{county.name}{rng.choice(['新民路', '友谊大道', '江南路', '朝阳路'])}{rng.randint(1, 300)}号（演示地址）",
                    office_phone=_phone(rng, area),
                    is_demo=True,
                )
            )
        townships = list(Division.objects.filter(parent=county).order_by("code")[:2])
        for township in townships:
            firms.append(
                Firm.objects.create(
                    name=f"{county.name}{township.name.replace('街道', '').replace('镇', '').replace('乡', '')}法律服务所（演示）",
                    kind=Firm.Kind.SERVICE_OFFICE,
                    county=county,
                    address=f"{township.name}政府院内（演示地址）",
                    office_phone=_phone(rng, area),
                    is_demo=True,
                )
            )
        totals["firms"] += len(firms)

        covered.sort(key=lambda v: v.code)  # neighbouring villages share an adviser
        position = 0
        for load in _loads(rng, len(covered)):
            firm = rng.choice(firms)
            name = _name(rng)
            licence_serial += 1
            lawyer = firm.kind == Firm.Kind.LAW_FIRM
            since = rng.randint(1998, today.year - 2)
            adviser = Adviser.objects.create(
                name=name,
                gender=rng.choice(["m", "f"]),
                kind=Adviser.Kind.LAWYER if lawyer else Adviser.Kind.WORKER,
                licence_no=(
                    f"1{county.code[:4]}{since}1{licence_serial:07d}"
                    if lawyer
                    else f"{county.code}{since}{licence_serial:05d}"
                ),
                firm=firm,
                mobile=_mobile(rng),
                mobile_consent=rng.random() < 0.5,
                practising_since=since,
                bio=f"{DEMO_MARK}{name}，{firm.name}{'律师' if lawyer else '基层法律服务工作者'}，长期为农村和社区群众提供法律服务。",
                reputation=f"{DEMO_MARK}近三年办理法律援助案件{rng.randint(3, 30)}件，参与调解纠纷{rng.randint(10, 80)}起，年度考核均为称职以上。",
                is_demo=True,
            )
            if rng.random() < 0.75:
                adviser.photo = _portrait(rng, name)
                adviser.save(update_fields=["photo"])
            adviser.specialties.set(rng.sample(specialties, rng.randint(2, 4)))
            totals["advisers"] += 1
            for village in covered[position : position + load]:
                start = today - dt.timedelta(days=rng.randint(20, 700))
                contract = ServiceContract(
                    adviser=adviser,
                    village=village,
                    selection=rng.choices(
                        [ServiceContract.Selection.TWO_WAY, ServiceContract.Selection.ALLOCATED],
                        weights=[4, 1],
                    )[0],
                    start_date=start,
                    end_date=start.replace(year=start.year + 2) - dt.timedelta(days=1),
                    annual_fee=Decimal(rng.choice([3000, 3000, 3500, 4000])),
                    signed_on=start - dt.timedelta(days=rng.randint(3, 20)),
                )
                contract.save()
                _schedule(rng, contract).save()
                totals["contracts"] += 1
            position += load

        for village in villages:
            if rng.random() < 0.9:
                community = "社区" in village.name
                LiaisonOfficer.objects.create(
                    village=village,
                    name=_name(rng),
                    title=rng.choice(COMMUNITY_TITLES if community else TITLES),
                    phone=_mobile(rng),
                    phone_consent=rng.random() < 0.5,
                    is_demo=True,
                )
            if rng.random() < 0.85:
                ServiceRoom.objects.create(
                    village=village,
                    name="社区法律服务室" if "社区" in village.name else "村法律服务室",
                    address=f"{village.name}办公楼（演示地址）",
                    opening_hours="工作日 8:30–12:00，14:30–17:30",
                    has_room=True,
                    has_publicity_window=rng.random() < 0.9,
                    has_display_screen=rng.random() < 0.6,
                    has_bookshelf=rng.random() < 0.8,
                    is_demo=True,
                )
    yield (
        f"Demo people: {totals['firms']} firms, {totals['advisers']} advisers, "
        f"{totals['contracts']} contracts; {totals['uncovered']} villages left uncovered on purpose."
    )


def _demo_county_codes() -> list[str]:
    import csv

    with (DIVISIONS_DIR / "areas.csv").open(encoding="utf-8") as fh:
        return [row["code"] for row in csv.DictReader(fh)]


def _make_buzhai_adviser_reachable() -> None:
    """Make sure 卜寨村委会's adviser publishes a number, so the demo journey ends in a call."""
    contract = ServiceContract.objects.in_force().filter(village_id=BUZHAI).select_related("adviser").first()
    if contract and not contract.adviser.published_mobile:
        contract.adviser.mobile_consent = True
        contract.adviser.save(update_fields=["mobile_consent", "mobile_consent_at"])


def _load_programme() -> Iterator[str]:
    report = import_divisions([DIVISIONS_DIR])
    yield (
        f"Divisions: created {report.total_created}, renamed {report.renamed}, unchanged {report.unchanged}."
    )
    if Firm.objects.filter(is_demo=True).exists():
        yield "Demo people already loaded; nothing to do."
        yield from _load_demo_accounts()
        return
    if not Division.objects.filter(code=BUZHAI, level=codes.VILLAGE).exists():
        yield "Demo village 卜寨村委会 missing; skipped demo people."
        return
    with transaction.atomic():
        yield from _load_people(random.Random(SEED))
        _make_buzhai_adviser_reachable()
    yield from _load_demo_accounts()


def _load_demo_accounts() -> Iterator[str]:
    """One back-office account per role (password demo12348), created when missing."""
    from .accounts import load_demo_accounts

    yield from load_demo_accounts()


def load_demo(*, work: bool = True) -> Iterator[str]:
    """Divisions, people and contracts, the two sites with their articles and lectures, then work
    (unless `work` is false: a year of some 36,000 ledger entries, left out of quick set-ups)."""
    yield from _load_programme()
    from .content import load_content

    yield from load_content()
    if not work:
        return
    from .work import load_work

    # A year of ledger entries, lectures, trainings and fee filings (after the lectures above).
    yield from load_work()
    from .assessment import load_assessment_demo

    # 江州区's 2025 assessment walked through the flow and published; 2026 ready to launch.
    yield from load_assessment_demo()
    from .renewal import load_renewal_demo

    # Renewals pending and one refused and reallocated; part of this year's payments (demo/renewal.py).
    yield from load_renewal_demo()
