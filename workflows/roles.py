"""What each back-office role may do in the workflows engine (where: the account's scope).

| role | workflows (engine) |
| --- | --- |
| 县(市、区)司法局, 市司法局, 司法所 | see the processes of their county, city or township |
| 司法局负责人 (this app) | the above, plus overdue escalations: take over or hand back any open task in scope |
| 村(社区)委员会/联络员 | see its village's processes and their decisions |
| 法律顾问 | see its own processes |

Each flow package grants its own permissions (e.g. who reviews a fee filing) in its AppConfig's
`ready()`, and adds the ones a bureau head needs with `grant_head()`.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

from .engine import BUREAU_HEAD

VIEW = ["workflows.view_scopedprocess"]
HEAD = [
    "wagtailadmin.access_admin",
    *VIEW,
    "workflows.supervise_scopedprocess",
    "workflows.manage_scopedprocess",
]
_head_extra: list[str] = []


def grant_head(*names: str) -> None:
    """Permissions a flow gives the bureau head role (e.g. to decide the tasks it takes over)."""
    for name in names:
        if name not in _head_extra:
            _head_extra.append(name)


def grant_permissions() -> None:
    from backoffice import roles

    for role in (roles.COUNTY_BUREAU, roles.CITY_BUREAU, roles.TOWNSHIP_OFFICE, roles.VILLAGE_COMMITTEE):
        roles.grant(role, *VIEW)
    roles.grant(roles.ADVISER, *VIEW)


def process_rule(queryset, user_scope):
    """The one scope rule of every process: an adviser reaches the processes about themself,
    every other account those whose place lies inside its scope prefixes."""
    if user_scope.is_adviser:
        return queryset.filter(adviser_id=user_scope.adviser_id)
    return queryset.filter(user_scope.q("scope_code"))


def register_process_scope(model) -> None:
    """Register a process model (the engine's, and each flow's own) with the scope registry."""
    from backoffice import scope

    scope.register(model, field="scope_code", rule=process_rule)


def register_scope() -> None:
    """Where processes belong, for the back office's scoped querysets and its audit log."""
    from .models import ScopedProcess

    register_process_scope(ScopedProcess)


def ensure_head_role(using: str = DEFAULT_DB_ALIAS) -> None:
    """The bureau head group and its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    group, _created = Group.objects.using(using).get_or_create(name=BUREAU_HEAD)
    for name in [*HEAD, *_head_extra]:
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
