"""Back-office pages of the campaigns: list and launch, dashboard, close, publish, export, objections,
the report to the city, the indicator tables, and the self-report's evidence files.

Every lookup goes through the scope registry (`backoffice.scope.scoped`) or the engine's scoped
querysets, so another county's campaign, assessment or file is a 404 whatever its number.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from backoffice.adminpages import AdminPageMixin, ForbiddenAs403Mixin
from backoffice.exports import xlsx_response
from backoffice.scope import scope_for, scoped
from places import codes
from places.models import Division
from workflows import engine
from workflows.views.processes import visible_process_or_404

from .. import forms, indicators, reports, roles, services
from ..models import Assessment, Campaign, Grade, IndicatorTable, Objection


def campaigns_crumb() -> dict[str, str]:
    return {"url": reverse("assessment_campaigns"), "label": _("年度考评")}


def require(user, permission: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied


def scoped_campaign(user, pk: int) -> Campaign:
    require(user, "assessment.view_campaign")
    return get_object_or_404(scoped(Campaign.objects.select_related("county", "table"), user), pk=pk)


def messages_of(exc: ValidationError) -> str:
    return "；".join(exc.messages)


class CampaignListView(AdminPageMixin, TemplateView):
    """年度考评: the campaigns in scope, and the launch form for the counties the user may launch."""

    template_name = "assessment/campaigns.html"
    page_title = _("年度考评")
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        require(request.user, "assessment.view_campaign")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        counties = services.launchable_counties(user)
        context["campaigns"] = scoped(Campaign.objects.select_related("county"), user).order_by(
            "-year", "county_id"
        )
        context["launch_form"] = kwargs.get("launch_form") or (
            forms.LaunchForm(counties=counties) if counties else None
        )
        context["can_report"] = user.has_perm(roles.REPORT)
        context["tables_url"] = reverse("assessment_tables")
        return context


class LaunchView(ForbiddenAs403Mixin, View):
    """POST: launch the year's campaign of the chosen counties (all or nothing)."""

    def post(self, request):
        require(request.user, roles.LAUNCH)
        counties = services.launchable_counties(request.user)
        form = forms.LaunchForm(request.POST, counties=counties)
        if not form.is_valid():
            return self._invalid(request, form)
        try:
            campaigns = services.launch(
                request.user, form.cleaned_data["counties"], form.cleaned_data["year"]
            )
        except ValidationError as exc:
            messages.error(request, messages_of(exc))
            return HttpResponseRedirect(reverse("assessment_campaigns"))
        except PermissionError as exc:
            raise PermissionDenied from exc
        count = Assessment.objects.filter(campaign__in=campaigns).count()
        messages.success(
            request,
            _("已发起 %(n)d 个县(市、区)的年度考评，共 %(count)d 项。")
            % {"n": len(campaigns), "count": count},
        )
        if len(campaigns) == 1:
            return HttpResponseRedirect(reverse("assessment_campaign", args=[campaigns[0].pk]))
        return HttpResponseRedirect(reverse("assessment_campaigns"))

    def _invalid(self, request, form):
        messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
        return HttpResponseRedirect(reverse("assessment_campaigns"))


class CampaignView(AdminPageMixin, TemplateView):
    """The campaign's dashboard: progress per township, grades, overdue steps; close, publish, export."""

    template_name = "assessment/campaign.html"

    def dispatch(self, request, *args, **kwargs):
        self.campaign = scoped_campaign(request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return str(self.campaign)

    def get_crumbs(self):
        return [campaigns_crumb()]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["campaign"] = self.campaign
        context["board"] = reports.dashboard(self.campaign)
        context["stages"] = Assessment.Stage.choices
        context["grades"] = Grade.choices
        context["may_manage"] = services.may_launch(user, self.campaign.county_id)
        context["publish_form"] = forms.PublishForm(
            initial={"publication_days": self.campaign.publication_days}
        )
        context["objections"] = list(
            Objection.objects.filter(assessment__campaign=self.campaign)
            .select_related("assessment__village", "assessment__contract__adviser")
            .order_by("answered_at", "-lodged_at")
        )
        context["answer_form"] = forms.AnswerForm()
        context["public_url"] = (
            reverse("assessment_public", args=[self.campaign.county_id, self.campaign.year])
            if self.campaign.is_public
            else ""
        )
        return context


class CampaignActionView(ForbiddenAs403Mixin, View):
    action = ""

    def post(self, request, pk: int):
        campaign = scoped_campaign(request.user, pk)
        try:
            if self.action == "close":
                services.close(request.user, campaign)
                messages.success(request, _("考评已结束，可以公示。"))
            else:
                form = forms.PublishForm(request.POST)
                if not form.is_valid():
                    raise ValidationError(_("公示期为 1 至 30 个工作日。"))
                campaign = services.publish(request.user, campaign, form.cleaned_data["publication_days"])
                messages.success(
                    request,
                    _("已公示，异议截止 %(due)s。")
                    % {"due": timezone.localtime(campaign.objection_deadline).strftime("%Y-%m-%d %H:%M")},
                )
        except ValidationError as exc:
            messages.error(request, messages_of(exc))
        except PermissionError as exc:
            raise PermissionDenied from exc
        return HttpResponseRedirect(reverse("assessment_campaign", args=[pk]))


class CloseView(CampaignActionView):
    action = "close"


class PublishView(CampaignActionView):
    action = "publish"


def export(request, pk: int):
    """The campaign's results as XLSX, for the bureau (scores included: not for publication)."""
    campaign = scoped_campaign(request.user, pk)
    require(request.user, roles.LAUNCH)
    return xlsx_response(f"assessment-{campaign.county_id}-{campaign.year}", reports.export_sheets(campaign))


class ReportView(AdminPageMixin, TemplateView):
    """The report to the city: per county, the campaign's state, progress and grades."""

    template_name = "assessment/report.html"
    page_title = _("年度考评汇总")

    def dispatch(self, request, *args, **kwargs):
        require(request.user, roles.REPORT)
        return super().dispatch(request, *args, **kwargs)

    def get_crumbs(self):
        return [campaigns_crumb()]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        raw = self.request.GET.get("year", "")
        year = int(raw) if raw.isdigit() and 2017 <= int(raw) <= 2100 else timezone.localdate().year
        context["year"] = year
        context["years"] = list(range(timezone.localdate().year, 2016, -1))[:8]
        context["rows"] = reports.city_report(scope_for(self.request.user).roots, year)
        context["grades"] = Grade.choices
        return context


class ObjectionView(ForbiddenAs403Mixin, View):
    """POST: the adviser lodges the firm's objection to a published result."""

    def post(self, request, process_pk: int):
        assessment = get_object_or_404(
            Assessment.objects.filter(
                pk__in=engine.visible_processes(request.user).values("pk")
            ).select_related("campaign"),
            pk=process_pk,
        )
        form = forms.ObjectionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("请填写异议内容。"))
            services.lodge_objection(request.user, assessment, form.cleaned_data["text"])
            messages.success(request, _("异议已提交，县级司法局将予答复。"))
        except ValidationError as exc:
            messages.error(request, messages_of(exc))
        except PermissionError as exc:
            raise PermissionDenied from exc
        return HttpResponseRedirect(reverse("workflows_process", args=[assessment.pk]))


class AnswerView(ForbiddenAs403Mixin, View):
    def post(self, request, pk: int):
        objection = get_object_or_404(
            Objection.objects.filter(
                assessment__in=engine.visible_processes(request.user).values("pk")
            ).select_related("assessment__campaign"),
            pk=pk,
        )
        form = forms.AnswerForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("请填写答复。"))
            services.answer_objection(request.user, objection, form.cleaned_data["answer"])
            messages.success(request, _("已答复。"))
        except ValidationError as exc:
            messages.error(request, messages_of(exc))
        except PermissionError as exc:
            raise PermissionDenied from exc
        return HttpResponseRedirect(reverse("assessment_campaign", args=[objection.assessment.campaign_id]))


def evidence(request, process_pk: int, file_pk: int):
    """A self-report's evidence file, for those who may see the assessment (private storage)."""
    assessment = visible_process_or_404(request.user, process_pk)
    item = get_object_or_404(Assessment.objects.get(pk=assessment.pk).evidence, pk=file_pk)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1])


class TablesView(AdminPageMixin, TemplateView):
    """考评指标表: the tables in scope, each with its indicators; copy one (or the default) for a year."""

    template_name = "assessment/tables.html"
    page_title = _("考评指标表")

    def dispatch(self, request, *args, **kwargs):
        require(request.user, "assessment.view_indicatortable")
        return super().dispatch(request, *args, **kwargs)

    def get_crumbs(self):
        return [campaigns_crumb()]

    def areas(self):
        user_scope = scope_for(self.request.user)
        return (
            list(
                Division.objects.filter(level__in=[codes.CITY, codes.COUNTY])
                .filter(user_scope.q("code"))
                .order_by("code")
            )
            if not user_scope.is_adviser
            else []
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["tables"] = list(
            scoped(IndicatorTable.objects.select_related("area"), user).prefetch_related("indicators")
        )
        context["areas"] = self.areas() if user.has_perm("assessment.add_indicatortable") else []
        context["this_year"] = timezone.localdate().year
        return context

    def post(self, request):
        require(request.user, "assessment.add_indicatortable")
        code = request.POST.get("area", "")
        raw_year = request.POST.get("year", "")
        area = next((a for a in self.areas() if a.code == code), None)
        if area is None or not raw_year.isdigit() or not 2017 <= int(raw_year) <= 2100:
            messages.error(request, _("请选择地区并填写年度。"))
            return HttpResponseRedirect(reverse("assessment_tables"))
        year = int(raw_year)
        source = (
            scoped(IndicatorTable.objects.all(), request.user)
            .filter(pk=request.POST.get("source") or 0)
            .first()
        )
        try:
            table = indicators.copy_table(area, year, source)
        except ValidationError as exc:
            messages.error(request, messages_of(exc))
        else:
            messages.success(request, _("已生成“%(title)s”。") % {"title": table.title})
        return HttpResponseRedirect(reverse("assessment_tables"))


class TableEditView(AdminPageMixin, TemplateView):
    """One table: its bands and indicators, editable until a launched campaign uses it."""

    template_name = "assessment/table_edit.html"

    def dispatch(self, request, *args, **kwargs):
        require(request.user, "assessment.view_indicatortable")
        self.table = get_object_or_404(
            scoped(IndicatorTable.objects.select_related("area"), request.user), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self) -> str:
        return self.table.title

    def get_crumbs(self):
        return [campaigns_crumb(), {"url": reverse("assessment_tables"), "label": _("考评指标表")}]

    @property
    def in_use(self) -> bool:
        return Campaign.objects.filter(table=self.table).exclude(state=Campaign.State.DRAFT).exists()

    @property
    def editable(self) -> bool:
        user = self.request.user
        return (
            user.has_perm("assessment.change_indicatortable")
            and scope_for(user).covers(self.table.area_id)
            and not self.in_use
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["table"] = self.table
        context["editable"] = self.editable
        context["in_use"] = self.in_use
        if self.editable:
            context["form"] = kwargs.get("form") or forms.TableForm(instance=self.table)
            context["formset"] = kwargs.get("formset") or forms.indicator_formset(self.table)
        return context

    def post(self, request, pk: int):
        if not self.editable:
            raise PermissionDenied(_("该指标表已用于发起的考评，不能修改。") if self.in_use else None)
        form = forms.TableForm(request.POST, instance=self.table)
        formset = forms.indicator_formset(self.table, request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, formset=formset))
        with transaction.atomic():
            form.save()
            taken = set(self.table.indicators.values_list("key", flat=True))
            for indicator in formset.save(commit=False):
                if not indicator.key:
                    number = 1
                    while f"own-{number}" in taken:
                        number += 1
                    indicator.key = f"own-{number}"
                    taken.add(indicator.key)
                indicator.table = self.table
                indicator.save()
            for indicator in formset.deleted_objects:
                indicator.delete()
        messages.success(request, _("指标表已保存。"))
        return HttpResponseRedirect(reverse("assessment_table", args=[self.table.pk]))
