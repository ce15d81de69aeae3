from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "sites"
    label = "sites"
    verbose_name = _("网站与辖区")
    default_auto_field = "django.db.models.BigAutoField"
