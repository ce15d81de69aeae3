"""Back-office addresses of the assessment, mounted under /admin/workflows/ by the engine
(`AssessmentFlow.get_urls`)."""

from django.urls import path

from backoffice.adminpages import forbid_as_403

from .views import campaigns

urlpatterns = [
    path("assessment/", campaigns.CampaignListView.as_view(), name="assessment_campaigns"),
    path("assessment/launch/", campaigns.LaunchView.as_view(), name="assessment_launch"),
    path("assessment/report/", campaigns.ReportView.as_view(), name="assessment_report"),
    path("assessment/tables/", campaigns.TablesView.as_view(), name="assessment_tables"),
    path("assessment/tables/<int:pk>/", campaigns.TableEditView.as_view(), name="assessment_table"),
    path("assessment/<int:pk>/", campaigns.CampaignView.as_view(), name="assessment_campaign"),
    path("assessment/<int:pk>/close/", campaigns.CloseView.as_view(), name="assessment_close"),
    path("assessment/<int:pk>/publish/", campaigns.PublishView.as_view(), name="assessment_publish"),
    path("assessment/<int:pk>/export.xlsx", forbid_as_403(campaigns.export), name="assessment_export"),
    path(
        "assessment/processes/<int:process_pk>/objection/",
        campaigns.ObjectionView.as_view(),
        name="assessment_objection",
    ),
    path("assessment/objections/<int:pk>/answer/", campaigns.AnswerView.as_view(), name="assessment_answer"),
    path(
        "assessment/processes/<int:process_pk>/evidence/<int:file_pk>/",
        forbid_as_403(campaigns.evidence),
        name="assessment_evidence",
    ),
]
