"""Back-office addresses of the work ledger, mounted under /admin/ledger/ by wagtail_hooks."""

from django.urls import path

from backoffice.idempotency import one_time_submission

from .views import compliance, entries, trainings

urlpatterns = [
    path("", entries.EntryListView.as_view(), name="ledger_index"),
    # A form that creates a record creates it once, however often it is posted.
    path("new/", one_time_submission("ledger.entry")(entries.EntryFormView.as_view()), name="ledger_add"),
    path("confirm/", entries.ConfirmListView.as_view(), name="ledger_confirm_list"),
    path("<int:pk>/", entries.EntryDetailView.as_view(), name="ledger_entry"),
    path("<int:pk>/edit/", entries.EntryFormView.as_view(), name="ledger_edit"),
    path("<int:pk>/delete/", entries.EntryDeleteView.as_view(), name="ledger_delete"),
    path("<int:pk>/confirm/", entries.confirm_entry, name="ledger_confirm"),
    path("<int:pk>/files/<int:attachment_pk>/", entries.attachment, name="ledger_attachment"),
    path("compliance/", compliance.ComplianceView.as_view(), name="ledger_compliance"),
    path("compliance/export.<str:fmt>", compliance.compliance_export, name="ledger_compliance_export"),
    path("trainings/", trainings.TrainingListView.as_view(), name="ledger_trainings"),
    path(
        "trainings/new/",
        one_time_submission("ledger.training")(trainings.TrainingFormView.as_view()),
        name="ledger_training_add",
    ),
    path("trainings/<int:pk>/edit/", trainings.TrainingFormView.as_view(), name="ledger_training_edit"),
    path("trainings/<int:pk>/delete/", trainings.TrainingDeleteView.as_view(), name="ledger_training_delete"),
]
