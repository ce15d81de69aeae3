"""Trainings the bureaus hold and who attended (四(一) 建立培训制度: at least 1 a year per adviser)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.widgets.button import HeaderButton
from wagtail.log_actions import log

from advisers.models import Adviser, ServiceContract
from backoffice.adminpages import AdminPageMixin
from places import codes
from places.models import Division

from .. import access
from ..forms import TrainingForm
from ..models import Training, TrainingAttendance
from .entries import ledger_crumb


def trainings_crumb() -> dict[str, str]:
    return {"url": reverse("ledger_trainings"), "label": _("培训记录")}


def advisers_serving(prefixes: list[str], year: int):
    """Advisers with a contract in the area at any time of the year: those expected to train."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    contracts = ServiceContract.objects.active_during(first, last)
    condition = None
    for prefix in prefixes:
        part = contracts.filter(village_id__gte=prefix, village_id__lt=codes.prefix_upper_bound(prefix))
        condition = part if condition is None else condition | part
    if condition is None:
        return Adviser.objects.none()
    return Adviser.objects.filter(pk__in=condition.values("adviser_id")).order_by("name", "pk")


class TrainingListView(AdminPageMixin, TemplateView):
    template_name = "ledger/training_list.html"
    page_title = _("培训记录")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(access.VIEW_TRAINING):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_crumbs(self):
        return [ledger_crumb()]

    def get_header_buttons(self):
        if access.can_manage_trainings(self.request.user):
            return [HeaderButton(_("登记培训"), reverse("ledger_training_add"), icon_name="plus")]
        return []

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        try:
            year = int(self.request.GET.get("year", today.year))
        except ValueError:
            year = today.year
        year = min(max(year, 2000), today.year)
        trainings = (
            access.trainings_visible_to(self.request.user)
            .filter(date__year=year)
            .select_related("organiser")
            .annotate(attended=Count("trainingattendance"))
            .order_by("-date", "-pk")
        )
        context.update(
            {
                "trainings": trainings,
                "year": year,
                "years": list(range(today.year, today.year - 5, -1)),
                "can_manage": access.can_manage_trainings(self.request.user),
            }
        )
        return context


class TrainingFormView(AdminPageMixin, FormView):
    template_name = "ledger/training_form.html"
    form_class = TrainingForm
    training: Training | None = None

    def dispatch(self, request, *args, **kwargs):
        if "pk" in kwargs:
            self.training = get_object_or_404(access.trainings_visible_to(request.user), pk=kwargs["pk"])
            if not access.can_manage_training(request.user, self.training):
                raise PermissionDenied(_("只能修改本单位举办的培训。"))
        elif not access.can_manage_trainings(request.user):
            raise PermissionDenied(_("只有市、县级司法局可以登记培训。"))
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(_("修改培训") if self.training else _("登记培训"))

    def get_crumbs(self):
        return [ledger_crumb(), trainings_crumb()]

    def _prefixes(self) -> list[str]:
        scope = access.scope_of(self.request.user)
        return [""] if scope.unrestricted else list(scope.prefixes or ())

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.training or Training()
        organisers = Division.objects.filter(code__in=access.organisers_for(self.request.user))
        if access.scope_of(self.request.user).unrestricted:
            organisers = Division.objects.filter(level__in=[codes.CITY, codes.COUNTY])
        kwargs["organisers"] = organisers.order_by("code")
        year = self.training.date.year if self.training else timezone.localdate().year
        advisers = advisers_serving(self._prefixes(), year)
        if self.training:
            # Keep those already recorded, even if their contract has since moved elsewhere.
            advisers = Adviser.objects.filter(pk__in=advisers.values("pk")) | self.training.attendees.all()
            advisers = advisers.distinct().order_by("name", "pk")
        kwargs["advisers"] = advisers
        return kwargs

    def get_initial(self):
        return {} if self.training else {"date": timezone.localdate()}

    @transaction.atomic
    def form_valid(self, form):
        training = form.save()
        chosen = set(form.cleaned_data["attendees"].values_list("pk", flat=True))
        current = set(
            TrainingAttendance.objects.filter(training=training).values_list("adviser_id", flat=True)
        )
        TrainingAttendance.objects.filter(training=training, adviser_id__in=current - chosen).delete()
        TrainingAttendance.objects.bulk_create(
            [TrainingAttendance(training=training, adviser_id=pk) for pk in chosen - current]
        )
        log(training, "wagtail.edit" if self.training else "wagtail.create", user=self.request.user)
        messages.success(self.request, _("已保存培训，参训 %(n)d 人。") % {"n": len(chosen)})
        return HttpResponseRedirect(reverse("ledger_trainings") + f"?year={training.date.year}")


class TrainingDeleteView(AdminPageMixin, TemplateView):
    template_name = "ledger/training_delete.html"
    page_title = _("删除培训")

    def dispatch(self, request, *args, **kwargs):
        self.training = get_object_or_404(access.trainings_visible_to(request.user), pk=kwargs["pk"])
        if not access.can_manage_training(request.user, self.training):
            raise PermissionDenied(_("只能删除本单位举办的培训。"))
        return super().dispatch(request, *args, **kwargs)

    def get_crumbs(self):
        return [ledger_crumb(), trainings_crumb()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["training"] = self.training
        context["attended"] = self.training.attendees.count()
        return context

    def post(self, request, *args, **kwargs):
        log(self.training, "wagtail.delete", user=request.user)
        self.training.delete()
        messages.success(request, _("已删除培训。"))
        return HttpResponseRedirect(reverse("ledger_trainings"))
