"""The back office in the Wagtail admin: the programme menu, dashboard, import, second factor,
staff scopes and the scoped audit log."""

from __future__ import annotations

from django import forms
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button

from advisers.models import (
    Adviser,
    CountyBureau,
    Firm,
    LiaisonOfficer,
    OnSiteSchedule,
    Recusal,
    ServiceContract,
    ServiceRoom,
)
from places.models import Division

from . import enrolment as enrolment_codes
from .models import ProgrammeLogEntry, StaffProfile
from .scope import scope_for
from .views import coverage, enrolment, imports, my_profile, two_factor
from .viewsets import ScopedModelViewSet

PROGRAMME_MENU_HOOK = "register_programme_menu_item"


@hooks.register("register_admin_urls")
def register_backoffice_urls():
    return [
        path("2fa/", two_factor.two_factor, name="backoffice_two_factor"),
        path("enrolment-codes/<int:user_id>/", enrolment.issue_enrolment, name="backoffice_issue_enrolment"),
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


@hooks.register("register_admin_menu_item")
def register_programme_menu():
    return SubmenuMenuItem(
        _("顾问工作"),
        Menu(register_hook_name=PROGRAMME_MENU_HOOK),
        name="programme",
        icon_name="group",
        order=150,
    )


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


class StaffProfileViewSet(ScopedModelViewSet):
    """Which place each staff account answers for; only superusers hold these permissions."""

    model = StaffProfile
    icon = "user"
    menu_label = _("工作人员范围")
    menu_order = 950
    list_select_related = ("user", "scope")
    search_fields = ["user__username", "user__first_name", "user__last_name", "organisation", "scope__name"]
    search_backend_name = None
    list_display = [
        "user",
        Column(
            "scope",
            label=_("管辖范围"),
            accessor=lambda p: f"{p.scope.name}（{p.scope_id}）" if p.scope else "—",
        ),
        Column("organisation", label=_("单位")),
        Column("groups", label=_("角色"), accessor=lambda p: "、".join(g.name for g in p.user.groups.all())),
    ]
    list_prefetch_related = ("user__groups",)
    panels = [
        FieldPanel("user"),
        # A code box, not a select: the division table may hold 620,573 villages.
        FieldPanel("scope", widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "451402"})),
        FieldPanel("organisation"),
        FieldPanel("phone"),
    ]


@hooks.register("register_admin_viewset")
def register_staff_viewset():
    return StaffProfileViewSet("staff_profiles")


@hooks.register("register_log_actions")
def register_programme_log_model(actions):
    """Programme records log into ProgrammeLogEntry, whose site-history listing respects scope."""
    for model in (
        Firm,
        Adviser,
        ServiceContract,
        OnSiteSchedule,
        LiaisonOfficer,
        ServiceRoom,
        Recusal,
        CountyBureau,
        Division,
        StaffProfile,
    ):
        actions.register_model(model, ProgrammeLogEntry)


@hooks.register("register_log_actions")
def register_enrolment_log_actions(actions):
    """Issue and use of second-factor enrolment codes, and resets, in the account's audit log."""
    for action, (label, message) in enrolment_codes.LOG_ACTIONS.items():
        actions.register_action(action, label, message)


@hooks.register("register_user_listing_buttons")
def enrolment_code_button(user, request_user):
    """Superusers issue an account's enrolment code (or reset its authenticator) from the user list."""
    if request_user.is_superuser:
        yield Button(
            _("签发验证器绑定码"),
            reverse("backoffice_issue_enrolment", args=[user.pk]),
            icon_name="key",
            priority=50,
        )


@hooks.register("insert_global_admin_css")
def backoffice_css():
    return format_html('<link rel="stylesheet" href="{}">', static("backoffice/admin.css"))


@hooks.register("construct_homepage_panels")
def add_coverage_panel(request, panels):
    scope = scope_for(request.user)
    if scope.is_adviser:
        panels.insert(0, coverage.AdviserPanel(request, scope.adviser_id))
    elif coverage.can_see_dashboard(request.user):
        panels.insert(0, coverage.CoveragePanel(request))
    elif village := coverage.village_of(request.user):
        panels.insert(0, coverage.VillagePanel(request, village))
