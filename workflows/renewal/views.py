"""The renewal's task pages: the committee's opinion, the bureau's decision and the allocation.

They run inside the engine's dispatcher (scope, lock, owner checked there); each turns the
rules' ValidationError into messages on the form, never an error page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from advisers.models import Adviser
from backoffice.scope import scoped
from workflows.views.base import TaskFormView

from . import services
from .forms import DecisionForm, OpinionForm, ReallocationForm


class RenewalTaskView(TaskFormView):
    def form_valid(self, form):
        try:
            with transaction.atomic():
                self.perform(form)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = field if field in form.fields else None
                for message in messages:
                    form.add_error(target, message)
            return self.form_invalid(form)
        self.activation.execute()
        flash.success(self.request, self.get_success_message(form))
        return HttpResponseRedirect(reverse("workflows_process", args=[self.process.pk]))


class OpinionView(RenewalTaskView):
    """The village committee agrees to renew its adviser or not, and says why."""

    form_class = OpinionForm
    success_message = _("意见已提交，县级司法局将据此作出续聘决定。")

    def submit_label(self) -> str:
        return str(_("提交意见"))

    def perform(self, form) -> None:
        services.give_opinion(
            self.activation, self.request.user, form.cleaned_data["agrees"], form.cleaned_data["reasons"]
        )


class DecisionView(RenewalTaskView):
    """The county bureau sees the checks with their reasons and decides."""

    form_class = DecisionForm
    template_name = "renewal/decide.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["renewal"] = self.process
        return kwargs

    def submit_label(self) -> str:
        return str(_("提交决定"))

    def perform(self, form) -> None:
        data = form.cleaned_data
        renewal = services.decide(
            self.activation,
            self.request.user,
            data["decision"],
            data.get("reasons", ""),
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            annual_fee=data.get("annual_fee"),
            copy_schedule=data.get("copy_schedule", False),
        )
        self.success_message = (
            _("已续聘，新合同已生效。") if renewal.successor_id else _("已决定不再续聘，请另行选配法律顾问。")
        )


class ReallocateView(RenewalTaskView):
    """The bureau allocates another adviser before the old contract ends."""

    form_class = ReallocationForm

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["renewal"] = self.process
        kwargs["advisers"] = scoped(Adviser.objects.filter(is_active=True), self.request.user).order_by(
            "name"
        )
        return kwargs

    def submit_label(self) -> str:
        return str(_("签订新合同"))

    def perform(self, form) -> None:
        data = form.cleaned_data
        services.reallocate(
            self.activation,
            self.request.user,
            adviser=data["adviser"],
            selection=data["selection"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            annual_fee=data["annual_fee"],
            committee_agreed=data.get("committee_agreed", False),
            firm_agreed=data.get("firm_agreed", False),
            copy_schedule=data.get("copy_schedule", False),
            note=data.get("note", ""),
        )
        self.success_message = _("已另行选配法律顾问，新合同已生效。")
