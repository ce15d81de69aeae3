"""The assessment's rules, in one place for every entry point (views, demo loader, tests, other flows).

Campaigns: `launch` (one process per contract active during the year, all or nothing; once per
county and year), `close`, `publish` (公示, with its objection period) and objections. Steps: the
functions that take the activation the engine's dispatcher prepared (`submit_self_report`,
`give_committee_opinion`, `give_township_opinion`, `decide`, `acknowledge`); `run_step` drives
the same steps from code, through the same flow, locks and history.

Other flows hook in through `recommendation_made` (the renewal starts from "continue" or
"reward") and read results with plain queries on `Assessment` (grade, recommendation,
reward_amount).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import pagecache
from advisers.models import ServiceContract
from backoffice.scope import scope_for
from places import codes
from places.models import Division
from workflows import engine, workdays

from . import indicators, roles
from .models import (
    Assessment,
    Campaign,
    EvidenceFile,
    Grade,
    Indicator,
    IndicatorScore,
    Objection,
    Recommendation,
    Scorer,
)

logger = logging.getLogger(__name__)
ZERO = Decimal("0")

#: Sent when the county bureau has decided an assessment, inside the decision's transaction
#: (a receiver that raises undoes the decision). Arguments: ``assessment``, ``recommendation``
#: (a `Recommendation` value), ``user``. The renewal flow starts from CONTINUE and REWARD.
recommendation_made = Signal()

# Step actions of the flow's history (declared with their labels on `AssessmentFlow.actions`).
LAUNCHED, SELF_REPORTED, COMMITTEE_GIVEN, TOWNSHIP_GIVEN = (
    "launched",
    "self_reported",
    "committee_opinion",
    "township_opinion",
)
DECIDED, ACKNOWLEDGED, OBJECTED, ANSWERED = "decided", "acknowledged", "objection", "objection_answered"

#: Which indicators each step scores.
STEP_SCORERS = {
    Assessment.Stage.SELF_REPORT: (Scorer.SELF,),
    Assessment.Stage.COMMITTEE: (Scorer.COMMITTEE,),
    Assessment.Stage.TOWNSHIP: (Scorer.TOWNSHIP,),
    Assessment.Stage.BUREAU: (Scorer.BUREAU,),
}


# --- campaigns ----------------------------------------------------------------------------------


def may_launch(user, county_code: str) -> bool:
    return bool(user.is_authenticated and user.has_perm(roles.LAUNCH) and scope_for(user).covers(county_code))


def launchable_counties(user) -> list[Division]:
    """Counties whose campaigns the user may launch (a county bureau: its own; a city: its counties)."""
    if not user.is_authenticated or not user.has_perm(roles.LAUNCH):
        return []
    return list(Division.objects.counties().filter(scope_for(user).q("code")).order_by("code"))


def contracts_for(county_code: str, year: int):
    """Contracts in force during the year in the county (one terminated in the year included, up
    to its termination date): each gets one assessment."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (
        ServiceContract.objects.active_during(first, last)
        .filter(village_id__gte=county_code, village_id__lt=codes.prefix_upper_bound(county_code))
        .select_related("adviser__user")
        .order_by("village_id", "start_date", "pk")
    )


def _check_year(year: int) -> None:
    this_year = timezone.localdate().year
    if not isinstance(year, int) or year < 2017 or year > this_year:
        raise ValidationError({"year": _("考评年度须在 2017 年至今年之间。")})


def launch(user, county_codes: Iterable[str], year: int, *, is_demo: bool = False) -> list[Campaign]:
    """Launch the year's campaign of each county: one process per contract, all or nothing.

    A county whose campaign for the year was launched already is refused (and then none is
    launched). The whole launch is one transaction: if starting any process fails, no campaign,
    process, task or history row is left behind.
    """
    from .flow import AssessmentFlow

    _check_year(year)
    county_codes = sorted(set(county_codes))
    if not county_codes:
        raise ValidationError({"counties": _("请选择县(市、区)。")})
    counties = {d.code: d for d in Division.objects.counties().filter(code__in=county_codes)}
    for code in county_codes:
        if code not in counties:
            raise ValidationError({"counties": _("%(code)s 不是县(市、区)代码。") % {"code": code}})
        if not may_launch(user, code):
            raise PermissionError(code)
    started = timezone.now()
    campaigns = []
    try:
        with transaction.atomic():
            for code in county_codes:
                county = counties[code]
                campaign = _claim_campaign(county, year, user, is_demo)
                contracts = list(contracts_for(code, year))
                if not contracts:
                    raise ValidationError(
                        {
                            "counties": _("%(county)s%(year)s年度没有有效的聘用合同。")
                            % {"county": county.name, "year": year}
                        }
                    )
                try:
                    engine.start_many(
                        AssessmentFlow, [{"campaign": campaign, "contract": c} for c in contracts], user=user
                    )
                except engine.StartFailed as failed:
                    raise failed.error from failed
                campaigns.append(campaign)
                _audit(campaign, "assessment.launch", user, processes=len(contracts))
    except IntegrityError as exc:
        # Two launches at once: the other one created the campaign first.
        raise ValidationError({"counties": _("该县(市、区)本年度的考评已经发起，不能重复发起。")}) from exc
    logger.info(
        "assessment launch of %s counties took %.1f s",
        len(campaigns),
        (timezone.now() - started).total_seconds(),
    )
    return campaigns


def _claim_campaign(county: Division, year: int, user, is_demo: bool) -> Campaign:
    """The county's draft campaign for the year, locked and marked launched; refused if launched."""
    campaign = Campaign.objects.select_for_update().filter(county=county, year=year).first()
    if campaign is None:
        campaign = Campaign.objects.create(county=county, year=year, is_demo=is_demo)
    elif campaign.state != Campaign.State.DRAFT:
        raise ValidationError(
            {
                "counties": _("%(county)s%(year)s年度的考评已经发起，不能重复发起。")
                % {"county": county.name, "year": year}
            }
        )
    if campaign.table_id is None:
        campaign.table = indicators.table_for(county, year)
    campaign.state = Campaign.State.LAUNCHED
    campaign.launched_by = user
    campaign.launched_at = timezone.now()
    campaign.save()
    return campaign


def _require_bureau(user, campaign: Campaign) -> None:
    if not may_launch(user, campaign.county_id):
        raise PermissionError(campaign.pk)


@transaction.atomic
def close(user, campaign: Campaign) -> Campaign:
    """End the campaign: every assessment must be complete (results are final from here on)."""
    _require_bureau(user, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != Campaign.State.LAUNCHED:
        raise ValidationError(_("只有考评中的活动可以结束。"))
    open_count = campaign.assessments.exclude(stage=Assessment.Stage.DONE).count()
    if open_count:
        raise ValidationError(_("还有 %(n)d 项考评未完成，不能结束。") % {"n": open_count})
    campaign.state = Campaign.State.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["state", "closed_at"])
    _audit(campaign, "assessment.close", user)
    return campaign


@transaction.atomic
def publish(user, campaign: Campaign, days: int | None = None) -> Campaign:
    """Publish (公示) a closed campaign's results, with the objection period in working days."""
    _require_bureau(user, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state != Campaign.State.CLOSED:
        raise ValidationError(_("只有已结束的考评可以公示。"))
    if days is not None:
        if not 1 <= int(days) <= 30:
            raise ValidationError({"publication_days": _("公示期为 1 至 30 个工作日。")})
        campaign.publication_days = int(days)
    campaign.state = Campaign.State.PUBLISHED
    campaign.published_at = timezone.now()
    campaign.objection_deadline = workdays.deadline_after(campaign.published_at, campaign.publication_days)
    campaign.save(update_fields=["state", "published_at", "publication_days", "objection_deadline"])
    from .pagecache import published_tags

    pagecache.bump(*published_tags(campaign))
    _audit(campaign, "assessment.publish", user)
    return campaign


def _audit(campaign: Campaign, action: str, user, **data) -> None:
    """The campaign's launch, close and publication in the audit trail (part of the transaction:
    an action that cannot be recorded is not taken)."""
    from wagtail.log_actions import log

    log(instance=campaign, action=action, user=user, data={"year": campaign.year, **data})
    logger.info("assessment campaign %s: %s by user %s", campaign.pk, action, getattr(user, "pk", None))


def may_object(user, assessment: Assessment) -> bool:
    scope = scope_for(user)
    return bool(
        scope.is_adviser and assessment.adviser_id == scope.adviser_id and assessment.campaign.objections_open
    )


@transaction.atomic
def lodge_objection(user, assessment: Assessment, text: str) -> Objection:
    """The adviser's account lodges the firm's objection to a published result, within the period."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写异议内容。")})
    if not assessment.campaign.objections_open:
        raise ValidationError(_("不在公示期内，不能提出异议。"))
    if not may_object(user, assessment):
        raise PermissionError(assessment.pk)
    objection = Objection.objects.create(assessment=assessment, text=text[:2000], lodged_by=user)
    engine.record(assessment, OBJECTED, actor=user, reason=text[:2000])
    return objection


@transaction.atomic
def answer_objection(user, objection: Objection, answer: str) -> Objection:
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复。")})
    _require_bureau(user, objection.assessment.campaign)
    objection.answer = answer[:2000]
    objection.answered_by = user
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    engine.record(objection.assessment, ANSWERED, actor=user, reason=objection.answer)
    return objection


# --- scores ---------------------------------------------------------------------------------------


def table_indicators(assessment: Assessment) -> list[Indicator]:
    return list(assessment.campaign.table.indicators.all())


def step_indicators(assessment: Assessment, stage: str) -> list[Indicator]:
    """The indicators a step scores (the bureau also scores a satisfaction indicator left
    without enough questionnaires)."""
    scorers = STEP_SCORERS.get(stage, ())
    chosen = [i for i in table_indicators(assessment) if i.scorer in scorers]
    if stage == Assessment.Stage.BUREAU:
        insufficient = set(assessment.scores.filter(insufficient=True).values_list("indicator_id", flat=True))
        chosen += [i for i in table_indicators(assessment) if i.pk in insufficient and i not in chosen]
    return chosen


def clean_scores(
    chosen: list[Indicator], values: dict[int, object], not_applicable: Iterable[int] = ()
) -> dict[int, Decimal | None]:
    """Each indicator's points, between 0 and its maximum; None where marked not applicable."""
    na = set(not_applicable)
    errors: dict[str, str] = {}
    clean: dict[int, Decimal | None] = {}
    for indicator in chosen:
        field = f"score_{indicator.pk}"
        if indicator.pk in na:
            if not indicator.optional:
                errors[field] = _("该指标不能标记为不适用。")
            clean[indicator.pk] = None
            continue
        raw = values.get(indicator.pk)
        try:
            points = Decimal(str(raw)).quantize(Decimal("0.1")) if raw not in (None, "") else None
        except (InvalidOperation, ValueError):
            points = None
            errors[field] = _("请输入分数。")
            continue
        if points is None:
            errors[field] = _("请为“%(name)s”打分。") % {"name": indicator.name}
        elif points < ZERO or points > indicator.max_points:
            errors[field] = _("“%(name)s”的得分须在 0 至 %(max)s 分之间。") % {
                "name": indicator.name,
                "max": indicator.max_points,
            }
        else:
            clean[indicator.pk] = points
    if errors:
        raise ValidationError(errors)
    return clean


def _store_scores(assessment: Assessment, user, scores: dict[int, Decimal | None], **flags) -> None:
    for indicator_id, points in scores.items():
        IndicatorScore.objects.update_or_create(
            assessment=assessment,
            indicator_id=indicator_id,
            defaults={
                "points": points,
                "not_applicable": points is None,
                "insufficient": False,
                "computed": False,
                "note": "",
                "scored_by": user,
                "scored_at": timezone.now(),
                **flags,
            },
        )


def check_questionnaires(total, satisfied, basically, not_satisfied) -> None:
    values = [total, satisfied, basically, not_satisfied]
    if any(v is None for v in values):
        raise ValidationError({"questionnaires": _("请填写问卷数和各项人数（没有填 0）。")})
    if any(v < 0 for v in values):
        raise ValidationError({"questionnaires": _("人数不能为负数。")})
    if satisfied + basically + not_satisfied != total:
        raise ValidationError(
            {
                "questionnaires": _("满意、基本满意、不满意人数之和（%(sum)d）应等于问卷数（%(n)d）。")
                % {"sum": satisfied + basically + not_satisfied, "n": total}
            }
        )


# --- steps, with the activation prepared by the engine -----------------------------------------


def submit_self_report(
    activation, user, summary: str, scores, not_applicable=(), files: Iterable = ()
) -> Assessment:
    assessment: Assessment = activation.process
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("请填写年度述职。")})
    clean = clean_scores(step_indicators(assessment, Assessment.Stage.SELF_REPORT), scores, not_applicable)
    _store_scores(assessment, user, clean)
    for upload in files or ():
        EvidenceFile.objects.create(assessment=assessment, file=upload, title=upload.name[:100])
    assessment.self_summary = summary[:3000]
    assessment.self_reported_at = timezone.now()
    assessment.stage = Assessment.Stage.COMMITTEE
    assessment.save(update_fields=["self_summary", "self_reported_at", "stage"])
    engine.record(assessment, SELF_REPORTED, actor=user, task=activation.task)
    return assessment


def give_committee_opinion(
    activation,
    user,
    opinion: str,
    scores,
    not_applicable=(),
    *,
    questionnaires,
    satisfied,
    basically,
    not_satisfied,
) -> Assessment:
    """The committee's opinion and score, and the representatives' questionnaire results (三(二))."""
    assessment: Assessment = activation.process
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": _("请填写村(居)委会意见。")})
    check_questionnaires(questionnaires, satisfied, basically, not_satisfied)
    clean = clean_scores(step_indicators(assessment, Assessment.Stage.COMMITTEE), scores, not_applicable)
    _store_scores(assessment, user, clean)
    minimum = assessment.campaign.table.min_questionnaires
    for indicator in table_indicators(assessment):
        if indicator.scorer != Scorer.REPRESENTATIVES:
            continue
        result = indicators.satisfaction_points(indicator, minimum, questionnaires, satisfied, basically)
        IndicatorScore.objects.update_or_create(
            assessment=assessment,
            indicator=indicator,
            defaults={
                "points": result.points if result else None,
                "insufficient": result is None,
                "not_applicable": False,
                "computed": True,
                "note": result.note
                if result
                else gettext("问卷 %(n)d 份，少于 %(min)d 份，样本不足，由县级司法局核定。")
                % {"n": questionnaires, "min": minimum},
                "scored_by": user,
                "scored_at": timezone.now(),
            },
        )
    assessment.committee_opinion = opinion[:2000]
    assessment.committee_at = timezone.now()
    assessment.questionnaires = questionnaires
    assessment.satisfied = satisfied
    assessment.basically_satisfied = basically
    assessment.not_satisfied = not_satisfied
    assessment.stage = Assessment.Stage.TOWNSHIP
    assessment.save(
        update_fields=[
            "committee_opinion",
            "committee_at",
            "questionnaires",
            "satisfied",
            "basically_satisfied",
            "not_satisfied",
            "stage",
        ]
    )
    engine.record(assessment, COMMITTEE_GIVEN, actor=user, task=activation.task, reason=opinion[:2000])
    return assessment


def give_township_opinion(activation, user, opinion: str, scores, not_applicable=()) -> Assessment:
    assessment: Assessment = activation.process
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": _("请填写初评意见。")})
    clean = clean_scores(step_indicators(assessment, Assessment.Stage.TOWNSHIP), scores, not_applicable)
    _store_scores(assessment, user, clean)
    assessment.township_opinion = opinion[:2000]
    assessment.township_at = timezone.now()
    assessment.stage = Assessment.Stage.BUREAU
    assessment.save(update_fields=["township_opinion", "township_at", "stage"])
    engine.record(assessment, TOWNSHIP_GIVEN, actor=user, task=activation.task, reason=opinion[:2000])
    return assessment


def computed_scores(assessment: Assessment) -> dict[int, indicators.Computed]:
    """The ledger indicators as of now, for the bureau's form (shown, never editable)."""
    return indicators.compute(table_indicators(assessment), assessment.contract, assessment.campaign.year)


def totals(
    assessment: Assessment, pending: dict[int, Decimal | None] | None = None
) -> tuple[Decimal, Decimal]:
    """(points, maximum) over the indicators that apply; `pending` are scores not yet stored."""
    stored = {s.indicator_id: s for s in assessment.scores.all()}
    points = maximum = ZERO
    missing = []
    for indicator in table_indicators(assessment):
        if pending is not None and indicator.pk in pending:
            value, na = pending[indicator.pk], pending[indicator.pk] is None
        elif indicator.pk in stored:
            value, na = stored[indicator.pk].points, stored[indicator.pk].not_applicable
        else:
            value, na = None, False
        if na:
            continue
        if value is None:
            missing.append(indicator.name)
            continue
        points += value
        maximum += indicator.max_points
    if missing:
        raise ValidationError(_("以下指标尚未评分：%(names)s") % {"names": "、".join(missing)})
    return points, maximum


def check_recommendation(
    grade: str,
    recommendation: str,
    *,
    reward_amount=None,
    improvement_items: str = "",
    improvement_deadline: dt.date | None = None,
    no_renewal_reasons: str = "",
) -> None:
    """The recommendation must fit the grade and carry what it needs (三(二), 五(二))."""
    errors: dict[str, str] = {}
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": _("请选择处理意见。")})
    if grade == Grade.FAILED and recommendation in (Recommendation.CONTINUE, Recommendation.REWARD):
        errors["recommendation"] = _("考评不合格的，不能继续聘用或奖励，请选择限期整改或不再续聘。")
    if recommendation == Recommendation.REWARD:
        if grade not in (Grade.EXCELLENT, Grade.QUALIFIED):
            errors["recommendation"] = _("只有优秀或合格的顾问可以奖励。")
        if reward_amount is None or reward_amount <= 0:
            errors["reward_amount"] = _("请填写奖励金额。")
    if recommendation == Recommendation.IMPROVE:
        if not (improvement_items or "").strip():
            errors["improvement_items"] = _("请写明整改事项。")
        if improvement_deadline is None or improvement_deadline <= timezone.localdate():
            errors["improvement_deadline"] = _("请填写今天以后的整改期限。")
    if recommendation == Recommendation.NO_RENEWAL and not (no_renewal_reasons or "").strip():
        errors["no_renewal_reasons"] = _("请写明不再续聘的理由。")
    if errors:
        raise ValidationError(errors)


def decide(
    activation,
    user,
    scores,
    not_applicable=(),
    *,
    recommendation: str,
    opinion: str = "",
    reward_amount=None,
    improvement_items: str = "",
    improvement_deadline: dt.date | None = None,
    no_renewal_reasons: str = "",
) -> Assessment:
    """The county bureau's scores, the grade from the table's bands, and the recommendation."""
    assessment: Assessment = activation.process
    chosen = step_indicators(assessment, Assessment.Stage.BUREAU)
    clean = clean_scores(chosen, scores, not_applicable)
    computed = computed_scores(assessment)
    pending = dict(clean)
    pending.update({pk: (None if c.not_applicable else c.points) for pk, c in computed.items()})
    points, maximum = totals(assessment, pending)
    percent = (points / maximum * 100).quantize(Decimal("0.1")) if maximum else ZERO
    grade = assessment.campaign.table.grade_for(percent)
    check_recommendation(
        grade,
        recommendation,
        reward_amount=reward_amount,
        improvement_items=improvement_items,
        improvement_deadline=improvement_deadline,
        no_renewal_reasons=no_renewal_reasons,
    )
    _store_scores(assessment, user, clean)
    for pk, result in computed.items():
        IndicatorScore.objects.update_or_create(
            assessment=assessment,
            indicator_id=pk,
            defaults={
                "points": None if result.not_applicable else result.points,
                "not_applicable": result.not_applicable,
                "insufficient": False,
                "computed": True,
                "note": result.note[:300],
                "scored_by": None,
                "scored_at": timezone.now(),
            },
        )
    assessment.total_points, assessment.max_points, assessment.percent = points, maximum, percent
    assessment.grade = grade
    assessment.recommendation = recommendation
    assessment.bureau_opinion = (opinion or "").strip()[:2000]
    assessment.reward_amount = reward_amount if recommendation == Recommendation.REWARD else None
    improve = recommendation == Recommendation.IMPROVE
    assessment.improvement_items = improvement_items.strip()[:2000] if improve else ""
    assessment.improvement_deadline = improvement_deadline if improve else None
    assessment.no_renewal_reasons = (
        no_renewal_reasons.strip()[:2000] if recommendation == Recommendation.NO_RENEWAL else ""
    )
    assessment.decided_by = user
    assessment.decided_at = timezone.now()
    assessment.stage = Assessment.Stage.ACKNOWLEDGE if improve else Assessment.Stage.DONE
    assessment.save()
    engine.record(
        assessment,
        DECIDED,
        actor=user,
        task=activation.task,
        details={"grade": grade, "recommendation": recommendation, "percent": str(percent)},
        reason=gettext("评定等次：%(grade)s；处理意见：%(rec)s")
        % {"grade": assessment.get_grade_display(), "rec": assessment.get_recommendation_display()},
    )
    recommendation_made.send(
        sender=Assessment, assessment=assessment, recommendation=recommendation, user=user
    )
    return assessment


def acknowledge(activation, user) -> Assessment:
    """The adviser confirms having received the improvement notice."""
    assessment: Assessment = activation.process
    assessment.acknowledged_at = timezone.now()
    assessment.stage = Assessment.Stage.DONE
    assessment.save(update_fields=["acknowledged_at", "stage"])
    engine.record(assessment, ACKNOWLEDGED, actor=user, task=activation.task)
    return assessment
