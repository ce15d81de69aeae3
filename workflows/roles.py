"""What each back-office role may do in the workflows (where: the account's scope).

| role | workflows |
| --- | --- |
| 县(市、区)司法局 | see its county's processes; review fee filings |
| 司法局负责人 (this app) | the above, plus overdue escalations: take over or hand back any open task in scope |
| 市司法局, 司法所 | see the processes of their city or township (oversight, no decisions) |
| 村(社区)委员会/联络员 | see its village's processes and their decisions (not the client's name) |
| 法律顾问 | file fee filings; see its own processes; correct returned filings |
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

from .engine import BUREAU_HEAD

VIEW = ["workflows.view_scopedprocess", "workflows.view_feefiling"]
REVIEW = ["workflows.review_feefiling"]
HEAD = [
    "wagtailadmin.access_admin",
    *VIEW,
    *REVIEW,
    "workflows.supervise_scopedprocess",
    "workflows.manage_scopedprocess",
    "workflows.manage_feefiling",
]


def grant_permissions() -> None:
    from backoffice import roles

    roles.grant(roles.COUNTY_BUREAU, *VIEW, *REVIEW)
    roles.grant(roles.CITY_BUREAU, *VIEW)
    roles.grant(roles.TOWNSHIP_OFFICE, *VIEW)
    roles.grant(roles.VILLAGE_COMMITTEE, *VIEW)
    roles.grant(roles.ADVISER, *VIEW, "workflows.add_feefiling")


def register_scope() -> None:
    """Where processes belong, for the back office's scoped querysets and its audit log."""
    from backoffice import scope

    from .models import ScopedProcess

    def rule(queryset, user_scope):
        if user_scope.is_adviser:
            return queryset.filter(adviser_id=user_scope.adviser_id)
        return queryset.filter(user_scope.q("scope_code"))

    scope.register(ScopedProcess, field="scope_code", rule=rule)


def ensure_head_role(using: str = DEFAULT_DB_ALIAS) -> None:
    """The bureau head group and its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.using(using).get_or_create(name=BUREAU_HEAD)
    for name in HEAD:
        app_label, codename = name.split(".", 1)
        permission = (
            Permission.objects.using(using)
            .filter(content_type__app_label=app_label, codename=codename)
            .first()
        )
        if permission is not None:
            group.permissions.add(permission)


def ensure_head_role_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: once, after the last app's permissions exist."""
    configs = list(global_apps.get_app_configs())
    if app_config is None or app_config is not configs[-1]:
        return
    ensure_head_role(using=using)
