from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class BackofficeConfig(AppConfig):
    """The domain-free platform of the admin: place scope and its registry, scoped viewsets and
    choosers, roles, audit log, exports, account security and second-factor enrolment."""

    name = "backoffice"
    verbose_name = _("后台管理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from places.models import Division

        from . import admin_names, roles, scope, security
        from .models import StaffProfile, staff_profile_scope

        # The platform's part of the scope registry; each app registers its own models.
        scope.register_resolver(staff_profile_scope, order=0)
        scope.register(Division, field="code", rule=scope.division_rule)
        scope.register(StaffProfile, field="scope")

        security.connect_signals()
        # Labels Wagtail derives from field names, in English (admin_names).
        admin_names.label_wagtail_fields()
        # Roles need the permissions of every app, which Django creates app by app in its own
        # post_migrate handlers; the last app's signal comes after all of them.
        post_migrate.connect(roles.ensure_roles_after_migrate, dispatch_uid="backoffice.ensure_roles")
