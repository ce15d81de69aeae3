"""What each back-office role may do in renewals (where: the account's scope).

| role | renewal |
| --- | --- |
| 村(社区)委员会/联络员 | give the committee's opinion on renewing its village's adviser |
| 县(市、区)司法局 | start a renewal (e.g. from the assessment); decide: renew (new contract) or not, then allocate another adviser |
| 司法局负责人 | the above for the tasks it takes over, and an overdue committee step (recording the committee's written opinion) |
| 市司法局, 司法所, 法律顾问 | see the renewals of their area (the adviser: its own) |
"""

from __future__ import annotations

VIEW = "renewal.view_renewal"
START = "renewal.add_renewal"
OPINION = "renewal.give_opinion_renewal"
DECIDE = "renewal.decide_renewal"


def grant_permissions() -> None:
    from backoffice import roles
    from workflows import roles as workflow_roles

    roles.grant(roles.VILLAGE_COMMITTEE, VIEW, OPINION)
    roles.grant(roles.COUNTY_BUREAU, VIEW, START, DECIDE)
    for role in (roles.CITY_BUREAU, roles.TOWNSHIP_OFFICE, roles.ADVISER):
        roles.grant(role, VIEW)
    # A committee without an account, or silent until the last day: the head takes the step over
    # and records the committee's written opinion.
    workflow_roles.grant_head(VIEW, OPINION, DECIDE, "renewal.manage_renewal")
