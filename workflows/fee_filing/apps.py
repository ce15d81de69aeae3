from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeeFilingConfig(AppConfig):
    """收费/减免备案 as its own app: its models, migrations, permissions and templates.

    The label is `fee_filing`; the tables keep their `workflows_` names (the models moved here
    from the engine app with a state-only migration).
    """

    name = "workflows.fee_filing"
    label = "fee_filing"
    verbose_name = _("收费/减免备案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backoffice import roles
        from ledger import sources
        from workflows import roles as workflow_roles

        from . import flow  # noqa: F401 -- registers the flow with the engine
        from .services import ledger_source

        # An approved or referred filing's ledger entry is locked and links back to the filing.
        sources.register("fee_filing", ledger_source)

        roles.grant(roles.COUNTY_BUREAU, "fee_filing.view_feefiling", flow.REVIEW)
        for role in (roles.CITY_BUREAU, roles.TOWNSHIP_OFFICE, roles.VILLAGE_COMMITTEE):
            roles.grant(role, "fee_filing.view_feefiling")
        roles.grant(roles.ADVISER, "fee_filing.view_feefiling", flow.ADD)
        workflow_roles.grant_head("fee_filing.view_feefiling", flow.REVIEW, "fee_filing.manage_feefiling")
