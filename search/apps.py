from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    # The label avoids a clash with Wagtail's own `wagtail.search` app label "wagtailsearch".
    name = "search"
    label = "portal_search"
    verbose_name = _("搜索")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import pagecache, signals

        signals.connect()
        pagecache.connect()
