"""The fee filing's pages: the adviser's filing form, the bureau's review and the adviser's correction."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from places.models import Division

from .. import engine, services
from ..forms import CorrectionForm, FeeFilingForm, ReviewForm
from ..models import StepRecord
from .base import AdminPageMixin, TaskFormView, inbox_crumb


def adviser_villages(user):
    """The villages an adviser's account may file for: those of its current contracts."""
    scope = engine.scope_of(user)
    if not scope.is_adviser:
        return Division.objects.none()
    return Division.objects.filter(code__in=scope.prefixes or ()).order_by("code")


class FileView(AdminPageMixin, FormView):
    """The start of the flow: an adviser files a charged, reduced or waived service."""

    template_name = "workflows/fee_filing/file.html"
    form_class = FeeFilingForm
    page_title = _("提交收费/减免备案")

    def get_crumbs(self):
        return [inbox_crumb()]

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        filing = self.request.activation.process
        filing.adviser_id = engine.scope_of(self.request.user).adviser_id
        kwargs["instance"] = filing
        kwargs["villages"] = adviser_villages(self.request.user)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        return {"service_date": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["review_days"] = engine.review_working_days()
        return context

    def form_valid(self, form):
        filing = services.submit(self.request.activation, self.request.user, form.cleaned_data.get("files"))
        messages.success(
            self.request,
            _("备案已提交，县级司法局将在 %(days)d 个工作日内审核。")
            % {"days": engine.review_working_days()},
        )
        return HttpResponseRedirect(reverse("workflows_process", args=[filing.pk]))


class ReviewView(TaskFormView):
    """The county bureau approves, returns, rejects or refers the filing to legal aid."""

    form_class = ReviewForm
    template_name = "workflows/fee_filing/review.html"

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
    template_name = "workflows/fee_filing/correct.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.process
        kwargs["villages"] = adviser_villages(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["returned_step"] = (
            StepRecord.objects.filter(process_id=self.process.pk, action=StepRecord.Action.RETURNED)
            .order_by("-at")
            .first()
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


def new_fee_filing(request):
    """The address of the filing form; the flow's start node decides who may use it."""
    from ..flows import FeeFilingFlow

    try:
        return engine.start_process(request, FeeFilingFlow, FeeFilingFlow.start.start_view)
    except PermissionError as exc:
        raise PermissionDenied(_("只有在聘的法律顾问可以提交收费/减免备案。")) from exc
