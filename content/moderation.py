"""Moderation that stops at the sites of the reviewer's scope.

Wagtail's group approval task lets every member of a reviewing group approve, reject, open and
see in the dashboard's "awaiting your review" panel every page waiting at the task, on every site,
and its submission mail goes to every member (issue 11: a 内容审核 account scoped to 4514 approved
城北's pages). `ScopedGroupApprovalTask` is the same task with each of those decisions also asking
`page_permissions.page_in_scope()` — the sites a user's scope covers, decided in one place for the
page permissions and for moderation. Objects that are not pages (snippets) belong to no site and
keep Wagtail's rule.

Migration content/0009 turns every existing group approval task (Wagtail's default "Moderators
approval" and the demo's) into this type in place; the demo loader creates this type. New tasks
are of this type whatever the entry point: the admin offers no other group approval task
(`limit_task_types`), and a plain one saved anyway (a crafted admin address, the shell, a data
import) is turned into this type in place by `scope_new_group_tasks` as it is created.

The submission mail: Wagtail's notifier takes the recipients straight from the task's groups, with
no method of the task to override, so `connect_notifications()` replaces Wagtail's receiver (same
signal, sender and dispatch_uid) by `ScopedSubmissionEmailNotifier`, which drops the members the
page's site lies outside of. It works whichever of content and wagtail.admin is ready first: a
receiver already connected under that uid is removed, and a later connect under it is ignored.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.admin.mail import GroupApprovalTaskStateSubmissionEmailNotifier
from wagtail.models import GroupApprovalTask, Page, Task, TaskState
from wagtail.signals import task_submitted

from .page_permissions import page_in_scope, reachable_paths

SUBMISSION_DISPATCH_UID = "group_approval_task_submitted_email_notification"  # Wagtail's own uid


def _reaches(obj, user) -> bool:
    """Whether the user's scope covers the site of `obj` (anything but a page: no site, yes)."""
    if not isinstance(obj, Page):
        return True
    return page_in_scope(user, obj)


class ScopedGroupApprovalTask(GroupApprovalTask):
    """A group approval task whose reviewers act only on pages of the sites their scope covers."""

    def user_can_access_editor(self, obj, user) -> bool:
        return super().user_can_access_editor(obj, user) and _reaches(obj, user)

    def locked_for_user(self, obj, user) -> bool:
        return super().locked_for_user(obj, user) or not _reaches(obj, user)

    def user_can_lock(self, obj, user) -> bool:
        return super().user_can_lock(obj, user) and _reaches(obj, user)

    def get_actions(self, obj, user) -> list:
        if not _reaches(obj, user):
            return []
        return super().get_actions(obj, user)

    def get_task_states_user_can_moderate(self, user, **kwargs) -> QuerySet:
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        paths = reachable_paths(user)
        if paths is None:
            return states
        within = Q(pk__in=[])
        for path in paths:
            within |= Q(path__startswith=path)
        page_ids = Page.objects.filter(within).annotate(key=Cast("pk", CharField())).values("key")
        page_type = ContentType.objects.get_for_model(Page)  # a page's workflow state is keyed on Page
        return states.filter(
            ~Q(workflow_state__base_content_type=page_type) | Q(workflow_state__object_id__in=page_ids)
        )

    def may_be_notified(self, obj, user) -> bool:
        """Whether a member of the task's groups gets the mail that `obj` waits for review."""
        return _reaches(obj, user)

    @classmethod
    def get_description(cls):
        return _("所选用户组的成员可以审核本任务，但只审核其管辖范围所覆盖站点的页面")

    class Meta:
        verbose_name = _("按站点的用户组审核")
        verbose_name_plural = _("按站点的用户组审核")


class ScopedSubmissionEmailNotifier(GroupApprovalTaskStateSubmissionEmailNotifier):
    """Wagtail's "submitted for review" mail, without the reviewers of other sites."""

    def get_recipient_users(self, task_state: TaskState, **kwargs):
        recipients = super().get_recipient_users(task_state, **kwargs)
        task = task_state.task.specific
        if not isinstance(task, ScopedGroupApprovalTask):
            return recipients
        obj = task_state.workflow_state.content_object
        return [user for user in recipients.distinct() if task.may_be_notified(obj, user)]


submission_email_notifier = ScopedSubmissionEmailNotifier()


def connect_notifications() -> None:
    """Put the scoped notifier in the place of Wagtail's (see the module docstring)."""
    task_submitted.disconnect(sender=TaskState, dispatch_uid=SUBMISSION_DISPATCH_UID)
    task_submitted.connect(submission_email_notifier, sender=TaskState, dispatch_uid=SUBMISSION_DISPATCH_UID)


def limit_task_types() -> None:
    """Wagtail's task type list (new task, task chooser, filters) without the unscoped task.

    Wagtail builds the list once, from every concrete subclass of Task, into a module global
    that `get_task_types()` returns from then on; filling it first is the only way to leave one
    out. Called from `ready()`, when every model class exists.
    """
    from wagtail import workflows

    workflows.TASK_TYPES = [
        model
        for model in workflows.get_concrete_descendants(Task, inclusive=False)
        if model is not GroupApprovalTask
    ]


def scope_new_group_tasks(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    """A plain group approval task just created becomes a scoped one, keeping its id and groups."""
    if not created or raw or type(instance) is not GroupApprovalTask:
        return
    ScopedGroupApprovalTask(groupapprovaltask_ptr_id=instance.pk).save_base(raw=True)
    scoped = ContentType.objects.get_for_model(ScopedGroupApprovalTask)
    Task.objects.filter(pk=instance.pk).update(content_type=scoped)
    instance.content_type = scoped


def connect_task_scoping() -> None:
    from django.db.models.signals import post_save

    limit_task_types()
    post_save.connect(
        scope_new_group_tasks, sender=GroupApprovalTask, dispatch_uid="content_scope_new_group_tasks"
    )
