"""Page permissions stop at the sites of the user's scope.

The content roles get their page permissions on the whole page tree (backoffice.roles), so
before this an editor or reviewer of 崇左 could save drafts on, unpublish, move or delete
城北's pages (issue 11). Wagtail asks one permission policy for every page decision — the page
tree and explorer, edit, publish, unpublish, move, copy, delete, and which page is the
explorer's root — and every one of them reads the user's grants through
`get_all_permissions_for_user`. This policy rewrites those grants:

- a grant on the whole tree (the root page) becomes the same grant on the home page of each
  site whose area (辖区设置 › 区划代码) overlaps the user's scope (`backoffice.scope`): a scope of
  4514 reaches the 崇左 site, 630105 the 城北 site; a site with a blank area serves everywhere
  and is reached by every scope;
- a grant on a particular page is kept when that page lies inside those sites, or when the
  account has no scope at all (an account set up page by page in Wagtail's group settings);
- a whole-tree grant of an account without a scope reaches nothing (fail closed, like every
  other record of the back office). Superusers keep everything.

Wagtail's moderation task lets any member of a reviewing group open a page that waits for review
whatever their page permissions (`GroupApprovalTask.user_can_access_editor`); `page_in_scope()`
backs the edit view's hook (content/wagtail_hooks.py) so that a 崇左 reviewer cannot open 城北's.
"""

from __future__ import annotations

from wagtail.models import GroupPagePermission, Page, Site
from wagtail.permission_policies.pages import PagePermissionPolicy

from backoffice.scope import Scope, scope_for


def _overlaps(area: list[str], scope: Scope) -> bool:
    if not area:  # a blank area serves everywhere
        return True
    return any(a.startswith(p) or p.startswith(a) for a in area for p in scope.roots)


def site_roots_for(scope: Scope) -> list[Page]:
    """Home pages of the sites whose area overlaps the scope (two queries)."""
    from sites.models import JurisdictionSettings

    if scope.is_empty:
        return []
    areas = {s.site_id: s.area_prefixes for s in JurisdictionSettings.objects.all()}
    roots = []
    for site in Site.objects.select_related("root_page"):
        if _overlaps(areas.get(site.pk, []), scope):
            roots.append(site.root_page)
    return roots


class ScopedPagePermissionPolicy(PagePermissionPolicy):
    """Wagtail's page permission policy with each grant limited to the sites of the user's scope."""

    def get_all_permissions_for_user(self, user):
        grants = super().get_all_permissions_for_user(user)
        if not user.is_active or user.is_anonymous or user.is_superuser:
            return grants
        grants = list(grants)
        if not grants:
            return grants
        scope = scope_for(user)
        if scope.unrestricted:
            return grants
        roots = site_roots_for(scope)
        limited: list[GroupPagePermission] = []
        for grant in grants:
            if grant.page.depth == 1:
                # Same group and permission, granted on each reachable site's home page instead.
                limited += [
                    GroupPagePermission(group_id=grant.group_id, page=root, permission=grant.permission)
                    for root in roots
                ]
            elif scope.is_empty or any(grant.page.path.startswith(root.path) for root in roots):
                limited.append(grant)
        return limited


def reachable_paths(user) -> list[str] | None:
    """Tree paths of the page subtrees the user's scope reaches; None for no limit.

    Superusers and unrestricted scopes are not limited. A scope reaches the home pages of its
    sites. An account without a scope reaches only the pages it was granted one by one (its
    whole-tree grants reach nothing, as in the policy above), so moderation and the edit view's
    hook fail closed for it exactly as the page permissions do.
    """
    if user.is_superuser:
        return None
    scope = scope_for(user)
    if scope.unrestricted:
        return None
    if scope.is_empty:
        grants = ScopedPagePermissionPolicy().get_all_permissions_for_user(user)
        return sorted({grant.page.path for grant in grants})
    return [root.path for root in site_roots_for(scope)]


def page_in_scope(user, page: Page) -> bool:
    """Whether `page` lies in a page subtree the user's scope reaches (`reachable_paths`)."""
    paths = reachable_paths(user)
    if paths is None:
        return True
    return any(page.path.startswith(path) for path in paths)
