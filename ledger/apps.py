from django.apps import AppConfig
from django.db.models.signals import post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "ledger"
    verbose_name = _("工作台账")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from backoffice import roles
        from backoffice import scope as back_office_scope
        from content.models import Lecture

        from . import access, lectures
        from .models import LedgerEntry, Training

        entries = ["add", "change", "delete", "view"]
        roles.grant(roles.ADVISER, *(f"ledger.{a}_ledgerentry" for a in entries), "ledger.view_training")
        roles.grant(roles.VILLAGE_COMMITTEE, "ledger.view_ledgerentry", "ledger.confirm_ledgerentry")
        roles.grant(roles.TOWNSHIP_OFFICE, "ledger.view_ledgerentry", "ledger.view_training")
        for bureau in (roles.COUNTY_BUREAU, roles.CITY_BUREAU):
            roles.grant(bureau, "ledger.view_ledgerentry", *(f"ledger.{a}_training" for a in entries))

        # Where ledger records belong, for the back office's scoped querysets and audit log.
        back_office_scope.register(LedgerEntry, field="village", rule=access.entry_rule)
        back_office_scope.register(Training, field="organiser", rule=access.training_rule)

        # A recorded lecture creates (or updates, or removes) its ledger entry.
        post_save.connect(lectures.on_lecture_saved, sender=Lecture, dispatch_uid="ledger.lecture_saved")
        pre_delete.connect(lectures.on_lecture_deleted, sender=Lecture, dispatch_uid="ledger.lecture_deleted")
