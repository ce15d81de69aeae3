from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("顾问名录")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Which cached public pages this app's changes touch (see pagecache/).
        from . import pagecache

        pagecache.connect()
