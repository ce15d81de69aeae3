from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "places"
    verbose_name = _("行政区划")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Which cached public pages this app's changes touch (see pagecache/).
        from . import pagecache

        pagecache.connect()
