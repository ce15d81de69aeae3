"""Demo assessment: 江州区's 2025 campaign walked to the end and published, 2026 ready to launch.

The campaign goes through the real flow (`services.launch`, then `engine.execute` for every
step), so its processes, history, timers and the public page are the real thing. Steps are taken
by the demo accounts where they exist (buzhai_adviser, buzhai_committee, taiping_office,
jiangzhou_bureau) and by `admin` on behalf of the advisers and committees that have no demo
account. The ledger indicators need 2025's work, which the one-year demo ledger does not reach
back to: 2025's on-site hours, lectures and a training are added here for 江州区's contracts,
from a fixed seed (most meet the bars, some do not, so the grades differ). Idempotent.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ledger.models import LedgerEntry, Training, TrainingAttendance
from places.models import Division
from workflows import engine

SEED = 2025
YEAR = 2025
JIANGZHOU = "451402"
TAIPING = "451402001"
BUZHAI = "451402001201"
MARK = "（演示）"
SUMMARIES = [
    "全年按时驻点，接待群众咨询，参与调解纠纷，为村“两委”提供法律意见。",
    "驻点服务基本按时，开展法制讲座，协助修订村规民约。",
    "驻点时间不足，讲座未按计划开展，需加强。",
]
OPINIONS = ["顾问服务热情，群众认可。", "顾问能按约定到村服务。", "顾问到村次数偏少，希望增加驻点时间。"]


def _work_2025(rng: random.Random, contracts) -> int:
    """2025's confirmed on-site hours, lectures and a training for the campaign's contracts."""
    rows = []
    for contract in contracts:
        diligence = rng.random()
        for month in range(1, 13):
            first = max(dt.date(YEAR, month, 1), contract.start_date)
            if first.year != YEAR or first.month != month or first > contract.end_date:
                continue
            if rng.random() < (0.97 if diligence > 0.2 else 0.5):
                rows.append(
                    LedgerEntry(
                        adviser_id=contract.adviser_id,
                        village_id=contract.village_id,
                        date=first,
                        kind=LedgerEntry.Kind.ON_DUTY,
                        on_site=True,
                        hours=Decimal("5.5"),
                        summary="在村法律服务室驻点值班，接待来访群众。" + MARK,
                        confirmation=LedgerEntry.Confirmation.CONFIRMED,
                        is_demo=True,
                    )
                )
        if rng.random() < 0.85:
            day = max(dt.date(YEAR, 6, 18), contract.start_date)
            if day.year == YEAR and day <= contract.end_date:
                rows.append(
                    LedgerEntry(
                        adviser_id=contract.adviser_id,
                        village_id=contract.village_id,
                        date=day,
                        kind=LedgerEntry.Kind.LECTURE,
                        on_site=True,
                        hours=Decimal("2"),
                        summary="法制讲座：防范电信网络诈骗。" + MARK,
                        confirmation=LedgerEntry.Confirmation.CONFIRMED,
                        is_demo=True,
                    )
                )
    LedgerEntry.objects.bulk_create(rows, batch_size=500)
    training = Training.objects.create(
        title="2025年度江州区村(社区)法律顾问业务培训" + MARK,
        date=dt.date(YEAR, 3, 15),
        hours=Decimal("6"),
        place="江州区司法局会议室",
        organiser_id=JIANGZHOU,
        is_demo=True,
    )
    advisers = sorted({c.adviser_id for c in contracts})
    TrainingAttendance.objects.bulk_create(
        [TrainingAttendance(training=training, adviser_id=a) for a in advisers if rng.random() < 0.9]
    )
    return len(rows)


def _score(rng: random.Random, top: Decimal, good: bool) -> Decimal:
    share = rng.uniform(0.85, 1.0) if good else rng.uniform(0.5, 0.8)
    return (top * Decimal(str(share))).quantize(Decimal("0.5"))


def _walk(rng: random.Random, assessment, users: dict, today: dt.date) -> str:
    from workflows.assessment import services
    from workflows.assessment.flow import open_task
    from workflows.assessment.models import Assessment, Grade, Recommendation, Scorer

    table = list(assessment.campaign.table.indicators.all())
    by_scorer = {s: [i for i in table if i.scorer == s] for s in Scorer.values}
    good = rng.random() < 0.8
    adviser_user = assessment.adviser.user if assessment.adviser and assessment.adviser.user_id else None

    def scores(scorer):
        return {i.pk: _score(rng, i.max_points, good) for i in by_scorer[scorer] if not i.optional}

    def optional(scorer):
        return [i.pk for i in by_scorer[scorer] if i.optional]

    engine.execute(
        adviser_user or users["admin"],
        open_task(assessment).pk,
        summary=rng.choice(SUMMARIES[:2] if good else SUMMARIES[2:]) + MARK,
        scores=scores(Scorer.SELF),
    )
    total = rng.randint(10, 16)
    satisfied = rng.randint(total // 2, total) if good else rng.randint(0, total // 2)
    basically = rng.randint(0, total - satisfied)
    engine.execute(
        users["committee"] if assessment.village_id == BUZHAI else users["admin"],
        open_task(assessment).pk,
        opinion=rng.choice(OPINIONS[:2] if good else OPINIONS[2:]) + MARK,
        scores=scores(Scorer.COMMITTEE),
        not_applicable=optional(Scorer.COMMITTEE),
        questionnaires=total,
        satisfied=satisfied,
        basically=basically,
        not_satisfied=total - satisfied - basically,
    )
    engine.execute(
        users["township"] if assessment.village_id.startswith(TAIPING) else users["admin"],
        open_task(assessment).pk,
        opinion=("同意村委会意见。" if good else "建议限期整改。") + MARK,
        scores=scores(Scorer.TOWNSHIP),
    )
    fresh = Assessment.objects.get(pk=assessment.pk)
    bureau_scores = scores(Scorer.BUREAU)
    computed = services.computed_scores(fresh)
    pending = dict(bureau_scores)
    pending.update({pk: (None if c.not_applicable else c.points) for pk, c in computed.items()})
    points, maximum = services.totals(fresh, pending)
    grade = fresh.campaign.table.grade_for(points / maximum * 100 if maximum else Decimal("0"))
    decision: dict = {}
    if grade == Grade.EXCELLENT and rng.random() < 0.5:
        decision = {
            "recommendation": Recommendation.REWARD,
            "reward_amount": Decimal(rng.choice([1000, 1500, 2000])),
        }
    elif grade in (Grade.EXCELLENT, Grade.QUALIFIED):
        decision = {"recommendation": Recommendation.CONTINUE}
    elif grade == Grade.BASIC:
        decision = {
            "recommendation": Recommendation.IMPROVE,
            "improvement_items": "每月驻点不少于5小时并请村(居)委会确认；每年至少举办1次法制讲座。",
            "improvement_deadline": today + dt.timedelta(days=60),
        }
    else:
        decision = {
            "recommendation": Recommendation.NO_RENEWAL,
            "no_renewal_reasons": "全年驻点时间严重不足。" + MARK,
        }
    engine.execute(users["bureau"], open_task(assessment).pk, scores=bureau_scores, **decision)
    if decision["recommendation"] == Recommendation.IMPROVE:
        engine.execute(adviser_user or users["admin"], open_task(assessment).pk)
    return grade


def load_assessment_demo() -> Iterator[str]:
    from workflows.assessment import indicators, services
    from workflows.assessment.models import Campaign, Grade

    if Campaign.objects.filter(is_demo=True).exists():
        yield "Demo assessment already loaded; nothing to do."
        return
    accounts = get_user_model().objects.filter(
        username__in=["admin", "jiangzhou_bureau", "buzhai_committee", "taiping_office"]
    )
    users = {u.username: u for u in accounts}
    if len(users) < 4 or not Division.objects.filter(code=JIANGZHOU).exists():
        yield "Demo accounts or 江州区 missing; skipped the demo assessment."
        return
    users = {
        "admin": users["admin"],
        "bureau": users["jiangzhou_bureau"],
        "committee": users["buzhai_committee"],
        "township": users["taiping_office"],
    }
    today = timezone.localdate()
    rng = random.Random(SEED)
    contracts = list(services.contracts_for(JIANGZHOU, YEAR))
    if not contracts:
        yield "No 2025 contracts in 江州区; skipped the demo assessment."
        return
    with transaction.atomic():
        entries = _work_2025(rng, contracts)
        campaign = services.launch(users["bureau"], [JIANGZHOU], YEAR, is_demo=True)[0]
        grades: dict[str, int] = {}
        for assessment in campaign.assessments.select_related("adviser__user").order_by("village_id"):
            grade = _walk(rng, assessment, users, today)
            grades[grade] = grades.get(grade, 0) + 1
        services.close(users["bureau"], campaign)
        services.publish(users["bureau"], campaign)
        county = Division.objects.get(code=JIANGZHOU)
        table = indicators.copy_table(county, YEAR + 1, campaign.table)
        Campaign.objects.create(county=county, year=YEAR + 1, table=table, is_demo=True)
    labels = dict(Grade.choices)
    yield (
        f"Assessment: 江州区 {YEAR} published ({campaign.assessments.count()} contracts: "
        + ", ".join(f"{labels[g]} {n}" for g, n in sorted(grades.items()))
        + f"; {entries} ledger entries of {YEAR} added); {YEAR + 1} ready to launch."
    )
