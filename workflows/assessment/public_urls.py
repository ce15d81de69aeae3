"""The public address of published results (公示), included by the project's URLconf."""

from django.urls import re_path

from .views import public

# Codes and years are matched loosely so a malformed one reaches the view and gets our 404 page.
urlpatterns = [
    re_path(
        r"^directory/(?P<code>[^/]+)/assessment/(?P<year>[^/]+)/$",
        public.published_results,
        name="assessment_public",
    ),
]
