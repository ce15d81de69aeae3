"""Moderation stops at the sites of the reviewer's scope (issue 11).

Two sites — 崇左 (area 4514) and 城北 (630105) — each with an article waiting at the moderation
task. The demo's `reviewer` (内容审核, scope 4514) sees, approves and is mailed about 崇左's article
only; a 城北 reviewer handles 城北's. Real database, Wagtail's own dashboard and workflow-action
views through the test client.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Site, TaskState, Workflow, WorkflowPage, WorkflowTask

from backoffice import roles
from content.models import HomePage, ScopedGroupApprovalTask
from sites.models import JurisdictionSettings
from tests.backoffice.conftest import make_staff
from tests.content_helpers import articles_index, make_article


@pytest.fixture
def moderation(divisions):
    """Both sites under one scoped review task; each article submitted by its site's editor."""
    cache.clear()  # Wagtail caches site root paths
    default = Site.objects.get(is_default_site=True)
    settings = JurisdictionSettings.for_site(default)
    settings.area_codes = "4514"
    settings.save()
    home = default.root_page.get_parent().add_child(
        instance=HomePage(title="城北区首页", slug="chengbei-home")
    )
    chengbei = Site.objects.create(hostname="chengbei.example", port=80, root_page=home, site_name="城北")
    other = JurisdictionSettings.for_site(chengbei)
    other.area_codes = "630105"
    other.save()
    reviewer = make_staff("reviewer", roles.CONTENT_REVIEWER, "4514", email="reviewer@example.org")
    chengbei_reviewer = make_staff(
        "chengbei_reviewer", roles.CONTENT_REVIEWER, "630105", email="chengbei-reviewer@example.org"
    )
    task = ScopedGroupApprovalTask.objects.create(name="审核")
    task.groups.add(*reviewer.groups.all())
    workflow = Workflow.objects.create(name="发布前审核")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    for site_home in (default.root_page, home):
        WorkflowPage.objects.create(page=site_home, workflow=workflow)
    ours = make_article(articles_index(), title="崇左的文章", slug="ours")
    theirs = make_article(articles_index(home), title="城北的文章", slug="theirs")
    mail.outbox.clear()
    for page, editor in (
        (ours, make_staff("editor", roles.CONTENT_EDITOR, "4514")),
        (theirs, make_staff("chengbei_editor", roles.CONTENT_EDITOR, "630105")),
    ):
        page.save_revision()
        workflow.start(page, editor)
    yield {
        "ours": ours,
        "theirs": theirs,
        "reviewer": reviewer,
        "chengbei_reviewer": chengbei_reviewer,
        "task": task,
    }
    cache.clear()


def _state(page) -> TaskState:
    page.refresh_from_db()
    state = page.current_workflow_task_state
    assert state is not None, f"{page.title} is not waiting for review"
    return state


def _act(client, user, page, action: str):
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, _state(page).pk])
    return client.post(url, {"comment": "请核对条文出处。"})


def test_migration_made_every_group_approval_task_scoped(db):
    """Wagtail's default "Moderators approval" (created by its migrations) was switched in place."""
    tasks = list(GroupApprovalTask.objects.all())
    assert tasks, "Wagtail's migrations create a default group approval task"
    assert all(isinstance(task.specific, ScopedGroupApprovalTask) for task in tasks)
    assert all(task.groups.exists() for task in tasks)  # the groups stayed with the task


def test_dashboard_lists_only_pages_of_the_reviewers_sites(client, moderation):
    client.force_login(moderation["reviewer"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "崇左的文章" in page
    assert "城北的文章" not in page
    client.force_login(moderation["chengbei_reviewer"])
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "城北的文章" in page
    assert "崇左的文章" not in page


def _refused(response) -> bool:
    """Wagtail answers a refused admin action with 403, or a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")
    )


def test_reviewer_cannot_approve_or_reject_another_sites_page(client, moderation):
    theirs = moderation["theirs"]
    reviewer = moderation["reviewer"]
    for action in ("approve", "reject"):
        assert _refused(_act(client, reviewer, theirs, action))
        assert _state(theirs).status == TaskState.STATUS_IN_PROGRESS  # nothing happened
    collect = reverse(
        "wagtailadmin_pages:collect_workflow_action_data", args=[theirs.pk, "approve", _state(theirs).pk]
    )
    assert _refused(client.get(collect))
    preview = reverse("wagtailadmin_pages:workflow_preview", args=[theirs.pk, moderation["task"].pk])
    assert _refused(client.get(preview))
    theirs.refresh_from_db()
    assert theirs.workflow_in_progress
    assert moderation["task"].locked_for_user(theirs, reviewer)

    # Their own site's article they still approve; 城北's reviewer approves 城北's.
    for user, page in ((reviewer, moderation["ours"]), (moderation["chengbei_reviewer"], theirs)):
        state = _state(page)
        assert _act(client, user, page, "approve").status_code == 302
        state.refresh_from_db()
        page.refresh_from_db()
        assert state.status == TaskState.STATUS_APPROVED and state.finished_by == user
        assert not page.workflow_in_progress and page.live_revision_id == state.revision_id


def test_submission_mail_goes_only_to_the_reviewers_of_the_pages_site(moderation):
    to_reviewer = [m.subject for m in mail.outbox if "reviewer@example.org" in m.to]
    to_chengbei = [m.subject for m in mail.outbox if "chengbei-reviewer@example.org" in m.to]
    assert len(to_reviewer) == 1 and "崇左的文章" in to_reviewer[0]
    assert len(to_chengbei) == 1 and "城北的文章" in to_chengbei[0]


def test_demo_loader_creates_the_scoped_task(db):
    from wagtail.models import Page

    from demo.content import ensure_moderation

    WorkflowPage.objects.filter(page=Page.get_first_root_node()).delete()
    ensure_moderation()
    workflow = WorkflowPage.objects.get(page=Page.get_first_root_node()).workflow
    assert [type(task.specific) for task in workflow.tasks] == [ScopedGroupApprovalTask]


def test_reviewer_without_a_scope_moderates_nothing(client, moderation):
    """An account in 内容审核 whose scope was never set fails closed, as its page grants do."""
    unscoped = make_staff("unscoped_reviewer", roles.CONTENT_REVIEWER, email="unscoped@example.org")
    client.force_login(unscoped)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "崇左的文章" not in page and "城北的文章" not in page
    for article in (moderation["ours"], moderation["theirs"]):
        assert _refused(_act(client, unscoped, article, "approve"))
        assert _state(article).status == TaskState.STATUS_IN_PROGRESS
        assert moderation["task"].locked_for_user(article, unscoped)


def test_new_group_approval_tasks_are_scoped_whatever_the_entry_point(client, divisions):
    """The admin offers only the scoped task, and a plain one made anyway becomes scoped."""
    from django.contrib.auth import get_user_model
    from wagtail.models import Task
    from wagtail.workflows import get_task_types

    assert GroupApprovalTask not in get_task_types()
    assert ScopedGroupApprovalTask in get_task_types()

    made_in_code = GroupApprovalTask.objects.create(name="后台脚本建的审核")
    assert isinstance(Task.objects.get(pk=made_in_code.pk).specific, ScopedGroupApprovalTask)

    admin = get_user_model().objects.create_superuser("task_admin", "task_admin@example.org", "x")
    client.force_login(admin)
    chooser = client.get(reverse("wagtailadmin_workflows:select_task_type"))
    assert chooser.status_code == 302  # a single type: straight to its form
    assert "scopedgroupapprovaltask" in chooser["Location"]
    reviewers = admin.groups.model.objects.get(name=roles.CONTENT_REVIEWER)
    crafted = reverse("wagtailadmin_workflows:add_task", args=["wagtailcore", "groupapprovaltask"])
    response = client.post(crafted, {"name": "手工地址建的审核", "groups": [reviewers.pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    task = Task.objects.get(name="手工地址建的审核").specific
    assert isinstance(task, ScopedGroupApprovalTask)
    assert list(task.groups.all()) == [reviewers]
