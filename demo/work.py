"""Demo work: a year of ledger entries, lectures counted from the lecture records, trainings, and
fee filings in every state of their flow. Fictional, generated from a fixed seed, idempotent.

Most villages meet the policy's bars (5 confirmed on-site hours a month, a lecture a year, a
training per adviser a year); a few fall short now and then and a few are chronically short, so
the bureaus' dashboards have something to show. Ledger rows are bulk-created (valid rows: dates
within each contract, half hours within bounds); lectures and fee filings go through the models
and the flow, so their entries, history and timers are the real thing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from advisers.models import Adviser, LiaisonOfficer, ServiceContract
from backoffice import roles
from backoffice.models import StaffProfile
from content.models import Lecture
from ledger.lectures import entry_values
from ledger.models import LedgerEntry, Training, TrainingAttendance
from places import codes
from places.models import Division

SEED = 12348
BUZHAI = "451402001201"
JIANGZHOU = "451402"
MARK = "（演示）"
HEAD_USERNAME = "jiangzhou_head"

ON_SITE = [
    (LedgerEntry.Kind.ON_DUTY, "在村法律服务室驻点值班，接待来访群众，解答土地承包、婚姻家庭方面的咨询。"),
    (LedgerEntry.Kind.ON_DUTY, "驻点值班，解答劳务报酬、工伤赔偿方面的咨询，并告知维权途径。"),
    (LedgerEntry.Kind.CONSULTATION, "到村解答宅基地使用和房屋买卖方面的法律咨询。"),
    (LedgerEntry.Kind.MEDIATION, "参与村调解委员会调解一起相邻通行纠纷，双方达成调解协议。"),
    (LedgerEntry.Kind.DECISION_OPINION, "列席村“两委”会议，就村集体土地对外发包方案提出法律意见。"),
    (LedgerEntry.Kind.ELECTION, "就村民委员会换届选举的选民登记问题提供法律意见。"),
]
OFF_SITE = [
    (LedgerEntry.Kind.DOCUMENTS, "审核村集体林地承包合同文本，提出修改意见。"),
    (LedgerEntry.Kind.DOCUMENTS, "协助修订村规民约中关于红白事办理的条款。"),
    (LedgerEntry.Kind.CONSULTATION, "电话解答村民关于借款纠纷诉讼时效的咨询。"),
    (LedgerEntry.Kind.LEGAL_AID_REFERRAL, "引导一名符合条件的群众向区法律援助中心申请法律援助。"),
]
LECTURE_TOPICS = [
    "土地承包经营权流转中的法律问题",
    "防范电信网络诈骗",
    "婚姻家庭与继承法律知识",
    "农民工劳动权益保护",
    "人民调解与矛盾纠纷化解",
    "宅基地与农村建房法律常识",
]
DISPUTES = ["当天顾问只在村约一小时，时长与实际不符。", "当天村委会未见顾问到村，请核实。"]


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def _half_hours(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(round(rng.uniform(low, high) * 2) / 2).quantize(Decimal("0.1"))


def _profile(rng: random.Random, village: str) -> str:
    """Most villages are steady; some slip now and then; a few are chronically short."""
    if village == BUZHAI:
        return "steady"
    draw = rng.random()
    return "steady" if draw < 0.78 else "slipping" if draw < 0.92 else "short"


def insert_entries(rows: list[dict]) -> None:
    """Insert ledger rows with one executemany: the ORM's bulk_create spends ~10 s preparing
    40,000 rows on SQLite, which `make run` cannot afford. Values are adapted by the backend's own
    operations, so this works on PostgreSQL too; rows are built valid by the generators below."""
    if not rows:
        return
    now = timezone.now()
    meta = LedgerEntry._meta
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    names = [field.attname for field in fields]
    ops = connection.ops

    def adapt(field, value):
        if value is None:
            return None
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value(value)
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value(value)
        if isinstance(field, models.DecimalField):
            return ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
        return value

    defaults = {"created_at": now, "updated_at": now, "people_served": 0, "dispute_reason": ""}
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608 -- names from the model's own meta
    params = [
        [adapt(field, row.get(name, defaults.get(name))) for field, name in zip(fields, names, strict=True)]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _ledger_rows(rng: random.Random, contracts, today: dt.date) -> list[dict]:
    year_ago = today - dt.timedelta(days=365)
    rows: list[dict] = []
    # The committee accounts confirm their village's entries (most demo villages have none).
    confirmer = dict(LiaisonOfficer.objects.filter(user__isnull=False).values_list("village_id", "user_id"))
    for contract in contracts:
        start = max(contract.start_date, year_ago)
        end = min(contract.end_date, today)
        if start > end:
            continue
        profile = _profile(rng, contract.village_id)
        for month in _month_starts(start, end):
            month_end = min(
                (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1), end
            )
            first = max(month, start)
            if first > month_end:
                continue
            current = month.year == today.year and month.month == today.month
            if profile == "steady" or (profile == "slipping" and rng.random() < 0.75):
                target = rng.uniform(5.5, 9)
            elif profile == "slipping":
                target = rng.uniform(1.5, 4.5)
            else:
                target = rng.uniform(0, 3.5) if rng.random() < 0.8 else rng.uniform(5, 6)
            if current:
                target *= (today.day / 30) + 0.1
            total = Decimal("0")
            while total < Decimal(str(target)):
                day = first + dt.timedelta(days=rng.randint(0, (month_end - first).days))
                kind, summary = rng.choice(ON_SITE)
                hours = _half_hours(rng, 1.5, 3.5)
                recent = (today - day).days < 12
                confirmation = (
                    LedgerEntry.Confirmation.PENDING
                    if recent and rng.random() < 0.7
                    else LedgerEntry.Confirmation.DISPUTED
                    if rng.random() < 0.03
                    else LedgerEntry.Confirmation.CONFIRMED
                )
                answered = confirmation != LedgerEntry.Confirmation.PENDING
                rows.append(
                    {
                        "adviser_id": contract.adviser_id,
                        "village_id": contract.village_id,
                        "date": day,
                        "kind": kind,
                        "on_site": True,
                        "hours": hours,
                        "people_served": rng.randint(1, 12),
                        "summary": summary + MARK,
                        "confirmation": confirmation,
                        "confirmed_by_id": confirmer.get(contract.village_id) if answered else None,
                        "confirmed_at": _moment(min(day + dt.timedelta(days=3), today), 10)
                        if answered
                        else None,
                        "dispute_reason": rng.choice(DISPUTES)
                        if confirmation == LedgerEntry.Confirmation.DISPUTED
                        else "",
                        "is_demo": True,
                    }
                )
                if confirmation == LedgerEntry.Confirmation.CONFIRMED:
                    total += hours
                if len(rows) > 10**6:  # pragma: no cover -- a guard against a runaway loop
                    raise RuntimeError("demo ledger generator did not converge")
                if confirmation != LedgerEntry.Confirmation.CONFIRMED and rng.random() < 0.5:
                    total += hours / 2  # pending and disputed hours are real visits too
            if rng.random() < 0.45:
                day = first + dt.timedelta(days=rng.randint(0, (month_end - first).days))
                kind, summary = rng.choice(OFF_SITE)
                rows.append(
                    {
                        "adviser_id": contract.adviser_id,
                        "village_id": contract.village_id,
                        "date": day,
                        "kind": kind,
                        "on_site": False,
                        "hours": _half_hours(rng, 0.5, 2.5),
                        "people_served": rng.randint(0, 3),
                        "summary": summary + MARK,
                        "confirmation": LedgerEntry.Confirmation.NOT_NEEDED,
                        "is_demo": True,
                    }
                )
    return rows


def _moment(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _lectures(rng: random.Random, contracts, today: dt.date) -> int:
    """A held lecture this year in most villages, with the ledger entry a recorded lecture makes.

    Created in bulk (saving 800 lectures one by one takes half a minute); the entries are built by
    `ledger.lectures.entry_values`, the same function the lecture's save signal uses, and most
    are confirmed by the village.
    """
    year_start = dt.date(today.year, 1, 1)
    held = set(
        Lecture.objects.filter(status=Lecture.Status.HELD, starts_at__date__gte=year_start).values_list(
            "place_id", flat=True
        )
    )
    lectures = []
    for contract in contracts:
        if contract.village_id in held or rng.random() > 0.86:
            continue
        first = max(contract.start_date, year_start)
        last = today - dt.timedelta(days=3)
        if first > last:
            continue
        day = first + dt.timedelta(days=rng.randint(0, (last - first).days))
        starts = _moment(day, rng.choice([9, 15, 19]), 30)
        lectures.append(
            Lecture(
                topic=rng.choice(LECTURE_TOPICS),
                starts_at=starts,
                duration_minutes=rng.choice([60, 90, 120]),
                place_id=contract.village_id,
                venue="村委会会议室",
                speaker_id=contract.adviser_id,
                status=Lecture.Status.HELD,
                attendance=rng.randint(20, 120),
                summary="以案说法，现场解答群众提问。" + MARK,
                recorded_at=starts + dt.timedelta(days=1),
                is_demo=True,
            )
        )
    created = Lecture.objects.bulk_create(lectures, batch_size=500)
    if created and created[0].pk is None:  # a backend that does not return keys
        created = list(
            Lecture.objects.filter(is_demo=True, summary__endswith=MARK, ledger_entry__isnull=True)
        )
    rows = []
    for lecture in created:
        values = entry_values(lecture)
        confirmed = rng.random() < 0.9
        values.update(
            {
                "lecture_id": lecture.pk,
                "confirmation": LedgerEntry.Confirmation.CONFIRMED
                if confirmed
                else LedgerEntry.Confirmation.PENDING,
                "confirmed_at": lecture.recorded_at + dt.timedelta(days=2) if confirmed else None,
            }
        )
        rows.append(values)
    insert_entries(rows)
    return len(created)


def _trainings(rng: random.Random, today: dt.date) -> tuple[int, int]:
    """Each county bureau trains once or twice a year; the city once; most advisers attend."""
    made = attended = 0
    counties = list(Division.objects.counties().filter(bureau__isnull=False).order_by("code"))
    for year in (today.year - 1, today.year):
        for county in counties:
            advisers = list(
                Adviser.objects.filter(
                    contracts__village_id__gte=county.code,
                    contracts__village_id__lt=codes.prefix_upper_bound(county.code),
                    contracts__status=ServiceContract.Status.ACTIVE,
                )
                .distinct()
                .values_list("pk", flat=True)
            )
            sessions = 2 if rng.random() < 0.4 else 1
            for number in range(sessions):
                month = rng.randint(3, 11) if year < today.year else rng.randint(3, max(3, today.month))
                day = min(dt.date(year, month, rng.randint(5, 25)), today - dt.timedelta(days=1))
                training = Training.objects.create(
                    title=f"{county.name}村(社区)法律顾问{'业务' if number == 0 else '专题'}培训{MARK}",
                    date=day,
                    hours=Decimal(rng.choice([3, 3, 6])),
                    place=f"{county.name}司法局会议室",
                    organiser=county,
                    is_demo=True,
                )
                share = 0.9 if number == 0 else 0.4
                chosen = [pk for pk in advisers if rng.random() < share]
                TrainingAttendance.objects.bulk_create(
                    [TrainingAttendance(training=training, adviser_id=pk) for pk in chosen]
                )
                made += 1
                attended += len(chosen)
    return made, attended


def _head_account() -> str | None:
    """The 江州区 bureau head, to whom overdue fee filings are escalated."""
    from demo.accounts import DEMO_PASSWORD
    from workflows.engine import BUREAU_HEAD
    from workflows.roles import ensure_head_role

    if not Division.objects.filter(code=JIANGZHOU).exists():
        return None
    ensure_head_role()
    user, created = get_user_model().objects.get_or_create(
        username=HEAD_USERNAME, defaults={"first_name": "江州区司法局负责人（演示）", "email": ""}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    user.groups.add(*Group.objects.filter(name__in=[roles.COUNTY_BUREAU, BUREAU_HEAD]))
    StaffProfile.objects.update_or_create(
        user=user, defaults={"scope_id": JIANGZHOU, "organisation": "江州区司法局"}
    )
    return HEAD_USERNAME if created else None


def _backdate(filing, days: int) -> None:
    """Move a demo filing's timeline into the past (its history reads as it would have happened)."""
    from viewflow.workflow.models import Task

    from workflows.fee_filing.models import FeeFiling
    from workflows.models import StepRecord

    shift = dt.timedelta(days=days)
    now = timezone.now()
    FeeFiling.objects.filter(pk=filing.pk).update(created=now - shift)
    for task in Task.objects.filter(process=filing):
        fields = {}
        for name in ("created", "assigned", "started", "finished", "scheduled"):
            value = getattr(task, name)
            if value is not None:
                fields[name] = value - shift
        Task.objects.filter(pk=task.pk).update(**fields)
    for step in StepRecord.objects.filter(process_id=filing.pk):
        StepRecord.objects.filter(pk=step.pk).update(at=step.at - shift)
    if filing.decided_at:
        FeeFiling.objects.filter(pk=filing.pk).update(decided_at=filing.decided_at - shift)


FILINGS = [
    # (client type, service, basis, standard, charged, reason, detail, description, outcome, days ago)
    ("villager", "documents", "waived", 800, 0, "hardship", "低保户", "代写赡养纠纷起诉状", "submitted", 1),
    (
        "villager",
        "litigation",
        "reduced",
        6000,
        2000,
        "vulnerable",
        "当事人年逾七十",
        "代理民间借贷纠纷一审诉讼",
        "overdue",
        9,
    ),
    (
        "villager",
        "documents",
        "reduced",
        600,
        300,
        "hardship",
        "家庭突遭变故",
        "代写离婚协议书",
        "returned",
        6,
    ),
    ("collective", "non_litigation", "charged", 5000, 5000, "", "", "代理村集体土地发包谈判", "approved", 40),
    (
        "villager",
        "litigation",
        "waived",
        8000,
        0,
        "legal_aid",
        "残疾人，符合法律援助经济困难标准",
        "代理工伤赔偿诉讼",
        "referred",
        25,
    ),
    (
        "organisation",
        "special_counsel",
        "charged",
        12000,
        12000,
        "",
        "",
        "为村办企业提供专项法律顾问服务",
        "rejected",
        30,
    ),
    (
        "villager",
        "documents",
        "waived",
        500,
        0,
        "public_interest",
        "",
        "代写集体林地确权申请书",
        "approved",
        70,
    ),
    ("villager", "documents", "waived", 400, 0, "hardship", "", "代写劳务报酬追讨申请书", "withdrawn", 15),
]


def _fee_filings(today: dt.date) -> Iterator[str]:
    """A few filings at 卜寨 in each state, through the flow as the demo accounts would do it."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.timers import fire_due_timers

    from workflows.fee_filing import services
    from workflows.fee_filing.flow import FeeFilingFlow, open_review_task
    from workflows.fee_filing.models import FeeFiling

    users = get_user_model().objects
    adviser_user = users.filter(username="buzhai_adviser").first()
    officer = users.filter(username="jiangzhou_bureau").first()
    head = users.filter(username=HEAD_USERNAME).first()
    if adviser_user is None or officer is None or FeeFiling.objects.filter(is_demo=True).exists():
        return
    contract = (
        ServiceContract.objects.in_force().filter(village_id=BUZHAI, adviser__user=adviser_user).first()
    )
    if contract is None:
        return
    counts: dict[str, int] = {}
    for client, service, basis, standard, charged, reason, detail, text, outcome, days in FILINGS:
        service_date = max(today - dt.timedelta(days=days + 2), contract.start_date)
        filing = services.file(
            adviser_user,
            village_id=BUZHAI,
            client_type=client,
            service_type=service,
            service_date=service_date,
            hours=Decimal("2.5"),
            description=text + MARK,
            basis=basis,
            standard_fee=Decimal(standard),
            fee_charged=Decimal(charged),
            reduction_reason=reason,
            reduction_detail=detail,
            is_demo=True,
        )
        task = open_review_task(filing)
        if outcome in ("approved", "rejected", "referred"):
            decision = {"approved": "approve", "rejected": "reject", "referred": "refer"}[outcome]
            reason_text = {
                "approve": "",
                "reject": "专项法律顾问服务不属于村(社区)法律顾问的备案范围，请按律师事务所一般业务办理。",
                "refer": "符合法律援助条件，转江州区法律援助中心指派律师承办。",
            }[decision]
            services.decide(officer, task.pk, decision, reason_text)
        elif outcome in ("returned", "withdrawn"):
            services.decide(officer, task.pk, "return", "请补充当事人经济困难的证明材料。")
            if outcome == "withdrawn":
                correct = Task.objects.get(process=filing, flow_task=FeeFilingFlow.correct, status="ASSIGNED")
                services.correct(adviser_user, correct.pk, "withdraw", "当事人已自行和解，不再需要代写。")
        _backdate(FeeFiling.objects.get(pk=filing.pk), days)
        counts[outcome] = counts.get(outcome, 0) + 1
    # The overdue one: its timer is now in the past; the dispatcher escalates it to the head.
    fired = fire_due_timers()
    yield (
        "Fee filings at 卜寨村委会: "
        + ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        + f"; {fired} overdue review escalated"
        + (f" to {head.username}." if head else ".")
    )


def load_work() -> Iterator[str]:
    if LedgerEntry.objects.filter(is_demo=True, lecture__isnull=True).exists():
        yield "Demo ledger already loaded; nothing to do."
        return
    today = timezone.localdate()
    rng = random.Random(SEED)
    contracts = list(
        ServiceContract.objects.filter(status=ServiceContract.Status.ACTIVE, adviser__is_demo=True)
        .order_by("village_id", "start_date")
        .only("adviser_id", "village_id", "start_date", "end_date")
    )
    if not contracts:
        yield "No demo contracts; skipped the demo ledger."
        return
    with transaction.atomic():
        made = _head_account()
        if made:
            yield f"Demo account created: {made} (江州区司法局负责人, password as the other demo accounts)."
        rows = _ledger_rows(rng, contracts, today)
        insert_entries(rows)
        lectures = _lectures(rng, contracts, today)
        trainings, attended = _trainings(rng, today)
    yield (
        f"Ledger: {len(rows)} entries over the last 12 months for {len(contracts)} villages; "
        f"{lectures} lectures held this year; {trainings} trainings, {attended} attendances."
    )
    with transaction.atomic():
        yield from _fee_filings(today)
