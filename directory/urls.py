from django.urls import path, re_path

from . import api, health, noticeboard, views

app_name = "directory"

# Codes are matched loosely (\w+) so that a malformed one reaches the view and gets a 404 page
# from our templates rather than falling through to Wagtail's page routing.
urlpatterns = [
    path("directory/", views.directory_index, name="index"),
    re_path(r"^directory/(?P<code>[^/]+)/$", views.place_detail, name="place"),
    re_path(
        r"^directory/(?P<code>[^/]+)/notice-board\.png$",
        noticeboard.notice_board_png,
        name="notice-board-png",
    ),
    re_path(
        r"^directory/(?P<code>[^/]+)/notice-board\.pdf$",
        noticeboard.notice_board_pdf,
        name="notice-board-pdf",
    ),
    path("advisers/<int:adviser_id>/", views.adviser_detail, name="adviser"),
    re_path(r"^api/directory/(?P<code>[^/]+)/?$", api.directory_api, name="api"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
