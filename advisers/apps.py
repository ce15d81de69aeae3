from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisersConfig(AppConfig):
    name = "advisers"
    verbose_name = _("法律顾问")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Which cached public pages this app's changes touch (see pagecache/).
        from . import pagecache, protection

        pagecache.connect()
        # Records with history are ended or deactivated, never deleted.
        protection.connect()
