from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "workflows.assessment"
    label = "assessment"
    verbose_name = _("年度考评")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The flow registers itself with the engine when imported; roles and scope as each app does.
        from . import flow, pagecache, roles  # noqa: F401 -- imported for their side effects

        roles.grant_permissions()
        roles.register_scope()
        pagecache.connect()
        register_adviser_section()


def adviser_grade(adviser):
    """The public adviser page's section: the last published grade (one query)."""
    from .reports import last_published

    assessment = last_published(adviser.pk)
    return {"template": "assessment/adviser_section.html", "assessment": assessment} if assessment else None


def register_adviser_section() -> None:
    from directory.extensions import register_adviser_section as register

    register(adviser_grade)
