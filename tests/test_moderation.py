"""Review before publishing, through Wagtail's own moderation workflow and admin views.

An editor writes and submits; a reviewer approves (the article goes live) or requests changes (the
editor sees why); an approved article with a future go-live time is published by
`manage.py publish_scheduled` at that time. The groups and workflow are built here so the test
does not depend on the demo accounts.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from content.models import ArticlePage
from tests.content_helpers import articles_index, category

REASON = "请补充《民法典》条文的出处，并把案例中的真实姓名改为化名。"


def _group(name: str, page, page_permissions: list[str]) -> Group:
    group = Group.objects.create(name=name)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in page_permissions:
        GroupPagePermission.objects.create(
            group=group,
            page=page,
            permission=Permission.objects.get(content_type__app_label="wagtailcore", codename=codename),
        )
    return group


@pytest.fixture
def newsroom(db):
    index = articles_index()
    home = index.get_parent()
    editors = _group("测试内容编辑", home, ["add_page", "change_page"])
    reviewers = _group("测试内容审核", home, ["add_page", "change_page", "publish_page"])
    task = GroupApprovalTask.objects.create(name="普法文章审核")
    task.groups.add(reviewers)
    workflow = Workflow.objects.create(name="普法文章发布前审核")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(page=index, workflow=workflow)
    editor = User.objects.create_user("editor-t", email="editor@example.org", password="x-Pass-12345")
    editor.groups.add(editors)
    reviewer = User.objects.create_user("reviewer-t", email="reviewer@example.org", password="x-Pass-12345")
    reviewer.groups.add(reviewers)
    return {"index": index, "editor": editor, "reviewer": reviewer}


def article_form(**overrides) -> dict:
    values = {
        "title": "借钱给亲戚朋友，借条怎么写才管用？",
        "slug": "jietiao",
        "date": timezone.localdate().isoformat(),
        "category": str(category("contract-disputes").pk),
        "tags": "借条",
        "intro": "一张写清楚的借条，能省掉以后很多麻烦。",
        "cover_image": "",
        "cover_alt": "",
        "place": "",
        "body": streamfield([("paragraph", rich_text("<p>借款合同应当采用书面形式。</p>"))]),
        "related_links": inline_formset([]),
        "comments": inline_formset([]),
        "go_live_at": "",
        "expire_at": "",
    }
    values.update(overrides)
    return nested_form_data(values)


def submit_new_article(client, newsroom, **overrides) -> ArticlePage:
    client.force_login(newsroom["editor"])
    url = reverse("wagtailadmin_pages:add", args=["content", "articlepage", newsroom["index"].pk])
    response = client.post(url, {**article_form(**overrides), "action-submit": "submit"})
    assert response.status_code == 302, response.content.decode()[:3000]
    return ArticlePage.objects.get(slug=overrides.get("slug", "jietiao"))


def act(client, reviewer, page: ArticlePage, action: str, comment: str = "") -> None:
    client.force_login(reviewer)
    state = page.current_workflow_task_state
    assert state is not None, "the article is not waiting for review"
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])
    response = client.post(url, {"comment": comment})
    assert response.status_code == 302


def test_editor_submits_and_reviewer_approves(client, newsroom):
    page = submit_new_article(client, newsroom)
    assert not page.live
    assert page.workflow_in_progress
    assert client.get("/articles/jietiao/").status_code == 404
    # The reviewer finds it in their dashboard's list of pages awaiting review.
    client.force_login(newsroom["reviewer"])
    assert "借钱给亲戚朋友" in client.get(reverse("wagtailadmin_home")).content.decode()

    act(client, newsroom["reviewer"], page, "approve")
    page.refresh_from_db()
    assert page.live and not page.has_unpublished_changes
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_APPROVED
    client.logout()
    response = client.get("/articles/jietiao/")
    assert response.status_code == 200 and "借款合同应当采用书面形式" in response.content.decode()
    assert "借钱给亲戚朋友" in client.get("/articles/").content.decode()


def test_reviewer_requests_changes_and_editor_sees_why(client, newsroom):
    page = submit_new_article(client, newsroom)
    mail.outbox.clear()
    act(client, newsroom["reviewer"], page, "reject", REASON)
    page.refresh_from_db()
    assert not page.live
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES

    client.force_login(newsroom["editor"])
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert REASON in edit, "the edit view shows the reviewer's comment"
    history = client.get(reverse("wagtailadmin_pages:workflow_history_detail", args=[page.pk, state.pk]))
    assert REASON in history.content.decode()
    assert any(REASON in message.body for message in mail.outbox if "editor@example.org" in message.to)

    # The editor fixes it and resubmits; the reviewer approves this time.
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {**article_form(intro="写借条的五个要点。"), "action-submit": "submit"},
    )
    assert response.status_code == 302
    page.refresh_from_db()
    act(client, newsroom["reviewer"], page, "approve")
    page.refresh_from_db()
    assert page.live and page.intro == "写借条的五个要点。"


def test_editor_cannot_publish_without_review(client, newsroom):
    client.force_login(newsroom["editor"])
    url = reverse("wagtailadmin_pages:add", args=["content", "articlepage", newsroom["index"].pk])
    client.post(url, {**article_form(slug="direct"), "action-publish": "publish"})
    page = ArticlePage.objects.get(slug="direct")
    assert not page.live


def test_scheduled_publishing_after_approval(client, newsroom):
    go_live = timezone.localtime(timezone.now() + dt.timedelta(days=2)).replace(second=0, microsecond=0)
    page = submit_new_article(client, newsroom, slug="later", go_live_at=go_live.strftime("%Y-%m-%d %H:%M"))
    act(client, newsroom["reviewer"], page, "approve")
    page.refresh_from_db()
    assert not page.live
    assert page.get_latest_revision().approved_go_live_at == go_live
    call_command("publish_scheduled")
    page.refresh_from_db()
    assert not page.live, "published before its time"
    with time_machine.travel(go_live + dt.timedelta(minutes=1)):
        call_command("publish_scheduled")
    page.refresh_from_db()
    assert page.live
    client.logout()
    assert client.get("/articles/later/").status_code == 200
