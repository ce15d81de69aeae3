"""Back-office addresses of the funding page, mounted under /admin/funding/ by wagtail_hooks."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.funding_page, name="funding_page"),
    path("export.xlsx", views.funding_export, name="funding_export"),
]
