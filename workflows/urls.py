"""Back-office addresses of the workflows, mounted under /admin/workflows/ by wagtail_hooks.

Each registered flow gets its start page (/admin/workflows/<slug>/new/, one generic route) and
its own extra pages (`ScopedFlow.get_urls()`); nothing here names a flow.
"""

from django.urls import path

from backoffice.idempotency import one_time_submission

from . import engine
from .views import processes, start, tasks

urlpatterns = [
    path("", tasks.InboxView.as_view(), name="workflows_inbox"),
    path("processes/", processes.ProcessListView.as_view(), name="workflows_processes"),
    path("processes/<int:process_pk>/", processes.ProcessView.as_view(), name="workflows_process"),
    # A decision or a filing posted twice (double click, resend, two tabs) is made once.
    path(
        "tasks/<int:task_pk>/",
        one_time_submission("workflows.task")(tasks.TaskView.as_view()),
        name="workflows_task",
    ),
    path("tasks/<int:task_pk>/claim/", tasks.ClaimView.as_view(), name="workflows_task_claim"),
    path("tasks/<int:task_pk>/release/", tasks.ReleaseView.as_view(), name="workflows_task_release"),
    path("tasks/<int:task_pk>/take-over/", tasks.TakeOverView.as_view(), name="workflows_task_take_over"),
    path(
        "<slug:slug>/new/",
        one_time_submission("workflows.start")(start.start_process_view),
        name="workflows_start",
    ),
]
for _flow in engine.registered_flows():
    urlpatterns += _flow.instance.get_urls()
