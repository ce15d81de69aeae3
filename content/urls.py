from django.urls import path

from . import views

# `/lectures/` and `/lectures/calendar.ics` are printed on notice boards: keep them stable.
lecture_patterns = (
    [
        path("", views.lecture_list, name="list"),
        path("calendar.ics", views.calendar_feed, name="calendar"),
        path("<int:pk>/", views.lecture_detail, name="detail"),
        path("<int:pk>/calendar.ics", views.lecture_ics, name="ics"),
    ],
    "lectures",
)

site_patterns = ([path("my-village/", views.choose_village, name="my-village")], "content")
