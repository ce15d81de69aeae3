from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = _("页面缓存")

    def ready(self) -> None:
        from . import signals

        signals.connect()
