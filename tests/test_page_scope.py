"""Content roles scoped to 崇左 act on 崇左's pages only (issue 11).

`editor` and `reviewer` hold their page permissions on the whole tree (backoffice.roles); with a
scope of 4514 they reach the 崇左 site's pages and none of 城北's: no draft saved, no unpublish,
no move, copy or delete, and the explorer starts at 崇左's home page.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from wagtail.models import Page, Site

from backoffice import roles
from content.models import HomePage
from sites.models import JurisdictionSettings
from tests.backoffice.conftest import make_staff
from tests.content_helpers import articles_index, make_article


@pytest.fixture
def two_sites(divisions):
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
    ours = make_article(articles_index(), title="崇左的文章", slug="ours")
    theirs = make_article(articles_index(home), title="城北的文章", slug="theirs")
    yield {"ours": ours, "theirs": theirs, "chengbei_home": home, "home": default.root_page}
    cache.clear()


@pytest.fixture
def reviewer(two_sites):
    return make_staff("reviewer", roles.CONTENT_REVIEWER, "4514")


@pytest.fixture
def editor(two_sites):
    return make_staff("editor", roles.CONTENT_EDITOR, "4514")


def refused(response) -> bool:
    """Wagtail answers a page action it refuses with 403, or a redirect to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"].rstrip("/").endswith("/admin")
    )


def test_permissions_follow_the_site_of_the_scope(reviewer, two_sites):
    ours = two_sites["ours"].permissions_for_user(reviewer)
    theirs = two_sites["theirs"].permissions_for_user(reviewer)
    assert ours.can_edit() and ours.can_publish() and ours.can_unpublish()
    assert not any(
        (
            theirs.can_edit(),
            theirs.can_publish(),
            theirs.can_unpublish(),
            theirs.can_delete(),
            theirs.can_copy(),
            theirs.can_move(),
            theirs.can_add_subpage(),
        )
    )


@pytest.mark.parametrize(
    "view",
    [
        "wagtailadmin_pages:edit",
        "wagtailadmin_pages:unpublish",
        "wagtailadmin_pages:delete",
        "wagtailadmin_pages:move",
        "wagtailadmin_pages:copy",
        "wagtailadmin_pages:history",
    ],
)
def test_other_sites_pages_are_refused_in_the_admin(client, reviewer, two_sites, view):
    client.force_login(reviewer)
    theirs = two_sites["theirs"]
    assert refused(client.get(reverse(view, args=[theirs.pk])))


def test_saving_a_draft_or_unpublishing_another_sites_page_changes_nothing(
    client, editor, reviewer, two_sites
):
    theirs = two_sites["theirs"]
    client.force_login(editor)
    response = client.post(reverse("wagtailadmin_pages:edit", args=[theirs.pk]), {"title": "改掉"})
    assert refused(response)
    client.force_login(reviewer)
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[theirs.pk]))
    assert refused(response)
    theirs.refresh_from_db()
    assert theirs.live and theirs.title == "城北的文章" and not theirs.has_unpublished_changes


def test_own_site_pages_stay_editable(client, editor, two_sites):
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_pages:edit", args=[two_sites["ours"].pk])).status_code == 200


def test_the_explorer_starts_at_the_sites_home_and_hides_the_other(client, reviewer, two_sites):
    client.force_login(reviewer)
    policy_root = Page.objects.get(pk=two_sites["home"].pk)
    from wagtail.permissions import policy_registry

    assert policy_registry.get_by_type(Page).explorable_root_instance(reviewer) == policy_root
    # Wagtail sends a user away from a part of the tree they cannot explore, to their own root.
    response = client.get(reverse("wagtailadmin_explore", args=[two_sites["chengbei_home"].pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_explore", args=[two_sites["home"].pk])
    listing = client.get(reverse("wagtailadmin_explore", args=[two_sites["home"].pk]))
    assert listing.status_code == 200 and "城北区首页" not in listing.content.decode()


def test_an_account_without_scope_gets_no_whole_tree_grant(two_sites):
    user = make_staff("no_scope_editor", roles.CONTENT_EDITOR)
    assert not two_sites["ours"].permissions_for_user(user).can_edit()


def test_a_reviewer_cannot_open_another_sites_page_waiting_for_review(client, reviewer, two_sites):
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

    theirs = two_sites["theirs"]
    task = GroupApprovalTask.objects.create(name="审核")
    task.groups.add(*reviewer.groups.all())
    workflow = Workflow.objects.create(name="发布前审核")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(page=two_sites["chengbei_home"], workflow=workflow)
    theirs.save_revision()
    workflow.start(theirs, make_staff("chengbei_editor", roles.CONTENT_EDITOR, "630105"))
    # Wagtail's own task would let the group in (a new one is made scoped, content/moderation.py;
    # the page permissions refuse it on their own as well).
    assert GroupApprovalTask.user_can_access_editor(task, theirs, reviewer)
    client.force_login(reviewer)
    assert refused(client.get(reverse("wagtailadmin_pages:edit", args=[theirs.pk])))
