"""The platform in the Wagtail admin: the programme menu other apps fill, second factor,
enrolment codes, staff scopes, the scoped audit log and the division permission policy.

Programme features (coverage dashboard, imports, my-profile, villages, choosers) are the
advisers app's, registered from advisers.wagtail_hooks."""

from __future__ import annotations

from django import forms
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button
from wagtail.permissions import register_permission_policy

from places.models import Division

from . import enrolment as enrolment_codes
from .models import ProgrammeLogEntry, StaffProfile
from .views import enrolment, two_factor
from .viewsets import ScopedModelViewSet, ScopedPermissionPolicy

# Divisions are read through the scope everywhere in the admin (listings, inspect, choosers).
register_permission_policy(Division, ScopedPermissionPolicy(Division))

PROGRAMME_MENU_HOOK = "register_programme_menu_item"


@hooks.register("register_admin_urls")
def register_backoffice_urls():
    return [
        path("2fa/", two_factor.two_factor, name="backoffice_two_factor"),
        path("enrolment-codes/<int:user_id>/", enrolment.issue_enrolment, name="backoffice_issue_enrolment"),
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
    """Place-bound records log into ProgrammeLogEntry, whose site-history listing respects scope
    (each app registers its own models the same way)."""
    for model in (Division, StaffProfile):
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
