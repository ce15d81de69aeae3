"""Choosers for villages and advisers, limited to the user's scope.

A select box cannot hold 620,573 villages, and a plain select of advisers would show every
adviser of the country; these modal choosers search by name or code and list only what the
user's scope reaches. The chosen-object views check the scope too.
"""

from __future__ import annotations

from django import forms
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from advisers.models import DEFAULT_ADVISER_CAP, Adviser, CountyBureau, ServiceContract
from places import codes
from places.models import Division

from .scope import scoped


class NameOrCodeFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("名称或代码"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("输入名称中的字或区划代码")}),
    )
    uncovered = forms.BooleanField(label=_("只看未覆盖的"), required=False)

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            if query.isdigit():
                objects = (
                    objects.within(query)
                    if codes.is_valid_code(query)
                    else objects.filter(code__startswith=query)
                )
            else:
                objects = objects.filter(name__contains=query)
            self.is_searching = True
            self.search_query = query
        if self.cleaned_data.get("uncovered"):
            objects = objects.filter(current_adviser__isnull=True)
        return objects


def villages_with_adviser(queryset):
    """Villages annotated with the name of the adviser in force (one subquery, no N+1)."""
    in_force = ServiceContract.objects.in_force().filter(village=OuterRef("code")).order_by("-start_date")
    return queryset.annotate(current_adviser=Subquery(in_force.values("adviser__name")[:1]))


class VillageChooseMixin:
    def get_object_list(self):
        villages = Division.objects.villages().select_related("parent__parent")
        return villages_with_adviser(scoped(villages, self.request.user)).order_by("code")

    def get_filter_form_class(self):
        return NameOrCodeFilterForm

    @property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("村(社区)"),
                accessor="name",
                get_url=lambda obj: self.append_preserved_url_parameters(self._chosen_url(obj)),
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("township", label=_("乡镇(街道)"), accessor="parent.name"),
            Column("county", label=_("县(市、区)"), accessor="parent.parent.name"),
            Column("code", label=_("区划代码"), accessor="code"),
            Column(
                "current_adviser",
                label=_("现任法律顾问"),
                accessor=lambda obj: obj.current_adviser or _("未覆盖"),
            ),
        ]

    def _chosen_url(self, obj):
        from django.urls import reverse

        return reverse(self.chosen_url_name, args=(obj.pk,))


class VillageChooseView(VillageChooseMixin, chooser_views.ChooseView):
    pass


class VillageChooseResultsView(VillageChooseMixin, chooser_views.ChooseResultsView):
    pass


class ScopedChosenView(chooser_views.ChosenView):
    def get_object(self, pk):
        obj = scoped(self.model_class._default_manager.filter(pk=pk), self.request.user).first()
        if obj is None:
            raise Http404
        return obj


class VillageChosenView(ScopedChosenView):
    def get_display_title(self, instance):
        return f"{instance.name}（{instance.code}）"


class VillageChooserViewSet(ChooserViewSet):
    model = Division
    icon = "site"
    choose_one_text = _("选择村(社区)")
    choose_another_text = _("改选村(社区)")
    edit_item_text = _("查看")
    per_page = 20
    register_widget = False  # Division keys also point at counties and townships
    choose_view_class = VillageChooseView
    choose_results_view_class = VillageChooseResultsView
    chosen_view_class = VillageChosenView
    preserve_url_parameters = ["multiple", "uncovered"]


class AdviserFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("姓名、执业证号或机构"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("输入姓名、执业证号或所在机构")}),
    )
    available = forms.BooleanField(label=_("只看未满额的"), required=False)

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(
                Q(name__contains=query) | Q(licence_no__contains=query) | Q(firm__name__contains=query)
            )
            self.is_searching = True
            self.search_query = query
        if self.cleaned_data.get("available"):
            objects = objects.filter(load__lt=DEFAULT_ADVISER_CAP)
        return objects


def advisers_with_load(queryset):
    """Advisers annotated with their villages in force and the cap of their firm's county."""
    today = timezone.localdate()
    return queryset.annotate(
        load=Count(
            "contracts",
            filter=Q(
                contracts__status=ServiceContract.Status.ACTIVE,
                contracts__start_date__lte=today,
                contracts__end_date__gte=today,
            ),
            distinct=True,
        ),
        cap=Coalesce(
            Subquery(
                CountyBureau.objects.filter(county_id=OuterRef("firm__county_id")).values("adviser_cap")[:1]
            ),
            DEFAULT_ADVISER_CAP,
        ),
    )


class AdviserChooseMixin:
    def get_object_list(self):
        advisers = Adviser.objects.filter(is_active=True).select_related("firm")
        return advisers_with_load(scoped(advisers, self.request.user)).order_by("name", "id")

    def get_filter_form_class(self):
        return AdviserFilterForm

    @property
    def columns(self):
        from django.urls import reverse

        return [
            TitleColumn(
                "name",
                label=_("姓名"),
                accessor="name",
                get_url=lambda obj: self.append_preserved_url_parameters(
                    reverse(self.chosen_url_name, args=(obj.pk,))
                ),
                link_attrs={"data-chooser-modal-choice": True},
            ),
            Column("firm", label=_("所在机构"), accessor="firm.name"),
            Column("licence_no", label=_("执业证号"), accessor="licence_no"),
            Column(
                "load",
                label=_("现服务村(社区)数"),
                accessor=lambda obj: (
                    f"{obj.load} / {obj.cap}" + ("（已满额）" if obj.load >= obj.cap else "")
                ),
            ),
        ]


class AdviserChooseView(AdviserChooseMixin, chooser_views.ChooseView):
    pass


class AdviserChooseResultsView(AdviserChooseMixin, chooser_views.ChooseResultsView):
    pass


class AdviserChosenView(ScopedChosenView):
    def get_display_title(self, instance):
        return f"{instance.name}（{instance.licence_no}）"


class AdviserChooserViewSet(ChooserViewSet):
    model = Adviser
    icon = "user"
    choose_one_text = _("选择法律顾问")
    choose_another_text = _("改选法律顾问")
    edit_item_text = _("查看")
    per_page = 20
    register_widget = True
    choose_view_class = AdviserChooseView
    choose_results_view_class = AdviserChooseResultsView
    chosen_view_class = AdviserChosenView
    preserve_url_parameters = ["multiple", "available"]


village_chooser_viewset = VillageChooserViewSet("village_chooser", url_prefix="choose/village")
adviser_chooser_viewset = AdviserChooserViewSet("adviser_chooser", url_prefix="choose/adviser")
VillageChooserWidget = village_chooser_viewset.widget_class
AdviserChooserWidget = adviser_chooser_viewset.widget_class
