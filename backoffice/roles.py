"""The back office's roles, as Django groups with their permissions.

What a role may do comes from its group; where it may do it comes from the account's scope
(`backoffice.scope`). The roles follow the policy's division of labour (崇政办发〔2017〕101号 四):
the county bureau hires, allocates and assesses advisers; the city bureau oversees; the township
judicial office follows the work in its villages; the village committee and its liaison officer
keep their own liaison and service-room records and give their opinion.

| role | programme records |
| --- | --- |
| 市司法局, 县(市、区)司法局 | add, change, delete, view, export, import firms, advisers, contracts, liaison officers, service rooms, recusals; change county settings |
| 司法所 | view everything in its township; add, change, delete liaison officers and service rooms |
| 村(社区)委员会/联络员 | view its village; add and change its liaison officer and service room |
| 法律顾问 | view its own record, contracts and villages; edit its own contact details and consent (advisers/views/my_profile.py) |
| 内容编辑, 内容审核 | no programme records; pages, images, documents (审核 also publishes) |

The platform grants only admin access and reading divisions; every app adds its models'
permissions to these roles with `grant()` in its AppConfig.ready() (the table above is what
advisers/apps.py grants).
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS

logger = logging.getLogger(__name__)

CITY_BUREAU = "市司法局"
COUNTY_BUREAU = "县(市、区)司法局"
TOWNSHIP_OFFICE = "司法所"
VILLAGE_COMMITTEE = "村(社区)委员会/联络员"
ADVISER = "法律顾问"
CONTENT_EDITOR = "内容编辑"
CONTENT_REVIEWER = "内容审核"

#: Roles that run the programme; they need the second factor when PORTAL_REQUIRE_2FA_FOR_BUREAUS is on.
BUREAU_ROLES = (CITY_BUREAU, COUNTY_BUREAU, TOWNSHIP_OFFICE)
PROGRAMME_ROLES = (*BUREAU_ROLES, VILLAGE_COMMITTEE, ADVISER)
ALL_ROLES = (*PROGRAMME_ROLES, CONTENT_EDITOR, CONTENT_REVIEWER)

ACCESS_ADMIN = "wagtailadmin.access_admin"


def crud(app: str, models: list[str], actions=("add", "change", "delete", "view")) -> list[str]:
    """Permission names ("app.action_model") for `models` of `app`, for `grant()`."""
    return [f"{app}.{action}_{model}" for model in models for action in actions]


# The platform's own permissions; each app adds its models' with `grant()` in its ready()
# (advisers: firms, advisers, contracts…; ledger: entries; content: lectures …).
_PERMISSIONS: dict[str, list[str]] = {
    CITY_BUREAU: [ACCESS_ADMIN, "places.view_division"],
    COUNTY_BUREAU: [ACCESS_ADMIN, "places.view_division"],
    TOWNSHIP_OFFICE: [ACCESS_ADMIN, "places.view_division"],
    VILLAGE_COMMITTEE: [ACCESS_ADMIN, "places.view_division"],
    ADVISER: [ACCESS_ADMIN, "places.view_division"],
    CONTENT_EDITOR: [ACCESS_ADMIN],
    CONTENT_REVIEWER: [ACCESS_ADMIN],
}
_extra: dict[str, list[str]] = defaultdict(list)

# Page permissions on the whole page tree and collection permissions on the root collection.
_PAGE_PERMISSIONS = {
    CONTENT_EDITOR: ["add_page", "change_page"],
    CONTENT_REVIEWER: ["add_page", "change_page", "publish_page"],
}
_IMAGE_PERMISSIONS = {
    CITY_BUREAU: ["add_image", "choose_image"],
    COUNTY_BUREAU: ["add_image", "choose_image"],
    CONTENT_EDITOR: ["add_image", "change_image", "choose_image"],
    CONTENT_REVIEWER: ["add_image", "change_image", "choose_image"],
}
_DOCUMENT_PERMISSIONS = {
    CONTENT_EDITOR: ["add_document", "change_document", "choose_document"],
    CONTENT_REVIEWER: ["add_document", "change_document", "choose_document"],
}


def grant(role: str, *permissions: str) -> None:
    """Give `role` more permissions ("app_label.codename"), e.g. from another app's ready()."""
    if role not in ALL_ROLES:
        raise ValueError(f"unknown role {role!r}")
    _extra[role].extend(permissions)


def permissions_of(role: str) -> list[str]:
    return [*_PERMISSIONS[role], *_extra.get(role, [])]


def _permission_objects(names: list[str], using: str):
    from django.contrib.auth.models import Permission

    wanted = {tuple(name.split(".", 1)) for name in names}
    found = (
        Permission.objects.using(using)
        .filter(
            content_type__app_label__in={app for app, _code in wanted}, codename__in={c for _app, c in wanted}
        )
        .select_related("content_type")
    )
    result = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in result}
    if missing:
        logger.warning("roles: permissions not found yet: %s", sorted(".".join(m) for m in missing))
    return result


def ensure_roles(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create or update the role groups and their permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    for role in ALL_ROLES:
        group, _created = Group.objects.using(using).get_or_create(name=role)
        group.permissions.add(*_permission_objects(permissions_of(role), using))

    root_page = Page.objects.using(using).filter(depth=1).first()
    if root_page is not None:
        for role, codenames in _PAGE_PERMISSIONS.items():
            group = Group.objects.using(using).get(name=role)
            for permission in Permission.objects.using(using).filter(
                content_type__app_label="wagtailcore", codename__in=codenames
            ):
                GroupPagePermission.objects.using(using).get_or_create(
                    group=group, page=root_page, permission=permission
                )
    root_collection = Collection.objects.using(using).filter(depth=1).first()
    if root_collection is not None:
        for app_label, table in (
            ("wagtailimages", _IMAGE_PERMISSIONS),
            ("wagtaildocs", _DOCUMENT_PERMISSIONS),
        ):
            for role, codenames in table.items():
                group = Group.objects.using(using).get(name=role)
                for permission in Permission.objects.using(using).filter(
                    content_type__app_label=app_label, codename__in=codenames
                ):
                    GroupCollectionPermission.objects.using(using).get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )
    _add_reviewers_to_moderation(using)


def _add_reviewers_to_moderation(using: str) -> None:
    """Reviewers approve in Wagtail's default moderation task, next to Wagtail's Moderators."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupApprovalTask

    reviewers = Group.objects.using(using).get(name=CONTENT_REVIEWER)
    for task in GroupApprovalTask.objects.using(using).filter(active=True):
        task.groups.add(reviewers)


def ensure_roles_after_migrate(sender, app_config=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: runs once, after the last app's permissions exist.

    Django sends post_migrate only for apps with a models module, so "last" is the last of those
    (django.contrib.sitemaps, listed after them, never sends it).
    """
    configs = [config for config in global_apps.get_app_configs() if config.models_module is not None]
    if app_config is None or app_config is not configs[-1]:
        return
    ensure_roles(using=using)
    from .admin_names import name_in_chinese

    name_in_chinese(using=using)
