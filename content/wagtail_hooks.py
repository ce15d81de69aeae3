"""The admin for articles' categories and for lectures, and the advisers' "我的讲座" pages.

Articles themselves are pages: editors find them in the page explorer under each site's
普法园地, and Wagtail's moderation workflow reviews them before they go live. Lectures are
programme records bound to a place, so their admin stops at the user's scope like the
back office's other records (backoffice.viewsets).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import ListingButton
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from advisers.choosers import AdviserChooserWidget
from backoffice.viewsets import (
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedModelViewSet,
    ScopedPermissionPolicy,
)

from .admin_views import MyLecturesView, RecordLectureView
from .choosers import LecturePlaceChooserWidget, lecture_place_chooser_viewset
from .models import ArticleCategory, Lecture
from .page_permissions import ScopedPagePermissionPolicy, page_in_scope

# Registered before any view asks for a policy (Wagtail would otherwise create a fallback).
register_permission_policy(Lecture, ScopedPermissionPolicy(Lecture))
# Page permissions stop at the sites of the user's scope (page tree, explorer, edit, publish, move…).
register_permission_policy(Page, ScopedPagePermissionPolicy())


@hooks.register("before_edit_page")
def refuse_pages_of_other_sites(request, page):
    """A page waiting for review opens for every reviewer (Wagtail's group task): not another site's."""
    if not page_in_scope(request.user, page):
        raise PermissionDenied


class ArticleCategoryViewSet(SnippetViewSet):
    model = ArticleCategory
    icon = "folder-open-1"
    menu_label = _("普法分类")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "slug", "sort_order"]
    ordering = ["sort_order", "name"]


register_snippet(ArticleCategoryViewSet)


class LectureIndexView(ScopedIndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.can_be_recorded_by(self.request.user):
            buttons.append(
                ListingButton(
                    _("记录举办情况"),
                    reverse("content_record_lecture", args=[instance.pk]),
                    icon_name="tick",
                    priority=15,
                )
            )
        return buttons


class RecordsOutcome:
    """The lecture's add and edit forms credit a held or cancelled outcome to the user (recorded_by)."""

    def save_instance(self):
        self.form.instance.note_recorder(self.request.user, status_changed="status" in self.form.changed_data)
        return super().save_instance()


class LectureCreateView(RecordsOutcome, ScopedCreateView):
    pass


class LectureEditView(RecordsOutcome, ScopedEditView):
    pass


class LectureViewSet(ScopedModelViewSet):
    model = Lecture
    index_view_class = LectureIndexView
    add_view_class = LectureCreateView
    edit_view_class = LectureEditView
    icon = "date"
    menu_label = _("法制讲座")
    menu_order = 650
    url_prefix = "lectures"
    list_select_related = ("place__parent", "speaker")
    search_fields = ["topic", "venue", "place__name", "place__code", "speaker__name", "guest_speaker"]
    search_backend_name = None
    list_filter = ["status", "category"]
    list_per_page = 30
    ordering = ["-starts_at"]
    list_display = [
        "topic",
        Column("starts_at", label=_("开始时间"), sort_key="starts_at"),
        Column("place", label=_("举办地"), accessor="place_label"),
        Column("speaker", label=_("主讲"), accessor="speaker_name"),
        Column("status", label=_("状态"), accessor="get_status_display", sort_key="status"),
        Column("attendance", label=_("到场人数")),
    ]
    list_export = [
        "topic",
        "starts_at",
        "duration_minutes",
        "place",
        "venue",
        "speaker_name",
        "status",
        "attendance",
    ]
    panels = [
        MultiFieldPanel(
            [FieldPanel("topic"), FieldPanel("category"), FieldPanel("description")], heading=_("讲座")
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("duration_minutes")]),
                FieldPanel("place", widget=LecturePlaceChooserWidget),
                FieldPanel("venue"),
            ],
            heading=_("时间和地点"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("speaker", widget=AdviserChooserWidget),
                FieldPanel("guest_speaker"),
                FieldPanel("audience"),
                FieldPanel("registration_note"),
            ],
            heading=_("主讲与报名"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("status"),
                FieldPanel("cancellation_reason"),
                FieldPanel("attendance"),
                FieldPanel("summary"),
                InlinePanel("photos", label=_("现场照片"), max_num=12),
            ],
            heading=_("举办情况"),
        ),
    ]


@hooks.register("register_admin_viewset")
def register_lecture_viewsets():
    return [LectureViewSet("lecture_admin"), lecture_place_chooser_viewset]


@hooks.register("register_admin_urls")
def lecture_admin_urls():
    return [
        path("my-lectures/", MyLecturesView.as_view(), name="content_my_lectures"),
        path("my-lectures/<int:pk>/record/", RecordLectureView.as_view(), name="content_record_lecture"),
    ]


class MyLecturesMenuItem(MenuItem):
    """Only advisers with an account give lectures of their own."""

    def is_shown(self, request) -> bool:
        return hasattr(request.user, "adviser")


@hooks.register("register_admin_menu_item")
def my_lectures_menu_item():
    return MyLecturesMenuItem(_("我的讲座"), reverse("content_my_lectures"), icon_name="date", order=225)
