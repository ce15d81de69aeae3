from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "funding"
    verbose_name = _("经费保障")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import assessments, roles

        roles.grant_permissions()
        roles.register_scope()
        # The renewal's checks learn the assessment's grade through this adapter (see assessments.py).
        assessments.connect()
