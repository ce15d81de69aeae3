"""The one start route of every flow (/admin/workflows/<slug>/new/) and the base of start forms.

The route knows a flow only through its interface: `slug`, `may_start()`, `start_refused`,
`start_view`. A start view is a form; on a valid form it starts the process through the
engine's API (`engine.start`, built on the flow's `flow.StartHandle` node), exactly as code
would, so the scope check, the history and the audit entry are the same.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView

from backoffice.adminpages import AdminPageMixin, forbid_as_403

from .. import engine
from .base import inbox_crumb


class StartFormView(AdminPageMixin, FormView):
    """Base of a flow's start page; subclasses set `form_class`, `template_name`, `page_title`.

    `start_data(form)` is the row handed to the flow's `prepare()`; `success_message(process)`
    the message shown on the new process's page.
    """

    flow_class: type[engine.ScopedFlow] | None = None

    def get_crumbs(self):
        return [inbox_crumb()]

    def start_data(self, form) -> dict[str, Any]:
        return dict(form.cleaned_data)

    def success_message(self, process) -> str:
        return ""

    def form_valid(self, form):
        try:
            process = engine.start(self.flow_class, self.request.user, **self.start_data(form))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        except PermissionError as exc:
            raise PermissionDenied(str(exc) or None) from exc
        message = self.success_message(process)
        if message:
            messages.success(self.request, message)
        return HttpResponseRedirect(reverse("workflows_process", args=[process.pk]))


def start_process(request, slug: str):
    """Open a flow's start page, for the users the flow lets start it."""
    flow_class = engine.flow_by_label(slug)
    if flow_class is None or flow_class.start_view is None:
        raise Http404
    if not flow_class.instance.may_start(request.user):
        raise PermissionDenied(str(flow_class.start_refused))
    view = flow_class.start_view.as_view(flow_class=flow_class)
    return view(request)


start_process_view = forbid_as_403(start_process)
