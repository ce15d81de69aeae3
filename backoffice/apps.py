from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """Roles, place scope, account security, bulk import and the coverage dashboard of the admin."""

    name = "backoffice"
    verbose_name = _("后台管理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import roles, security

        security.connect_signals()
        # Roles need the permissions of every app, which Django creates app by app in its own
        # post_migrate handlers; the last app's signal comes after all of them.
        post_migrate.connect(roles.ensure_roles_after_migrate, dispatch_uid="backoffice.ensure_roles")
