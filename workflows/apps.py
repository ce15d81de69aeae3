from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    """The engine. Flows are their own apps (workflows.fee_filing, ...) and register themselves
    with the engine when their flow module is imported (their AppConfig's ready())."""

    name = "workflows"
    verbose_name = _("审批流程")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import roles

        roles.grant_permissions()
        roles.register_scope()
        post_migrate.connect(roles.ensure_head_role_after_migrate, dispatch_uid="workflows.ensure_head_role")
