from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalConfig(AppConfig):
    """续聘 as its own flow package on the engine (workflows/README.md)."""

    name = "workflows.renewal"
    label = "renewal"
    verbose_name = _("续聘")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import flow, roles  # noqa: F401 -- the flow registers itself with the engine

        roles.grant_permissions()
