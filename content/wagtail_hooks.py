"""The admin for articles' categories and for lectures, and the advisers' "我的讲座" pages.

Articles themselves are pages: editors find them in the page explorer under each site's
普法园地, and Wagtail's moderation workflow reviews them before they go live.
"""

from __future__ import annotations

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .admin_views import MyLecturesView, RecordLectureView
from .models import ArticleCategory, Lecture


class ArticleCategoryViewSet(SnippetViewSet):
    model = ArticleCategory
    icon = "folder-open-1"
    menu_label = _("普法分类")
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "slug", "sort_order"]
    ordering = ["sort_order", "name"]


class LectureViewSet(SnippetViewSet):
    model = Lecture
    icon = "date"
    menu_label = _("法制讲座")
    menu_order = 220
    add_to_admin_menu = True
    list_display = [
        "topic",
        Column("starts_at", label=_("开始时间"), sort_key="starts_at"),
        Column("place", label=_("举办地")),
        Column("speaker_name", label=_("主讲")),
        Column("status", label=_("状态"), accessor="get_status_display"),
        Column("attendance", label=_("到场人数")),
    ]
    list_filter = ["status"]
    ordering = ["-starts_at"]
    search_fields = ["topic", "description"]

    def get_queryset(self, request):
        return Lecture.objects.select_related("place", "speaker")


register_snippet(ArticleCategoryViewSet)
register_snippet(LectureViewSet)


@hooks.register("register_admin_urls")
def lecture_admin_urls():
    return [
        path("lectures/mine/", MyLecturesView.as_view(), name="content_my_lectures"),
        path("lectures/<int:pk>/record/", RecordLectureView.as_view(), name="content_record_lecture"),
    ]


class MyLecturesMenuItem(MenuItem):
    """Only advisers with an account give lectures of their own."""

    def is_shown(self, request) -> bool:
        return hasattr(request.user, "adviser")


@hooks.register("register_admin_menu_item")
def my_lectures_menu_item():
    return MyLecturesMenuItem(_("我的讲座"), reverse("content_my_lectures"), icon_name="date", order=225)


@hooks.register("register_snippet_listing_buttons")
def record_lecture_button(snippet, user, next_url=None):
    from wagtail.admin.widgets import ListingButton

    if isinstance(snippet, Lecture) and snippet.can_be_recorded_by(user):
        yield ListingButton(
            _("记录举办情况"),
            reverse("content_record_lecture", args=[snippet.pk]),
            priority=15,
            icon_name="tick",
        )
