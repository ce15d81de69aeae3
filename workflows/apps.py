from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("审批流程")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Flows register themselves with the engine (and their node permissions) when imported.
        from . import flows, roles  # noqa: F401 -- imported for their side effects

        roles.grant_permissions()
        roles.register_scope()
        post_migrate.connect(roles.ensure_head_role_after_migrate, dispatch_uid="workflows.ensure_head_role")
