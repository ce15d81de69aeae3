from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisersConfig(AppConfig):
    """The programme: firms, advisers, contracts and their rules, the coverage dashboard, bulk
    import and the choosers; built on the back-office platform (scope, roles, viewsets)."""

    name = "advisers"
    verbose_name = _("法律顾问")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Which cached public pages this app's changes touch (see pagecache/).
        from backoffice import roles

        from . import pagecache, protection, scope_rules

        pagecache.connect()
        scope_rules.register()
        # Records with history are ended or deactivated, never deleted.
        protection.connect()

        managed = ["firm", "adviser", "servicecontract", "liaisonofficer", "serviceroom", "recusal"]
        crud = roles.crud
        for bureau in (roles.CITY_BUREAU, roles.COUNTY_BUREAU):
            roles.grant(bureau, *crud("advisers", managed), *crud("advisers", ["onsiteschedule"]))
        # Only the city creates a county's settings record; a county edits its own.
        roles.grant(roles.CITY_BUREAU, *crud("advisers", ["countybureau"], ("add", "change", "view")))
        roles.grant(roles.COUNTY_BUREAU, *crud("advisers", ["countybureau"], ("change", "view")))
        roles.grant(
            roles.TOWNSHIP_OFFICE,
            *crud("advisers", ["liaisonofficer", "serviceroom"]),
            *crud("advisers", ["firm", "adviser", "servicecontract", "recusal", "onsiteschedule"], ("view",)),
        )
        # A committee registers its new liaison officer or its room itself; only in its village.
        roles.grant(
            roles.VILLAGE_COMMITTEE,
            *crud("advisers", ["liaisonofficer", "serviceroom"], ("add", "change", "view")),
            *crud("advisers", ["adviser", "servicecontract", "recusal", "onsiteschedule"], ("view",)),
        )
        roles.grant(roles.ADVISER, *crud("advisers", [*managed, "onsiteschedule"], ("view",)))
