"""Chinese names for what Django and Wagtail store or label in English (issue 11).

Translations in a catalog cannot reach these, because they are data or labels fixed when the code
runs, not msgids:
- permission names ("Can add 聘用合同", "Can access Wagtail admin") are written into the database
  by Django's `create_permissions` in English and shown as they are on every group form;
- Wagtail's migrations create the groups "Editors" and "Moderators", the workflow and task
  "Moderators approval", and the root page and root collection "Root", which the page tree, the
  editor's "提交给…" button, the collection forms and the workflow screens show;
- Wagtail's site listing derives its column headings from field names ("Port", "Site name"), and
  its workflow and group-permission forms' page fields have no label ("Page").

`name_in_chinese` renames them; it runs after every migrate (roles.ensure_roles) and is idempotent:
it only touches names still in their English default, so a name an administrator changed stays.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

# Django's default permission names: "Can add %s" etc. (django/contrib/auth/management).
ACTIONS = {
    "add": _("可以添加%(name)s"),
    "change": _("可以修改%(name)s"),
    "delete": _("可以删除%(name)s"),
    "view": _("可以查看%(name)s"),
}
# Custom permissions of Django and Wagtail, by their stored English name.
CUSTOM = {
    "Can access Wagtail admin": _("可以进入管理后台"),
    "Publish any page": _("可以发布任何页面"),
    "Unlock any page": _("可以解锁任何页面"),
    "Delete pages with children": _("可以删除带子页面的页面"),
    "Lock/unlock pages you've locked": _("可以锁定并解锁自己锁定的页面"),
    "Can choose image": _("可以选择图片"),
    "Can choose document": _("可以选择文档"),
    "Can choose": _("可以选择"),
}
# Wagtail's default records (wagtail/migrations), by their English name.
GROUPS = {"Editors": _("编辑（Wagtail 默认组）"), "Moderators": _("审核员（Wagtail 默认组）")}
WORKFLOWS = {"Moderators approval": _("审核发布")}
TASKS = {"Moderators approval": _("审核员审批")}
ROOT_TITLE = ("Root", _("根目录"))
ROOT_COLLECTION = ("Root", _("全部集合"))
SITE_COLUMNS = {"port": _("端口"), "site_name": _("站点名称"), "root_page": _("根页面")}


def default_group(english: str):
    """Wagtail's default group ("Editors", "Moderators"): by its Chinese name once renamed, by
    its English one before, or None."""
    from django.contrib.auth.models import Group

    return Group.objects.filter(name__in=[english, str(GROUPS[english])]).order_by("pk").first()


def _permission_name(permission) -> str | None:
    if permission.name in CUSTOM:
        return str(CUSTOM[permission.name])
    action, _sep, model_name = permission.codename.partition("_")
    model = permission.content_type.model_class()
    if action not in ACTIONS or model is None or model._meta.model_name != model_name:
        return None
    english = f"Can {action} {model._meta.verbose_name_raw}"
    if permission.name != english:
        return None
    return str(ACTIONS[action] % {"name": model._meta.verbose_name})[:255]


def name_in_chinese(using: str = DEFAULT_DB_ALIAS) -> None:
    """Rename the English defaults listed above in the database (idempotent, a few queries)."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import Collection, Page, Task, Workflow

    with override("zh-hans"):
        changed = []
        for permission in Permission.objects.using(using).select_related("content_type"):
            name = _permission_name(permission)
            if name and name != permission.name:
                permission.name = name
                changed.append(permission)
        Permission.objects.using(using).bulk_update(changed, ["name"], batch_size=500)
        for english, chinese in GROUPS.items():
            if not Group.objects.using(using).filter(name=str(chinese)).exists():
                Group.objects.using(using).filter(name=english).update(name=str(chinese))
        for english, chinese in WORKFLOWS.items():
            Workflow.objects.using(using).filter(name=english).update(name=str(chinese))
        for english, chinese in TASKS.items():
            Task.objects.using(using).filter(name=english).update(name=str(chinese))
        Page.objects.using(using).filter(depth=1, title=ROOT_TITLE[0]).update(
            title=str(ROOT_TITLE[1]), draft_title=str(ROOT_TITLE[1])
        )
        Collection.objects.using(using).filter(depth=1, name=ROOT_COLLECTION[0]).update(
            name=str(ROOT_COLLECTION[1])
        )


def label_wagtail_fields() -> None:
    """Give Wagtail's site listing columns and workflow page field translatable labels (Wagtail
    derives them from field names, in English)."""
    from wagtail.admin.forms.workflows import WorkflowPageForm
    from wagtail.sites.views import IndexView
    from wagtail.users.forms import PagePermissionsForm

    for column in IndexView.columns:
        if column.name in SITE_COLUMNS:
            column.label = SITE_COLUMNS[column.name]
    for form in (WorkflowPageForm, PagePermissionsForm):
        form.base_fields["page"].label = _("页面")
