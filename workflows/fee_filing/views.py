"""The fee filing's pages: the adviser's filing form, the bureau's review, the adviser's correction,
and the supporting files."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.adminpages import forbid_as_403
from backoffice.scope import scope_for
from places.models import Division
from workflows.models import StepRecord
from workflows.views.base import TaskFormView
from workflows.views.processes import visible_process_or_404
from workflows.views.start import StartFormView
from workflows.views.tasks import require_workflow_access

from . import services
from .forms import CorrectionForm, FeeFilingForm, ReviewForm
from .models import FeeFiling, FeeFilingAttachment

__all__ = ["CorrectView", "FileView", "ReviewView", "attachment", "forbid_as_403"]


def adviser_villages(user):
    """The villages an adviser's account may file for: those of its current contracts."""
    user_scope = scope_for(user)
    if not user_scope.is_adviser:
        return Division.objects.none()
    return Division.objects.filter(code__in=user_scope.prefixes or ()).order_by("code")


def review_days(scope_code: str = "") -> int:
    from .flow import review_working_days

    return review_working_days(scope_code)


class FileView(StartFormView):
    """The start of the flow: an adviser files a charged, reduced or waived service."""

    template_name = "fee_filing/file.html"
    form_class = FeeFilingForm
    page_title = _("提交收费/减免备案")

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = FeeFiling(adviser_id=scope_for(self.request.user).adviser_id)
        kwargs["villages"] = adviser_villages(self.request.user)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"service_date": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review_days"] = review_days()
        return context

    def start_data(self, form) -> dict[str, Any]:
        data = {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.cleaned_data}
        data["files"] = form.cleaned_data.get("files") or ()
        return data

    def success_message(self, process) -> str:
        return _("备案已提交，县级司法局将在 %(days)d 个工作日内审核。") % {
            "days": review_days(process.scope_code)
        }


class ReviewView(TaskFormView):
    """The county bureau approves, returns, rejects or refers the filing to legal aid."""

    form_class = ReviewForm
    template_name = "fee_filing/review.html"

    MESSAGES = {
        ReviewForm.APPROVE: _("已通过备案，并已记入顾问的工作台账。"),
        ReviewForm.RETURN: _("已退回顾问修改。"),
        ReviewForm.REJECT: _("已决定不予备案。"),
        ReviewForm.REFER: _("已转法律援助。"),
    }

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["filing"] = self.process
        return kwargs

    def submit_label(self) -> str:
        return str(_("提交审核意见"))

    def perform(self, form) -> None:
        decision = form.cleaned_data["decision"]
        services.apply_decision(self.activation, self.request.user, decision, form.cleaned_data["reason"])
        self.success_message = self.MESSAGES[decision]


class CorrectView(TaskFormView):
    """The adviser corrects a returned filing and submits it again, or withdraws it."""

    form_class = CorrectionForm
    template_name = "fee_filing/correct.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.process
        kwargs["villages"] = adviser_villages(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["returned_step"] = (
            StepRecord.objects.filter(process_id=self.process.pk, action="returned").order_by("-at").first()
        )
        return context

    def perform(self, form) -> None:
        note = form.cleaned_data.get("note", "")
        if self.request.POST.get("action") == CorrectionForm.WITHDRAW:
            services.withdraw(self.activation, self.request.user, note)
            self.success_message = _("备案已撤回。")
            return
        form.save(commit=False)  # the activation's filing, updated from the form
        services.resubmit(
            self.activation,
            self.request.user,
            note,
            files=form.cleaned_data.get("files"),
            remove=form.cleaned_data.get("remove_files"),
        )
        self.success_message = _("已重新提交，等待县级司法局审核。")


def attachment(request, process_pk: int, attachment_pk: int):
    """A supporting file, for those who may open the process (the file may name a villager)."""
    require_workflow_access(request.user)
    process = visible_process_or_404(request.user, process_pk)
    item = get_object_or_404(FeeFilingAttachment, pk=attachment_pk, filing_id=process.pk)
    if not process.flow_class.instance.can_see_private(request.user, process.coerced):
        raise PermissionDenied
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1])
