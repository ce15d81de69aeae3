"""Back-office addresses of the workflows, mounted under /admin/workflows/ by wagtail_hooks."""

from django.urls import path

from .views import fee_filing, processes, tasks
from .views.base import forbid_as_403

urlpatterns = [
    path("", tasks.InboxView.as_view(), name="workflows_inbox"),
    path("processes/", processes.ProcessListView.as_view(), name="workflows_processes"),
    path("processes/<int:process_pk>/", processes.ProcessView.as_view(), name="workflows_process"),
    path(
        "processes/<int:process_pk>/files/<int:attachment_pk>/",
        forbid_as_403(processes.attachment),
        name="workflows_attachment",
    ),
    path("tasks/<int:task_pk>/", tasks.TaskView.as_view(), name="workflows_task"),
    path("tasks/<int:task_pk>/claim/", tasks.ClaimView.as_view(), name="workflows_task_claim"),
    path("tasks/<int:task_pk>/release/", tasks.ReleaseView.as_view(), name="workflows_task_release"),
    path("tasks/<int:task_pk>/take-over/", tasks.TakeOverView.as_view(), name="workflows_task_take_over"),
    path("fee-filings/new/", forbid_as_403(fee_filing.new_fee_filing), name="workflows_fee_filing_new"),
]
