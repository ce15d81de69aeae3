"""What each back-office role may do in the annual assessment (where: the account's scope).

| role | assessment |
| --- | --- |
| 县(市、区)司法局 | launch, close and publish its county's campaign; score and decide; answer objections; indicator tables |
| 市司法局 | launch the campaigns of several counties at once; city indicator tables; the report to the city |
| 司法所 | the initial opinion (初评) on its township's assessments |
| 村(社区)委员会/联络员 | its village's opinion, score and questionnaire results |
| 法律顾问 | its self-report and evidence; acknowledge an improvement notice; lodge an objection for its firm |
"""

from __future__ import annotations

VIEW = ["workflows.view_scopedprocess", "assessment.view_assessment"]
TABLES = [
    "assessment.add_indicatortable",
    "assessment.change_indicatortable",
    "assessment.view_indicatortable",
    "assessment.delete_indicatortable",
]
SELF_REPORT = "assessment.submit_selfreport"
COMMITTEE = "assessment.give_committee_opinion"
TOWNSHIP = "assessment.give_township_opinion"
SCORE = "assessment.score_assessment"
LAUNCH = "assessment.launch_campaign"
REPORT = "assessment.view_campaign_report"


def grant_permissions() -> None:
    from backoffice import roles
    from workflows import roles as workflow_roles

    roles.grant(roles.COUNTY_BUREAU, *VIEW, *TABLES, SCORE, LAUNCH, "assessment.view_campaign")
    roles.grant(roles.CITY_BUREAU, *VIEW, *TABLES, LAUNCH, REPORT, "assessment.view_campaign")
    roles.grant(roles.TOWNSHIP_OFFICE, *VIEW, TOWNSHIP)
    roles.grant(roles.VILLAGE_COMMITTEE, *VIEW, COMMITTEE)
    roles.grant(roles.ADVISER, *VIEW, SELF_REPORT)
    # A bureau head may take over an overdue scoring (the other steps belong to their bodies).
    workflow_roles.grant_head(SCORE, "assessment.view_assessment")


def register_scope() -> None:
    """Where campaigns and tables belong (the engine registers the assessment processes itself)."""
    from backoffice import scope

    from .models import Campaign, IndicatorTable

    def table_rule(queryset, user_scope):
        # A county sees its own table and its city's; a city sees its own and its counties'.
        if user_scope.is_adviser or not user_scope.prefixes:
            return queryset.filter(user_scope.q("area"))
        wider = [p[:4] for p in user_scope.prefixes if len(p) >= 6]
        from django.db.models import Q

        return queryset.filter(user_scope.q("area") | Q(area_id__in=wider))

    scope.register(Campaign, field="county")
    scope.register(IndicatorTable, field="area", rule=table_rule)
