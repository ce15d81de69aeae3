"""The programme's pages in the admin: coverage dashboard, bulk import, an adviser's own profile,
the home-page panels, and the advisers' records in the scoped audit log.

Imported by advisers.wagtail_hooks (Wagtail loads only that module): the hooks register here.
Their addresses and URL names are the ones they had under the back office (/admin/coverage/,
/admin/import/, /admin/my-profile/; `backoffice_coverage`, …), so no link changes.
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from backoffice.models import ProgrammeLogEntry
from backoffice.scope import scope_for
from backoffice.wagtail_hooks import PROGRAMME_MENU_HOOK

from . import village_admin  # noqa: F401 -- registers the villages viewset and the choosers
from .models import (
    Adviser,
    CountyBureau,
    Firm,
    LiaisonOfficer,
    OnSiteSchedule,
    Recusal,
    ServiceContract,
    ServiceRoom,
)
from .views import coverage, imports, my_profile


@hooks.register("register_admin_urls")
def register_programme_urls():
    return [
        path("my-profile/", my_profile.my_profile, name="backoffice_my_profile"),
        path("coverage/", coverage.coverage, name="backoffice_coverage"),
        path("coverage/export.<str:fmt>", coverage.coverage_export, name="backoffice_coverage_export"),
        path("import/", imports.import_index, name="backoffice_import"),
        path("import/<int:pk>/", imports.import_preview, name="backoffice_import_preview"),
        path("import/<int:pk>/commit/", imports.import_commit, name="backoffice_import_commit"),
        path("import/<int:pk>/abandon/", imports.import_abandon, name="backoffice_import_abandon"),
        path(
            "import/template/<str:kind>.<str:fmt>",
            imports.import_template,
            name="backoffice_import_template",
        ),
    ]


class CoverageMenuItem(MenuItem):
    def is_shown(self, request):
        return coverage.can_see_dashboard(request.user)


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return imports.can_use_imports(request.user)


class MyProfileMenuItem(MenuItem):
    def is_shown(self, request):
        return scope_for(request.user).is_adviser


@hooks.register(PROGRAMME_MENU_HOOK)
def register_my_profile_menu_item():
    return MyProfileMenuItem(
        _("我的公开信息"), reverse("backoffice_my_profile"), name="my-profile", icon_name="user", order=5
    )


@hooks.register(PROGRAMME_MENU_HOOK)
def register_coverage_menu_item():
    return CoverageMenuItem(
        _("覆盖情况"), reverse("backoffice_coverage"), name="coverage", icon_name="view", order=10
    )


@hooks.register(PROGRAMME_MENU_HOOK)
def register_import_menu_item():
    return ImportMenuItem(
        _("批量导入"), reverse("backoffice_import"), name="import", icon_name="upload", order=900
    )


@hooks.register("register_log_actions")
def register_programme_log_models(actions):
    """The programme's records log into the platform's scoped ProgrammeLogEntry."""
    for model in (
        Firm,
        Adviser,
        ServiceContract,
        OnSiteSchedule,
        LiaisonOfficer,
        ServiceRoom,
        Recusal,
        CountyBureau,
    ):
        actions.register_model(model, ProgrammeLogEntry)


@hooks.register("construct_homepage_panels")
def add_coverage_panel(request, panels):
    scope = scope_for(request.user)
    if scope.is_adviser:
        panels.insert(0, coverage.AdviserPanel(request, scope.adviser_id))
    elif coverage.can_see_dashboard(request.user):
        panels.insert(0, coverage.CoveragePanel(request))
    elif village := coverage.village_of(request.user):
        panels.insert(0, coverage.VillagePanel(request, village))
